// One contract, two Invokers: the EchoInvoker fake behind the registry's control-plane tests and the real Docker
// invoker run the same cases (payload, request id, function error body, Tail log, throttling), so they cannot drift.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvokeTarget, Invoker } from '../../src/registry/index.js';
import { createDockerInvoker } from '../../src/registry/invoke/index.js';
import { EchoInvoker } from '../registry/support.js';
import { describeDocker } from '../support/docker.js';
import { containersOf, decodeTail, makeTarget, makeZip, removeWorkDir, request } from './support.js';

/** The function both sides run: the real one as code, the fake by its script. */
const HANDLER = 'exports.handler = async (e) => { if (e.fail) throw new Error(e.fail); return e; };';

function contract(name: string, open: () => Promise<{ invoker: Invoker; target: (o?: Partial<InvokeTarget>) => InvokeTarget; close: () => Promise<void> }>): void {
  let invoker: Invoker;
  let target: (o?: Partial<InvokeTarget>) => InvokeTarget;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ invoker, target, close } = await open());
  });
  afterAll(async () => close());

  it(`${name}: answers the payload with 200, the executed version and the request id it was given`, async () => {
    const t = target({ version: '3' });
    const requestId = randomUUID();
    const out = await invoker.invoke(request(t, { a: [1, 'x'] }, { requestId }));
    expect(out).toEqual({ statusCode: 200, payload: Buffer.from('{"a":[1,"x"]}'), executedVersion: '3', requestId });
    const fresh = await invoker.invoke(request(t, {}));
    expect(fresh.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it(`${name}: a handler error is 200 Unhandled with the Node.js runtime's body`, async () => {
    const out = await invoker.invoke(request(target(), { fail: 'bad' }));
    expect(out.functionError).toBe('Unhandled');
    const body = JSON.parse(out.payload.toString()) as { errorType: string; errorMessage: string; trace: string[] };
    expect(Object.keys(body).sort()).toEqual(['errorMessage', 'errorType', 'trace']);
    expect({ errorType: body.errorType, errorMessage: body.errorMessage, first: body.trace[0] }).toEqual({ errorType: 'Error', errorMessage: 'bad', first: 'Error: bad' });
  });

  it(`${name}: the Tail log is START, END and REPORT of this request`, async () => {
    const t = target({ memorySize: 256 });
    const out = await invoker.invoke(request(t, {}, { logType: 'Tail' }));
    const id = out.requestId;
    expect(decodeTail(out.logResult)).toMatch(
      new RegExp(`START RequestId: ${id} Version: \\$LATEST\\n(.*\\n)*END RequestId: ${id}\\nREPORT RequestId: ${id}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 256 MB\\tMax Memory Used: \\d+ MB\\t`),
    );
    expect((await invoker.invoke(request(t, {}))).logResult).toBeUndefined();
  });

  it(`${name}: past the reserved concurrency in flight, TooManyRequestsException; free again once done`, async () => {
    const t = target({ reservedConcurrency: 1 });
    const first = invoker.invoke(request(t, {}));
    const second = invoker.invoke(request(t, {}));
    await expect(second).rejects.toMatchObject({
      errorName: 'TooManyRequestsException', status: 429, message: 'Rate Exceeded.',
      fields: { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' }, headers: { 'Retry-After': '1' },
    });
    expect((await first).statusCode).toBe(200);
    expect((await invoker.invoke(request(t, {}))).statusCode).toBe(200);
  });
}

describe('EchoInvoker', () => {
  contract('fake', async () => ({
    invoker: new EchoInvoker(),
    target: (o = {}) => makeTarget({ codeZipPath: '/nowhere.zip', ...o }),
    close: async () => {},
  }));
});

describeDocker('DockerInvoker', () => {
  contract('docker', async () => {
    const invoker = await createDockerInvoker();
    const code = makeZip({ 'index.js': HANDLER });
    return {
      invoker,
      target: (o = {}) => makeTarget({ codeZipPath: code, ...o }),
      close: async () => {
        await invoker.close();
        expect(await containersOf(invoker.invokerId)).toEqual([]);
        removeWorkDir();
      },
    };
  });
});
