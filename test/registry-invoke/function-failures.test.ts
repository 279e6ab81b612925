// What a function can do wrong, and what comes back: timeouts (and the reset after), crashes, oversized responses.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDocker } from '../support/docker.js';
import { createDockerInvoker } from '../../src/registry/invoke/index.js';
import type { DockerInvoker } from '../../src/registry/invoke/index.js';
import { containersOf, decodeTail, engine, json, makeTarget, makeZip, removeWorkDir, request } from './support.js';

describeDocker('function failures', () => {
  let invoker: DockerInvoker;
  beforeAll(async () => {
    invoker = await createDockerInvoker();
  });
  afterAll(async () => {
    await invoker.close();
    expect(await containersOf(invoker.invokerId)).toEqual([]);
    removeWorkDir();
  });

  it('times out with Sandbox.Timedout, replaces the environment, and serves the next invocation from a fresh one', async () => {
    const zip = makeZip({
      'index.js': `const boot = Math.random();
        exports.handler = async (event) => {
          if (event.hang) await new Promise(() => setInterval(() => {}, 1000));
          return { boot };
        };`,
    });
    const target = makeTarget({ codeZipPath: zip, timeout: 1 });
    const warm = json((await invoker.invoke(request(target))).payload) as { boot: number };
    const [container] = invoker.environmentContainers(target.functionArn);
    expect(container).toBeDefined();

    const started = Date.now();
    const result = await invoker.invoke(request(target, { hang: true }, { logType: 'Tail' }));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1000); // not before the timeout; how soon after it: `npm run bench`
    expect(result.statusCode).toBe(200);
    expect(result.functionError).toBe('Unhandled');
    expect(json(result.payload)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${result.requestId} Error: Task timed out after 1.00 seconds`,
    });
    const log = decodeTail(result.logResult);
    expect(log).toMatch(new RegExp(`\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z ${result.requestId} Task timed out after 1\\.00 seconds\\n`));
    expect(log).toContain(`END RequestId: ${result.requestId}`);
    expect(log).toContain('Status: timeout');

    // The timed-out environment is gone, container and all.
    await expect.poll(async () => (await engine.listContainers({ 'dev.pipe.invoker-id': invoker.invokerId })).includes(container ?? '')).toBe(false);
    const after = json((await invoker.invoke(request(target))).payload) as { boot: number };
    expect(after.boot).not.toBe(warm.boot);
  });

  it('reports a runtime that exits during an invocation as Runtime.ExitError', async () => {
    const zip = makeZip({ 'index.js': `exports.handler = async () => { process.exit(3); };` });
    const target = makeTarget({ codeZipPath: zip });
    const result = await invoker.invoke(request(target));
    expect(result.functionError).toBe('Unhandled');
    expect(json(result.payload)).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: exit status 3`,
    });
    await expect.poll(() => invoker.environmentContainers(target.functionArn).length).toBe(0);
  });

  it('reports a Python runtime killed for memory as Runtime.ExitError (signal: killed)', async () => {
    const zip = makeZip({ 'lambda_function.py': 'def handler(e, c):\n    data = []\n    while True:\n        data.append(bytearray(16 * 1024 * 1024))\n' });
    const target = makeTarget({ codeZipPath: zip, runtime: 'python3.11', handler: 'lambda_function.handler', memorySize: 128 });
    const result = await invoker.invoke(request(target));
    expect(result.functionError).toBe('Unhandled');
    expect(json(result.payload)).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: signal: killed`,
    });
  });

  it('reports an uncaught exception thrown outside the handler promise with its type, then replaces the runtime', async () => {
    const zip = makeZip({ 'index.js': `exports.handler = (e, c, cb) => { setTimeout(() => { throw new SyntaxError('late'); }, 1); };` });
    const target = makeTarget({ codeZipPath: zip });
    const result = await invoker.invoke(request(target));
    expect(result.functionError).toBe('Unhandled');
    expect(json(result.payload)).toMatchObject({ errorType: 'SyntaxError', errorMessage: 'late' });
    await expect.poll(() => invoker.environmentContainers(target.functionArn).length).toBe(0);
  });

  it('refuses a response over 6 MiB + 100 bytes with Function.ResponseSizeTooLarge, and the environment stays usable', async () => {
    const zip = makeZip({ 'index.js': `exports.handler = async (e) => e.big ? 'x'.repeat(6 * 1024 * 1024 + 200) : 'small';` });
    const target = makeTarget({ codeZipPath: zip });
    const result = await invoker.invoke(request(target, { big: true }));
    expect(result.functionError).toBe('Unhandled');
    expect(json(result.payload)).toEqual({
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
      errorType: 'Function.ResponseSizeTooLarge',
    });
    const next = await invoker.invoke(request(target, { big: false }));
    expect(json(next.payload)).toBe('small');
  });

  it('accepts a response just under the limit', async () => {
    // 6291556 bytes in all, with the two quotes of the JSON string.
    const zip = makeZip({ 'index.js': `exports.handler = async () => 'y'.repeat(6291556 - 2);` });
    const result = await invoker.invoke(request(makeTarget({ codeZipPath: zip })));
    expect(result.functionError).toBeUndefined();
    expect(result.payload.length).toBe(6291556);
  });
});
