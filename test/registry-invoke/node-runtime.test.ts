// The Node.js bootstrap in real containers: handler styles, module kinds, context, environment, layers, errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDocker } from '../support/docker.js';
import { createDockerInvoker } from '../../src/registry/invoke/index.js';
import type { DockerInvoker } from '../../src/registry/invoke/index.js';
import { containersOf, decodeTail, json, makeTarget, makeZip, removeWorkDir, request } from './support.js';

describeDocker('Node.js runtime', () => {
  let invoker: DockerInvoker;
  beforeAll(async () => {
    invoker = await createDockerInvoker();
  });
  afterAll(async () => {
    await invoker.close();
    expect(await containersOf(invoker.invokerId)).toEqual([]);
    removeWorkDir();
  });

  describe('handler styles', () => {
    it('runs an async CommonJS handler and returns its JSON result', async () => {
      const zip = makeZip({ 'index.js': `exports.handler = async (event) => ({ echo: event, kind: 'async-cjs' });` });
      const result = await invoker.invoke(request(makeTarget({ codeZipPath: zip }), { a: 1 }));
      expect(result.functionError).toBeUndefined();
      expect(result.statusCode).toBe(200);
      expect(result.executedVersion).toBe('$LATEST');
      expect(json(result.payload)).toEqual({ echo: { a: 1 }, kind: 'async-cjs' });
    });

    it('runs a callback handler', async () => {
      const zip = makeZip({
        'index.js': `exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { n: event.n + 1 }), 5); };`,
      });
      const result = await invoker.invoke(request(makeTarget({ codeZipPath: zip }), { n: 41 }));
      expect(json(result.payload)).toEqual({ n: 42 });
    });

    it('reports an error given to the callback as a function error', async () => {
      const zip = makeZip({ 'index.js': `exports.handler = (e, c, cb) => cb(new TypeError('bad input'));` });
      const result = await invoker.invoke(request(makeTarget({ codeZipPath: zip })));
      expect(result.functionError).toBe('Unhandled');
      expect(json(result.payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input' });
    });

    it('answers a callback once the event loop is empty, unless callbackWaitsForEmptyEventLoop is false', async () => {
      const zip = makeZip({
        'index.js': `exports.handler = (event, context, callback) => {
          context.callbackWaitsForEmptyEventLoop = event.wait;
          setTimeout(() => console.log('timer fired'), event.timerMs);
          callback(null, 'answered');
        };`,
      });
      const target = makeTarget({ codeZipPath: zip, timeout: 3 });
      // Waiting: the answer comes after the timer, so the timer's line is in this invocation's log.
      const waiting = await invoker.invoke(request(target, { wait: true, timerMs: 300 }, { logType: 'Tail' }));
      expect(waiting.functionError).toBeUndefined();
      expect(json(waiting.payload)).toBe('answered');
      expect(decodeTail(waiting.logResult)).toContain('timer fired');
      // Not waiting: a 30 s timer past the 3 s timeout; waiting for it would time the invocation out.
      const eager = await invoker.invoke(request(target, { wait: false, timerMs: 30_000 }, { logType: 'Tail' }));
      expect(eager.functionError).toBeUndefined();
      expect(json(eager.payload)).toBe('answered');
      expect(decodeTail(eager.logResult)).not.toContain('timer fired');
      // How fast the eager answer comes is measured by `npm run bench`.
    });

    it('answers null for a synchronous handler that never calls back, once its work is done', async () => {
      const zip = makeZip({
        'index.js': `exports.handler = function (event) { setTimeout(() => console.log('late work done'), 200); return 'ignored'; };`,
      });
      const result = await invoker.invoke(request(makeTarget({ codeZipPath: zip }), {}, { logType: 'Tail' }));
      expect(result.payload.toString()).toBe('null');
      expect(decodeTail(result.logResult)).toContain('late work done');
    });

    it('runs an ES module handler (.mjs) in a subfolder, with top-level await', async () => {
      const zip = makeZip({
        'src/app.mjs': `const greeting = await Promise.resolve('hi');\nexport const main = async (event) => ({ greeting, name: event.name });`,
      });
      const target = makeTarget({ codeZipPath: zip, handler: 'src/app.main' });
      const result = await invoker.invoke(request(target, { name: 'esm' }));
      expect(json(result.payload)).toEqual({ greeting: 'hi', name: 'esm' });
    });

    it('runs a .js file of a "type": "module" package as ESM', async () => {
      const zip = makeZip({
        'package.json': '{"type":"module"}',
        'index.js': `export const handler = async () => ({ esm: typeof require === 'undefined' });`,
      });
      const result = await invoker.invoke(request(makeTarget({ codeZipPath: zip })));
      expect(json(result.payload)).toEqual({ esm: true });
    });
  });

  it('gives the handler the context object and the environment Lambda sets', async () => {
    const zip = makeZip({
      'index.js': `
        exports.handler = async (event, context) => ({
          context: {
            remaining: context.getRemainingTimeInMillis(),
            awsRequestId: context.awsRequestId,
            functionName: context.functionName,
            functionVersion: context.functionVersion,
            invokedFunctionArn: context.invokedFunctionArn,
            memoryLimitInMB: context.memoryLimitInMB,
            logGroupName: context.logGroupName,
            logStreamName: context.logStreamName,
            clientContext: context.clientContext,
          },
          env: process.env,
          cwd: process.cwd(),
          uid: process.getuid(),
        });`,
    });
    const target = makeTarget({
      codeZipPath: zip,
      functionName: 'ctx-fn',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ctx-fn:live',
      version: '3',
      memorySize: 256,
      timeout: 7,
      region: 'eu-west-1',
      environment: { STAGE: 'test', PATH_EXTRA: 'x' },
    });
    const clientContext = Buffer.from(JSON.stringify({ custom: { k: 'v' }, env: { e: 1 } })).toString('base64');
    const result = await invoker.invoke(request(target, {}, { clientContext }));
    const body = json(result.payload) as { context: Record<string, unknown>; env: Record<string, string>; cwd: string; uid: number };
    expect(result.executedVersion).toBe('3');
    expect(body.context).toMatchObject({
      awsRequestId: result.requestId,
      functionName: 'ctx-fn',
      functionVersion: '3',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ctx-fn:live',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/ctx-fn',
      clientContext: { custom: { k: 'v' }, env: { e: 1 } },
    });
    // Counts down from the 7 s timeout; how much of it is left at the handler's start is measured by `npm run bench`.
    expect(body.context['remaining']).toBeGreaterThan(0);
    expect(body.context['remaining']).toBeLessThanOrEqual(7000);
    expect(body.context['logStreamName']).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[3\][0-9a-f]{32}$/);
    expect(body.env).toMatchObject({
      AWS_LAMBDA_FUNCTION_NAME: 'ctx-fn',
      AWS_LAMBDA_FUNCTION_VERSION: '3',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/ctx-fn',
      AWS_LAMBDA_LOG_STREAM_NAME: body.context['logStreamName'],
      LAMBDA_TASK_ROOT: '/var/task',
      LAMBDA_RUNTIME_DIR: '/var/runtime',
      _HANDLER: 'index.handler',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs18.x',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      NODE_PATH: '/opt/nodejs/node18/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SESSION_TOKEN: 'test',
      STAGE: 'test',
      PATH_EXTRA: 'x',
    });
    expect(body.env['AWS_LAMBDA_RUNTIME_API']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(body.env['PATH']).toContain('/opt/bin');
    expect(body.env['LD_LIBRARY_PATH']).toContain('/opt/lib');
    expect(body.env['_X_AMZN_TRACE_ID']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    expect(body.cwd).toBe('/var/task');
    expect(body.uid).not.toBe(0);
  });

  it('imports a module from a layer, later layers winning', async () => {
    const layer1 = makeZip({
      'nodejs/node_modules/greeter/index.js': `exports.greet = (n) => 'hello ' + n; exports.from = 'layer1';`,
      'nodejs/node_modules/only-one/index.js': `exports.v = 'one';`,
    });
    const layer2 = makeZip({ 'nodejs/node_modules/greeter/index.js': `exports.greet = (n) => 'hi ' + n; exports.from = 'layer2';` });
    const zip = makeZip({
      'index.js': `const g = require('greeter'); const o = require('only-one');
        exports.handler = async () => ({ text: g.greet('you'), from: g.from, other: o.v });`,
    });
    const target = makeTarget({ codeZipPath: zip, layerZipPaths: [layer1, layer2] });
    const result = await invoker.invoke(request(target));
    expect(json(result.payload)).toEqual({ text: 'hi you', from: 'layer2', other: 'one' });
  });

  it('returns a handler exception as Unhandled with the Node.js error body', async () => {
    const zip = makeZip({ 'index.js': `exports.handler = async () => { throw new RangeError('out of range'); };` });
    const result = await invoker.invoke(request(makeTarget({ codeZipPath: zip })));
    expect(result.statusCode).toBe(200);
    expect(result.functionError).toBe('Unhandled');
    const body = json(result.payload) as { errorType: string; errorMessage: string; trace: string[] };
    expect(Object.keys(body)).toEqual(['errorType', 'errorMessage', 'trace']);
    expect(body.errorType).toBe('RangeError');
    expect(body.errorMessage).toBe('out of range');
    expect(body.trace[0]).toBe('RangeError: out of range');
    expect(body.trace[1]).toContain('/var/task/index.js');
  });

  describe('init errors', () => {
    it('reports a missing module as Runtime.ImportModuleError', async () => {
      const zip = makeZip({ 'other.js': 'exports.x = 1;' });
      const result = await invoker.invoke(request(makeTarget({ codeZipPath: zip })));
      expect(result.functionError).toBe('Unhandled');
      expect(json(result.payload)).toMatchObject({
        errorType: 'Runtime.ImportModuleError',
        errorMessage: "Error: Cannot find module 'index'\nRequire stack:\n- /var/runtime/index.mjs",
      });
    });

    it('reports a module the handler requires but cannot find as Runtime.ImportModuleError, with Lambda\'s require stack', async () => {
      const zip = makeZip({ 'index.js': "require('missing-dep');\nexports.handler = async () => 1;" });
      const result = await invoker.invoke(request(makeTarget({ codeZipPath: zip })));
      expect(json(result.payload)).toMatchObject({
        errorType: 'Runtime.ImportModuleError',
        errorMessage: "Error: Cannot find module 'missing-dep'\nRequire stack:\n- /var/task/index.js\n- /var/runtime/index.mjs",
      });
    });

    it('reports a missing export as Runtime.HandlerNotFound', async () => {
      const zip = makeZip({ 'index.js': 'exports.other = async () => 1;' });
      const result = await invoker.invoke(request(makeTarget({ codeZipPath: zip })));
      expect(json(result.payload)).toMatchObject({
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'index.handler is undefined or not exported',
      });
    });

    it('reports a syntax error as Runtime.UserCodeSyntaxError', async () => {
      const zip = makeZip({ 'index.js': 'exports.handler = async () => {;' });
      const result = await invoker.invoke(request(makeTarget({ codeZipPath: zip })));
      const body = json(result.payload) as { errorType: string; errorMessage: string };
      expect(body.errorType).toBe('Runtime.UserCodeSyntaxError');
      expect(body.errorMessage).toMatch(/^SyntaxError: /);
    });

    it('reports an exception thrown at module load with its own type, and does not keep the environment', async () => {
      const zip = makeZip({ 'index.js': `throw new Error('cannot init');` });
      const target = makeTarget({ codeZipPath: zip });
      const result = await invoker.invoke(request(target, {}, { logType: 'Tail' }));
      expect(json(result.payload)).toMatchObject({ errorType: 'Error', errorMessage: 'cannot init' });
      expect(decodeTail(result.logResult)).toContain('cannot init');
      await expect.poll(() => invoker.environmentContainers(target.functionArn).length).toBe(0);
    });
  });

  it('returns the tail of the log: init output, START, the handler output, END, REPORT with Init Duration once', async () => {
    const zip = makeZip({
      'index.js': `console.log('init line');
        exports.handler = async (event) => { console.log('handling', event.n); console.error('to stderr'); process.stdout.write('raw line\\n'); return 1; };`,
    });
    const target = makeTarget({ codeZipPath: zip, memorySize: 192 });
    const first = await invoker.invoke(request(target, { n: 1 }, { logType: 'Tail' }));
    const log1 = decodeTail(first.logResult);
    const id = first.requestId;
    expect(log1).toContain('init line');
    expect(log1.indexOf('init line')).toBeLessThan(log1.indexOf(`START RequestId: ${id} Version: $LATEST`));
    expect(log1).toMatch(new RegExp(`\\t${id}\\tINFO\\thandling 1\\n`));
    expect(log1).toMatch(new RegExp(`\\t${id}\\tERROR\\tto stderr\\n`));
    expect(log1).toContain('raw line\n');
    expect(log1).toContain(`END RequestId: ${id}\n`);
    expect(log1).toMatch(
      new RegExp(
        `REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 192 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d{2} ms\\t\\n$`,
      ),
    );
    const second = await invoker.invoke(request(target, { n: 2 }, { logType: 'Tail' }));
    const log2 = decodeTail(second.logResult);
    expect(log2.startsWith(`START RequestId: ${second.requestId} Version: $LATEST\n`)).toBe(true);
    expect(log2).toContain('handling 2');
    expect(log2).not.toContain('handling 1');
    expect(log2).not.toContain('Init Duration');
    const none = await invoker.invoke(request(target, { n: 3 }));
    expect(none.logResult).toBeUndefined();
  });

  it('keeps only the last 4 KB of a long log', async () => {
    const zip = makeZip({ 'index.js': `exports.handler = async () => { for (let i = 0; i < 200; i++) console.log('line ' + i + ' ' + 'x'.repeat(40)); return 1; };` });
    const result = await invoker.invoke(request(makeTarget({ codeZipPath: zip }), {}, { logType: 'Tail' }));
    const raw = Buffer.from(result.logResult ?? '', 'base64');
    expect(raw.length).toBe(4096);
    const text = raw.toString('utf8');
    expect(text).toContain('line 199');
    expect(text).not.toContain('line 1 ');
    expect(text).toContain(`REPORT RequestId: ${result.requestId}`);
  });
});
