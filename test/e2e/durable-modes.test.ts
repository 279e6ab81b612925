// Execution modes across real processes: three `pipe run` of one pipeline on one PIPE_HOME, each build waiting at a
// gate of its own, so the test decides who goes on when. SUPERSEDED: the middle execution, waiting in front of the
// locked stage, is replaced by the newest and ends Superseded; QUEUED: all three go through the stage one by one in
// arrival order; PARALLEL: no stage is locked.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { INTERRUPTED_ACTION, INTERRUPTED_EXECUTION } from '../../src/execute/index.js';
import type { ExecutionDetail } from '../../src/execute/index.js';
import { makePipeEnv, pipe } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { startGates } from '../support/gate.js';
import type { Gates } from '../support/gate.js';
import { gatedRepo } from '../support/gated-repo.js';
import { endStrayPipes, executionDetail, executionIdOf, homeContainers, startPipe, waitUntil } from '../support/pipe-process.js';
import type { PipeProcess } from '../support/pipe-process.js';

let gates: Gates;
beforeAll(async () => {
  gates = await startGates();
});
afterAll(() => gates.close());
afterEach(endStrayPipes);

/** A repository whose pipeline (in `mode`) builds once, waiting at the gate its `Gate` variable names. */
const modesRepo = (mode: string) => gatedRepo(gates, { name: 'modes', executionMode: mode, defaultGate: 'none' });

interface Run {
  gate: string;
  process: PipeProcess;
  id: string;
}

async function start(repo: string, env: PipeEnv, gate: string): Promise<Run> {
  const process = startPipe(['run', join(repo, 'pipeline.yml'), '--variable', `Gate=${gate}`], env);
  return { gate, process, id: await executionIdOf(process) };
}

const waitingInFront = (run: Run, env: PipeEnv, stage: string) =>
  waitUntil(`execution ${run.id} (gate ${run.gate}) to wait in front of ${stage}`, async () => {
    const e = await executionDetail(run.id, env);
    return e.waitingFor?.stage === stage ? e : undefined;
  });

const buildOf = (e: ExecutionDetail) => e.actions.find((a) => a.stage === 'Build' && a.action === 'Build');

describeDocker('execution modes across pipe processes', () => {
  it('SUPERSEDED: the execution waiting in front of a locked stage is replaced by a newer one and ends Superseded', async () => {
    const repo = modesRepo('SUPERSEDED');
    const env = makePipeEnv();
    const a = await start(repo, env, 'sup-a');
    await gates.waitForHit('sup-a'); // A's build runs: A holds the Build stage
    const b = await start(repo, env, 'sup-b');
    const waitingB = await waitingInFront(b, env, 'Build');
    expect(waitingB.waitingFor?.reason).toBe(`stage Build is locked by execution ${a.id}`);
    expect(waitingB.status).toBe('InProgress');

    const c = await start(repo, env, 'sup-c');
    // C's arrival in front of Build replaces B, while A still holds the stage.
    const endB = await b.process.exited;
    expect(endB.exitCode).toBe(1);
    expect(endB.stdout).toContain(`Execution ${b.id}: Superseded`);
    await waitingInFront(c, env, 'Build');
    expect(gates.hits('sup-c')).toBe(0);

    gates.open('sup-a');
    expect((await a.process.exited).exitCode).toBe(0);
    await gates.waitForHit('sup-c'); // the lock went to the newest waiter
    gates.open('sup-c');
    const endC = await c.process.exited;
    expect(endC.exitCode).toBe(0);
    expect(endC.stdout).toContain(`Execution ${c.id}: Succeeded`);

    const [da, db, dc] = await Promise.all([a, b, c].map((r) => executionDetail(r.id, env)));
    expect([da?.status, db?.status, dc?.status]).toEqual(['Succeeded', 'Superseded', 'Succeeded']);
    // B never entered Build: its build never ran, and it left no lock or wait behind.
    expect(db?.stages.map((s) => `${s.stage} ${s.status}`)).toEqual(['Source Succeeded']);
    expect(db?.actions.map((x) => x.action)).toEqual(['Checkout']);
    expect(db?.waitingFor).toBeUndefined();
    expect(gates.hits('sup-b')).toBe(0);
    // C's build started only once A's had ended.
    expect(Date.parse(String(buildOf(dc as ExecutionDetail)?.startTime))).toBeGreaterThanOrEqual(Date.parse(String(buildOf(da as ExecutionDetail)?.endTime)));
    expect(await homeContainers(env)).toEqual([]);
  });

  it('QUEUED: executions waiting in front of a locked stage all go through it, one at a time, in arrival order', async () => {
    const repo = modesRepo('QUEUED');
    const env = makePipeEnv();
    const a = await start(repo, env, 'q-a');
    await gates.waitForHit('q-a');
    const b = await start(repo, env, 'q-b');
    await waitingInFront(b, env, 'Build');
    const c = await start(repo, env, 'q-c');
    const waitingC = await waitingInFront(c, env, 'Build');
    expect(waitingC.status).toBe('InProgress');
    expect((await executionDetail(b.id, env)).status).toBe('InProgress'); // not superseded

    gates.open('q-a');
    expect((await a.process.exited).exitCode).toBe(0);
    await gates.waitForHit('q-b'); // B arrived first: it enters first
    const stillWaiting = await executionDetail(c.id, env);
    expect(stillWaiting.waitingFor).toMatchObject({ stage: 'Build', reason: `stage Build is locked by execution ${b.id}` });
    expect(gates.hits('q-c')).toBe(0);

    gates.open('q-b');
    expect((await b.process.exited).exitCode).toBe(0);
    await gates.waitForHit('q-c');
    gates.open('q-c');
    expect((await c.process.exited).exitCode).toBe(0);

    const details = await Promise.all([a, b, c].map((r) => executionDetail(r.id, env)));
    expect(details.map((d) => d.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    expect(details.map((d) => d.executionMode)).toEqual(['QUEUED', 'QUEUED', 'QUEUED']);
    // One build at a time: each started once the one before it had ended.
    const builds = details.map((d) => buildOf(d));
    for (let i = 1; i < builds.length; i++) {
      expect(Date.parse(String(builds[i]?.startTime))).toBeGreaterThanOrEqual(Date.parse(String(builds[i - 1]?.endTime)));
    }
    expect(await homeContainers(env)).toEqual([]);
  });

  it('a lock holder killed with SIGKILL does not block the stage: the execution waiting in front of it goes in, with no other command run', async () => {
    const repo = modesRepo('QUEUED');
    const env = makePipeEnv();
    const a = await start(repo, env, 'dead-a');
    await gates.waitForHit('dead-a');
    const b = await start(repo, env, 'dead-b');
    await waitingInFront(b, env, 'Build');
    a.process.kill('SIGKILL');
    expect((await a.process.exited).signal).toBe('SIGKILL');
    // B's own process notices that the holder died, finishes it as the next command would, and enters.
    await gates.waitForHit('dead-b', 30_000);
    gates.open('dead-b');
    const endB = await b.process.exited;
    expect(endB.exitCode).toBe(0);
    expect(endB.stdout).not.toContain(`Execution ${a.id}:`); // B's output shows B's events only
    const da = await executionDetail(a.id, env);
    expect([da.status, da.statusMessage]).toEqual(['Failed', INTERRUPTED_EXECUTION]);
    expect(buildOf(da)).toMatchObject({ status: 'Failed', statusMessage: INTERRUPTED_ACTION });
    expect(await homeContainers(env)).toEqual([]);
  });

  it('SUPERSEDED with a disabled transition: arrivals wait in front of it, the newest replaces the one waiting, and enabling it lets the newest in', async () => {
    const repo = modesRepo('SUPERSEDED');
    const env = makePipeEnv();
    const file = join(repo, 'pipeline.yml');
    expect((await pipe(['transition', 'disable', file, 'Build', '--reason', 'release freeze'], env)).exitCode).toBe(0);
    const a = await start(repo, env, 'tr-a');
    const held = await waitingInFront(a, env, 'Build');
    expect(held.waitingFor?.reason).toBe('the transition into Build is disabled: release freeze');
    const b = await start(repo, env, 'tr-b');
    const endA = await a.process.exited; // B's arrival replaces A in front of the disabled transition
    expect(endA.exitCode).toBe(1);
    expect(endA.stdout).toContain(`Execution ${a.id}: Superseded`);
    await waitingInFront(b, env, 'Build');
    gates.open('tr-b');
    expect((await pipe(['transition', 'enable', 'modes', 'Build'], env)).exitCode).toBe(0); // by the pipeline's name
    expect((await b.process.exited).exitCode).toBe(0);
    expect(gates.hits('tr-a')).toBe(0);
    expect((await executionDetail(a.id, env)).stages.map((s) => s.stage)).toEqual(['Source']);
  });

  it('PARALLEL: no stage is locked; three builds run at once and each execution ends on its own', async () => {
    const repo = modesRepo('PARALLEL');
    const env = makePipeEnv();
    const runs = [await start(repo, env, 'p-a'), await start(repo, env, 'p-b'), await start(repo, env, 'p-c')];
    // All three builds wait at their gates at the same time: none waits for another's stage.
    await Promise.all(runs.map((r) => gates.waitForHit(r.gate)));
    expect(await homeContainers(env)).toHaveLength(3);
    for (const r of [...runs].reverse()) {
      gates.open(r.gate);
      expect((await r.process.exited).exitCode).toBe(0); // the last one started ends first
    }
    const details = await Promise.all(runs.map((r) => executionDetail(r.id, env)));
    expect(details.map((d) => `${d.executionMode} ${d.status}`)).toEqual(['PARALLEL Succeeded', 'PARALLEL Succeeded', 'PARALLEL Succeeded']);
  });
});
