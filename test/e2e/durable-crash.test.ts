// Crashes: the sample pipeline (pipelines/deploy.yml, from a fresh clone) killed with SIGKILL at random moments,
// from before the execution is recorded to after it ended, in the foreground and as a detached worker. After each
// kill one `pipe executions` must leave no execution InProgress without a live owner, no container of this
// PIPE_HOME and no temporary file; and the next run succeeds. The moments come from a seeded generator
// (PIPE_CRASH_SEED=N repeats a run's moments); the seed and every moment are in each failure's message.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { INTERRUPTED_EXECUTION } from '../../src/execute/index.js';
import { REPO_ROOT, pipe } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { makeRepo } from '../support/git-fixture.js';
import { isolatedPipeEnv } from '../support/gated-repo.js';
import {
  endStrayPipes, executionDetail, executionList, homeContainers, leftoverTempFiles, startPipe, waitUntil, workerPids,
} from '../support/pipe-process.js';

/** mulberry32: a small seeded generator of numbers in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env['PIPE_CRASH_SEED'] ?? Date.now() % 1_000_000);
const random = seeded(SEED);

let clone: string;
let pipelineFile: string;
/** How long one whole run of the sample takes here: kills are spread over it (and a little past it). */
let runMs = 0;

const crashEnv = isolatedPipeEnv;

afterEach(endStrayPipes);
beforeAll(async () => {
  clone = mkdtempSync(join(tmpdir(), 'pipe-crash-clone-'));
  execFileSync('git', ['clone', '-q', REPO_ROOT, clone]);
  pipelineFile = join(clone, 'pipelines', 'deploy.yml');
  const warm = crashEnv();
  const started = Date.now();
  const r = await pipe(['run', pipelineFile], warm);
  runMs = Date.now() - started;
  expect(r.exitCode, r.stderr).toBe(0);
});

/** What must hold after a kill and one `pipe executions`; returns the killed execution's status, if it was recorded. */
async function checkAfterKill(env: PipeEnv & { tmp: string }, known: Set<string>, moment: string): Promise<string> {
  const list = await executionList(env);
  const fresh = list.filter((e) => !known.has(e.executionId));
  for (const e of fresh) known.add(e.executionId);
  const context = `${moment}; executions: ${JSON.stringify(list.map((e) => [e.executionId.slice(0, 8), e.status, e.statusMessage]))}`;
  expect(list.filter((e) => e.status === 'InProgress' || e.status === 'Stopping'), context).toEqual([]);
  expect(fresh.length, context).toBeLessThanOrEqual(1);
  const killed = fresh[0];
  if (killed) {
    if (killed.status === 'Failed') expect(killed.statusMessage, context).toBe(INTERRUPTED_EXECUTION);
    else expect(killed.status, context).toBe('Succeeded');
    const detail = await executionDetail(killed.executionId, env);
    expect(detail.actions.filter((a) => a.status === 'InProgress'), context).toEqual([]);
    expect(detail.stages.filter((s) => s.status === 'InProgress' || s.status === 'Stopping'), context).toEqual([]);
  }
  expect(await homeContainers(env), context).toEqual([]);
  expect([...leftoverTempFiles(env.artifacts), ...leftoverTempFiles(env.home), ...leftoverTempFiles(env.tmp)], context).toEqual([]);
  return killed ? killed.status : 'not recorded';
}

async function nextRunSucceeds(env: PipeEnv): Promise<void> {
  const r = await pipe(['run', pipelineFile], env);
  const said = `${r.stdout.slice(-4000)}\n${r.stderr}`;
  expect(r.stderr, said).toBe('');
  expect(r.exitCode, said).toBe(0);
  const id = /^Execution (\S+): Succeeded$/m.exec(r.stdout)?.[1] ?? '';
  expect(readdirSync(join(env.artifacts, 'hello-service', id)).sort()).toEqual(['FunctionCode.zip', 'LayerCode.zip', 'SourceOutput.zip', 'StackBundle.zip']);
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeDocker('SIGKILL at random moments', () => {
  // The sample deploys a stack with a canary and smoke-tests it (about 25 s a run here): ten moments spread over a
  // run reach every stage, and take minutes.
  it('10 moments of a foreground `pipe run` of the sample pipeline: the next command finishes what each left, and the next run succeeds', { timeout: 600_000 }, async () => {
    const env = crashEnv();
    const known = new Set<string>();
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      // Spread over the whole run and a little past it: before the execution is recorded, in the source, the build
      // container's start, the build, the artifact upload, the end.
      const at = Math.floor(random() * runMs * 1.1);
      const run = startPipe(['run', pipelineFile], env);
      await delay(at); // the kill's moment, chosen at random: nothing waits on it to be in a given state
      run.kill('SIGKILL');
      const end = await run.exited;
      const moment = `seed ${SEED}, kill ${i + 1} at ${at} ms of ${runMs} ms (exit ${end.exitCode ?? end.signal})`;
      outcomes.push(`${at}ms: ${await checkAfterKill(env, known, moment)}`);
    }
    // The moments reached the execution itself, not only the process's start.
    expect(outcomes.filter((o) => !o.endsWith('not recorded')).length, `seed ${SEED}: ${outcomes.join(', ')}`).toBeGreaterThan(5);
    await nextRunSucceeds(env);
  });

  it('6 moments of a detached run\'s worker, from its first instant: no execution is left InProgress without an owner', { timeout: 600_000 }, async () => {
    const env = crashEnv();
    const known = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const r = await pipe(['run', pipelineFile, '--detach'], env);
      expect(r.exitCode, r.stderr).toBe(0);
      const id = r.stdout.trim();
      const [worker] = await waitUntil(`the worker of ${id}`, () => {
        const pids = workerPids(id);
        return pids.length > 0 ? pids : undefined;
      }, 10_000, 5);
      // The first two die at once, before they can have taken the execution; the others at random moments.
      const at = i < 2 ? 0 : Math.floor(random() * runMs);
      await delay(at);
      try {
        process.kill(Number(worker), 'SIGKILL');
      } catch {
        // it had ended already
      }
      await waitUntil(`worker ${worker} to be gone`, () => workerPids(id).length === 0, 10_000, 20);
      await checkAfterKill(env, known, `seed ${SEED}, worker kill ${i + 1} at ${at} ms of ${runMs} ms`);
    }
    await nextRunSucceeds(env);
  });

  it('the worker `pipe approve` starts, killed at once: the next command starts another, and the approved execution succeeds', async () => {
    const repo = makeRepo({ 'buildspec.yml': 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo approved build\n' });
    writeFileSync(join(repo, 'pipeline.yml'), `name: approved
stages:
  - name: Source
    actions:
      - { name: Checkout, type: Source/Git, configuration: { repository: . }, outputArtifacts: [Src] }
  - name: Approval
    actions:
      - { name: Approve, type: Approval/Manual }
  - name: Build
    actions:
      - { name: Build, type: Build/CodeBuild, configuration: { buildspec: buildspec.yml }, inputArtifacts: [Src] }
`);
    const env = crashEnv();
    const r = await pipe(['run', join(repo, 'pipeline.yml'), '--detach'], env);
    const id = r.stdout.trim();
    await waitUntil('the execution to park', async () => (await executionDetail(id, env)).approvals[0]?.status === 'Waiting' && workerPids(id).length === 0);
    // The worker `pipe approve` starts kills itself before pipe's first line runs (a --require of NODE_OPTIONS, which
    // it inherits): "at once" is a fact, not a race against a loaded machine, where a kill from here could land
    // after the worker had started the build (and then the execution fails as interrupted, as it should).
    const dies = join(env.tmp, 'worker-dies.cjs');
    const died = join(env.tmp, 'worker-died');
    writeFileSync(dies, `if (process.argv.includes('worker')) { require('node:fs').writeFileSync(${JSON.stringify(died)}, String(process.pid)); process.kill(process.pid, 'SIGKILL'); }\n`);
    const approved = await pipe(['approve', id, 'Approval.Approve'], env, { NODE_OPTIONS: `--require ${dies}` });
    expect(approved.exitCode, approved.stderr).toBe(0);
    await waitUntil('the worker to have died', () => existsSync(died) && workerPids(id).length === 0, 10_000, 20);
    await executionList(env); // any command: it finds the execution approved, nobody running it
    const done = await waitUntil('the execution to end', async () => {
      const e = await executionDetail(id, env);
      return e.status === 'InProgress' ? undefined : e;
    }, 60_000, 200);
    expect(done.actions.map((a) => `${a.stage}.${a.action} ${a.status}`)).toEqual(['Source.Checkout Succeeded', 'Approval.Approve Succeeded', 'Build.Build Succeeded']);
    expect(done.status).toBe('Succeeded');
  });
});
