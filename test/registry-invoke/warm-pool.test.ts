// The warm pool with real containers: reuse, concurrency and 429s, idle stop, retirement, leftovers, cleanup.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDocker, TEST_IMAGE } from '../support/docker.js';
import { LABELS } from '../../src/core/index.js';
import { createDockerInvoker, ENVIRONMENT_ROLE, TooManyRequestsError } from '../../src/registry/invoke/index.js';
import type { DockerInvoker } from '../../src/registry/invoke/index.js';
import { RegistryError } from '../../src/registry/errors.js';
import { containersOf, engine, json, makeTarget, makeZip, removeWorkDir, request, runningContainersOf } from './support.js';

const BOOT_ID_HANDLER = `const boot = Math.random().toString(36).slice(2); let count = 0;
exports.handler = async (event) => {
  count += 1;
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  return { boot, count };
};`;

interface Boot {
  boot: string;
  count: number;
}

describeDocker('warm pool', () => {
  let invoker: DockerInvoker;
  beforeAll(async () => {
    invoker = await createDockerInvoker({ defaultConcurrency: 3, idleTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await invoker.close();
    expect(await containersOf(invoker.invokerId)).toEqual([]);
    removeWorkDir();
  });

  it('serves consecutive invocations from the same warm environment', async () => {
    const target = makeTarget({ codeZipPath: makeZip({ 'index.js': BOOT_ID_HANDLER }) });
    const a = json((await invoker.invoke(request(target))).payload) as Boot;
    const b = json((await invoker.invoke(request(target))).payload) as Boot;
    expect(b.boot).toBe(a.boot);
    expect(b.count).toBe(a.count + 1);
    expect(invoker.environmentContainers(target.functionArn)).toHaveLength(1);
  });

  it('gives concurrent invocations their own environments, up to the default concurrency, then throttles', async () => {
    const target = makeTarget({ codeZipPath: makeZip({ 'index.js': BOOT_ID_HANDLER }) });
    // invoke() takes its slot before its first await: the three hold all of them from here on.
    const running = [0, 1, 2].map(() => invoker.invoke(request(target, { sleepMs: 1500 })));
    const error = await invoker.invoke(request(target)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyRequestsError);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({
      errorName: 'TooManyRequestsException',
      status: 429,
      reason: 'ConcurrentInvocationLimitExceeded',
      message: 'Rate Exceeded.',
      headers: { 'Retry-After': '1' },
    });
    expect((error as RegistryError).toBody()).toEqual({ Type: 'User', message: 'Rate Exceeded.', Reason: 'ConcurrentInvocationLimitExceeded' });
    const boots = (await Promise.all(running)).map((r) => (json(r.payload) as Boot).boot);
    expect(new Set(boots).size).toBe(3);
    expect(invoker.environmentContainers(target.functionArn)).toHaveLength(3);
    // Capacity is back once they are done.
    const again = await invoker.invoke(request(target));
    expect(boots).toContain((json(again.payload) as Boot).boot);
  });

  it('applies reserved concurrency per function, 0 throttling everything', async () => {
    const one = makeTarget({ codeZipPath: makeZip({ 'index.js': BOOT_ID_HANDLER }), reservedConcurrency: 1 });
    const first = invoker.invoke(request(one, { sleepMs: 800 })); // holds the one slot from here on
    await expect(invoker.invoke(request(one))).rejects.toMatchObject({
      name: 'TooManyRequestsError',
      reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      limit: 1,
    });
    expect((await first).functionError).toBeUndefined();

    const zero = makeTarget({ codeZipPath: makeZip({ 'index.js': BOOT_ID_HANDLER }), reservedConcurrency: 0 });
    await expect(invoker.invoke(request(zero))).rejects.toBeInstanceOf(TooManyRequestsError);
    expect(invoker.environmentContainers(zero.functionArn)).toHaveLength(0);
  });

  it('retires the environments of a function, and of one version only', async () => {
    const zip = makeZip({ 'index.js': BOOT_ID_HANDLER });
    const latest = makeTarget({ codeZipPath: zip });
    const v1 = { ...latest, version: '1', revisionId: 'r-v1' };
    await invoker.invoke(request(latest));
    const [latestContainer] = invoker.environmentContainers(latest.functionArn);
    await invoker.invoke(request(v1));
    expect(invoker.environmentContainers(latest.functionArn)).toHaveLength(2);
    await invoker.retire(latest.functionArn, '1');
    expect(invoker.environmentContainers(latest.functionArn)).toHaveLength(1);
    expect(invoker.environmentContainers(latest.functionArn)).toContain(latestContainer);
    await invoker.retire(latest.functionArn);
    expect(invoker.environmentContainers(latest.functionArn)).toHaveLength(0);
    expect(await engine.listContainers({ 'dev.pipe.function-arn': latest.functionArn })).toEqual([]);
  });

  it('lets an invocation in flight finish when its function is retired, then stops the environment', async () => {
    const target = makeTarget({ codeZipPath: makeZip({ 'index.js': BOOT_ID_HANDLER }) });
    await invoker.invoke(request(target));
    let done = false;
    const inFlight = invoker.invoke(request(target, { sleepMs: 1000 })).finally(() => (done = true)); // holds the warm environment
    await invoker.retire(target.functionArn);
    expect(done).toBe(false);
    const result = await inFlight;
    expect(result.functionError).toBeUndefined();
    expect(json(result.payload)).toMatchObject({ count: 2 }); // it ran in the warm environment, to its end
    await expect.poll(() => invoker.environmentContainers(target.functionArn).length).toBe(0);
  });

  it('does not reuse environments of an older revision, and stops them', async () => {
    const target = makeTarget({ codeZipPath: makeZip({ 'index.js': BOOT_ID_HANDLER }) });
    const before = json((await invoker.invoke(request(target))).payload) as Boot;
    const updated = { ...target, revisionId: 'changed', environment: { CHANGED: '1' } };
    const after = json((await invoker.invoke(request(updated))).payload) as Boot;
    expect(after.boot).not.toBe(before.boot);
    await expect.poll(() => invoker.environmentContainers(target.functionArn).length).toBe(1);
  });
});

describeDocker('warm pool lifetime', () => {
  it('stops environments left idle past the idle timeout', async () => {
    const invoker = await createDockerInvoker({ idleTimeoutMs: 300 });
    try {
      const target = makeTarget({ codeZipPath: makeZip({ 'index.js': BOOT_ID_HANDLER }) });
      await invoker.invoke(request(target));
      expect(invoker.environmentContainers(target.functionArn)).toHaveLength(1);
      await expect.poll(() => invoker.environmentContainers(target.functionArn).length, { timeout: 5000 }).toBe(0);
      expect(await containersOf(invoker.invokerId)).toEqual([]);
    } finally {
      await invoker.close();
    }
  });

  it('keeps at most maxEnvironments alive, stopping the least recently used idle one, and throttles when all are busy', async () => {
    const invoker = await createDockerInvoker({ maxEnvironments: 2 });
    try {
      const [a, b, c] = [0, 1, 2].map(() => makeTarget({ codeZipPath: makeZip({ 'index.js': BOOT_ID_HANDLER }) }));
      if (!a || !b || !c) throw new Error('three targets expected');
      await invoker.invoke(request(a));
      await invoker.invoke(request(b));
      await invoker.invoke(request(a));
      await invoker.invoke(request(c));
      await expect.poll(() => invoker.environmentContainers(b.functionArn).length).toBe(0);
      expect(invoker.environmentContainers(a.functionArn)).toHaveLength(1);
      expect(invoker.environmentContainers(c.functionArn)).toHaveLength(1);
      const busy = [invoker.invoke(request(a, { sleepMs: 800 })), invoker.invoke(request(c, { sleepMs: 800 }))]; // both busy from here on
      await expect(invoker.invoke(request(b))).rejects.toMatchObject({ name: 'TooManyRequestsError', reason: 'ConcurrentInvocationLimitExceeded' });
      await Promise.all(busy);
    } finally {
      await invoker.close();
    }
  });

  it('removes containers a previous registry process left behind, and only those', async () => {
    // A pid that surely belongs to no live process: one that just ran and exited.
    const deadPid = spawnSync('true').pid;
    const leftover = await engine.createContainer({
      image: TEST_IMAGE,
      labels: { [LABELS.role]: ENVIRONMENT_ROLE, [LABELS.ownerPid]: String(deadPid) },
      cmd: ['sleep', '60'],
    });
    const alive = await engine.createContainer({
      image: TEST_IMAGE,
      labels: { [LABELS.role]: ENVIRONMENT_ROLE, [LABELS.ownerPid]: String(process.ppid) },
      cmd: ['sleep', '60'],
    });
    try {
      const invoker = await createDockerInvoker();
      await invoker.close();
      const remaining = await engine.listContainers({ [LABELS.home]: engine.home, [LABELS.role]: ENVIRONMENT_ROLE });
      expect(remaining).not.toContain(leftover.id);
      expect(remaining).toContain(alive.id);
    } finally {
      await leftover.remove();
      await alive.remove();
    }
  });

  describe('close', () => {
    it('ends a cold start in progress at once, without waiting for the init, and answers Sandbox.Failure', async () => {
      const invoker = await createDockerInvoker();
      // An init that takes 20 s: the runtime is surely still in it once its container runs.
      const slowInit = `const until = Date.now() + 20000; while (Date.now() < until) {}\n${BOOT_ID_HANDLER}`;
      const target = makeTarget({ codeZipPath: makeZip({ 'index.js': slowInit }), timeout: 30 });
      const pending = invoker.invoke(request(target));
      await expect.poll(() => runningContainersOf(invoker.invokerId), { timeout: 30_000, interval: 50 }).toHaveLength(1);
      const closing = Date.now();
      await invoker.close();
      const result = await pending;
      expect(Date.now() - closing).toBeLessThan(15_000); // not the 20 s init, nor the init budget
      expect(result.functionError).toBe('Unhandled');
      expect(json(result.payload)).toEqual({
        errorType: 'Sandbox.Failure',
        errorMessage: expect.stringMatching(/^RequestId: [0-9a-f-]{36} Error: the environment was stopped while starting$/),
      });
      expect(await containersOf(invoker.invokerId)).toEqual([]);
    });

    it('stops every environment and removes every container, busy ones included', async () => {
      const invoker = await createDockerInvoker();
      const target = makeTarget({ codeZipPath: makeZip({ 'index.js': BOOT_ID_HANDLER }) });
      await invoker.invoke(request(target));
      const busy = invoker.invoke(request(target, { sleepMs: 5000 })); // holds the warm environment from here on
      expect(await containersOf(invoker.invokerId)).toHaveLength(1);
      await invoker.close();
      const result = await busy;
      expect(result.functionError).toBe('Unhandled');
      expect(await containersOf(invoker.invokerId)).toEqual([]);
    });
  });
});
