// The REPORT line's Max Memory Used is the environment's peak, read from its container's memory cgroup by the
// invoker: memory a handler's child process takes counts, as on Lambda, and the figure is there also when the
// runtime never reported one (an invocation that timed out: its environment is replaced, the REPORT still says).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDocker } from '../support/docker.js';
import { createDockerInvoker } from '../../src/registry/invoke/index.js';
import type { DockerInvoker } from '../../src/registry/invoke/index.js';
import { containersOf, decodeTail, makeTarget, makeZip, removeWorkDir, request } from './support.js';

describeDocker('Max Memory Used', () => {
  let invoker: DockerInvoker;
  beforeAll(async () => {
    invoker = await createDockerInvoker();
  });
  afterAll(async () => {
    await invoker.close();
    expect(await containersOf(invoker.invokerId)).toEqual([]);
    removeWorkDir();
  });

  const maxMemoryMb = (log: string): number => Number(/\tMax Memory Used: (\d+) MB\t/.exec(log)?.[1] ?? NaN);

  it('counts a child process of 150 MB, within the memory size; grows, never shrinks, across invocations', async () => {
    const code = makeZip({
      'index.js': `const { execFileSync } = require('node:child_process');
exports.handler = async (e) => {
  if (e.big) execFileSync('python3', ['-c', 'b = bytearray(150 * 1024 * 1024)\\nfor i in range(0, len(b), 4096): b[i] = 1']);
  if (e.hang) await new Promise(() => {});
  return 'ok';
};`,
    });
    const target = makeTarget({ codeZipPath: code, memorySize: 512, timeout: 3 });
    const small = decodeTail((await invoker.invoke(request(target, {}, { logType: 'Tail' }))).logResult);
    expect(maxMemoryMb(small)).toBeGreaterThan(5);
    expect(maxMemoryMb(small)).toBeLessThan(150);
    const big = await invoker.invoke(request(target, { big: true }, { logType: 'Tail' }));
    expect(big.payload.toString()).toBe('"ok"');
    const bigLog = decodeTail(big.logResult);
    expect(maxMemoryMb(bigLog)).toBeGreaterThanOrEqual(150);
    expect(maxMemoryMb(bigLog)).toBeLessThanOrEqual(512);
    const after = decodeTail((await invoker.invoke(request(target, {}, { logType: 'Tail' }))).logResult);
    expect(maxMemoryMb(after)).toBeGreaterThanOrEqual(maxMemoryMb(bigLog));
  });

  it('is read from the cgroup for an invocation that timed out', async () => {
    const code = makeZip({
      'index.js': `const { execFileSync } = require('node:child_process');
exports.handler = async () => {
  execFileSync('python3', ['-c', 'b = bytearray(100 * 1024 * 1024)\\nfor i in range(0, len(b), 4096): b[i] = 1']);
  await new Promise(() => {});
};`,
    });
    const target = makeTarget({ codeZipPath: code, memorySize: 256, timeout: 2 });
    const out = await invoker.invoke(request(target, {}, { logType: 'Tail' }));
    expect(out.functionError).toBe('Unhandled');
    const log = decodeTail(out.logResult);
    expect(log).toMatch(/	Status: timeout	\n$/);
    expect(maxMemoryMb(log)).toBeGreaterThanOrEqual(100);
  });

  it('is read from the cgroup for an init error, where the runtime reports nothing', async () => {
    const code = makeZip({
      'index.js': `require('node:child_process').execFileSync('python3', ['-c', 'b = bytearray(100 * 1024 * 1024)\\nfor i in range(0, len(b), 4096): b[i] = 1']);
throw new Error('no init for you');`,
    });
    const out = await invoker.invoke(request(makeTarget({ codeZipPath: code, memorySize: 256 }), {}, { logType: 'Tail' }));
    expect(out.functionError).toBe('Unhandled');
    const log = decodeTail(out.logResult);
    expect(log).toMatch(/\tStatus: error\t\n$/);
    expect(maxMemoryMb(log)).toBeGreaterThanOrEqual(100);
  });
});
