// Signals to a foreground `pipe run`, and to a detached run's worker: SIGTERM, SIGINT and SIGHUP at any moment (while
// git archives a large repository, while a build runs, before the run has fully started, a second Ctrl-C during the
// clean-up) leave the execution Stopped with its containers and temporary files removed, and pipe exits 1: never
// killed half-way by the signal once an execution is recorded. Builds wait at gates the test never opens.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { LABELS } from '../../src/core/index.js';
import { pipe } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { startGates } from '../support/gate.js';
import type { Gates } from '../support/gate.js';
import { git, makeRepo, writeFiles } from '../support/git-fixture.js';
import { gatedPipelineFiles, isolatedPipeEnv } from '../support/gated-repo.js';
import {
  catchesSignal, endStrayPipes, executionDetail, executionIdOf, executionList, homeContainers, leftoverTempFiles, startPipe, waitForEnd,
  waitUntil, workerPids,
} from '../support/pipe-process.js';
import type { Ended, PipeProcess } from '../support/pipe-process.js';

let gates: Gates;
/** A small repository whose build waits at gate `never`; a large one (60 MB of random bytes) git takes seconds to zip. */
let small: string;
let large: string;

beforeAll(async () => {
  gates = await startGates();
  const files = gatedPipelineFiles(gates, { name: 'signals', defaultGate: 'never' });
  small = makeRepo(files);
  large = mkdtempSync(join(tmpdir(), 'pipe-large-repo-'));
  git(large, 'init', '-q', '-b', 'main');
  mkdirSync(join(large, 'data'));
  for (let i = 0; i < 30; i++) writeFileSync(join(large, 'data', `blob-${i}.bin`), randomBytes(2_000_000));
  writeFiles(large, files);
  execFileSync('git', ['-c', 'core.looseCompression=0', 'add', '-A'], { cwd: large });
  git(large, 'commit', '-q', '-m', 'large');
});
afterAll(() => gates.close());
afterEach(endStrayPipes);

const signalEnv = isolatedPipeEnv;

const run = (repo: string, env: PipeEnv, ownGroup = false) => startPipe(['run', join(repo, 'pipeline.yml')], env, { ownGroup });

/** What a stopped run must leave: exit 1, the execution Stopped by the signal, no container, no temp file. */
async function expectStopped(end: Ended, id: string, env: PipeEnv & { tmp: string }, signal: string): Promise<void> {
  expect(end.signal, end.stderr).toBeNull();
  expect(end.exitCode, end.stderr).toBe(1);
  expect(end.stderr).toBe('');
  expect(end.stdout.match(/^Execution \S+: (Stopped|Stopping|Succeeded|Failed)\b.*$/gm)?.at(-1)).toBe(`Execution ${id}: Stopped (stopped by ${signal})`);
  const e = await executionDetail(id, env);
  expect([e.status, e.statusMessage]).toEqual(['Stopped', `stopped by ${signal}`]);
  expect(e.actions.filter((a) => a.status === 'InProgress')).toEqual([]);
  expect(await homeContainers(env)).toEqual([]);
  expect([...leftoverTempFiles(env.artifacts), ...leftoverTempFiles(env.tmp)]).toEqual([]);
}

/** The half-written zip `git archive` is writing now, if any. */
function zipBeingWritten(env: PipeEnv, id: string): string | undefined {
  try {
    return readdirSync(join(env.artifacts, 'signals', id)).find((n) => n.endsWith('.tmp'));
  } catch {
    return undefined;
  }
}

/** Pids of git processes whose command line names this execution's artifact folder. */
function gitProcessesOf(id: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('git') && argv.some((a) => a.includes(id))) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function stopDuringGit(group: boolean): Promise<void> {
  const env = signalEnv();
  const p = run(large, env, group);
  const id = await executionIdOf(p);
  await waitUntil('git archive to be writing the source zip', () => zipBeingWritten(env, id), 60_000, 10);
  p.kill('SIGTERM', { group });
  const end = await p.exited;
  await expectStopped(end, id, env, 'SIGTERM');
  const e = await executionDetail(id, env);
  expect(e.actions.map((a) => `${a.action} ${a.status}`)).toEqual(['Checkout Abandoned']);
  expect(gitProcessesOf(id)).toEqual([]); // no git left writing into the artifact store
  // Abandoned means now: git is not waited for, and the abandoned action leaves no zip, whole or half-written.
  expect(readdirSync(join(env.artifacts, 'signals', id))).toEqual([]);
}

/** Starts a run of the small repository and waits until its build runs (its container is up, on its way to the gate). */
async function runningBuild(env: PipeEnv): Promise<{ p: PipeProcess; id: string }> {
  const p = run(small, env);
  const id = await executionIdOf(p);
  await p.waitForOutput(/^\[Build\.Build\] build at gate never$/m);
  expect(await homeContainers(env, { [LABELS.executionId]: id })).toHaveLength(1);
  return { p, id };
}

describeDocker('signals to pipe run and its worker', () => {
  it('SIGTERM to pipe while git archives a large repository: Stopped, exit 1, no half-written zip left', () => stopDuringGit(false));

  it('SIGTERM to the whole process group (git too) while git archives: Stopped, exit 1, no half-written zip left', () => stopDuringGit(true));

  it('SIGHUP while a build runs (the terminal went away): Stopped, exit 1, the build container removed', async () => {
    const env = signalEnv();
    const { p, id } = await runningBuild(env);
    p.kill('SIGHUP');
    await expectStopped(await p.exited, id, env, 'SIGHUP');
    expect((await executionDetail(id, env)).actions.map((a) => `${a.action} ${a.status}`)).toEqual(['Checkout Succeeded', 'Build Abandoned']);
  });

  it('a second Ctrl-C while the first one cleans up does not cut the clean-up short: Stopped, exit 1, the container removed', async () => {
    const env = signalEnv();
    const { p, id } = await runningBuild(env);
    p.kill('SIGINT');
    await p.waitForOutput(/^Execution \S+: Stopping/m);
    p.kill('SIGINT');
    const end = await p.exited;
    await expectStopped(end, id, env, 'SIGINT');
    expect(end.stdout.match(/^Execution \S+: Stopped/gm)).toHaveLength(1);
  });

  it('SIGTERM to the background worker of a detached run: Stopped, the build container removed, the worker gone', async () => {
    const env = signalEnv();
    const r = await pipe(['run', join(small, 'pipeline.yml'), '--detach'], env);
    const id = r.stdout.trim();
    await waitUntil('the build to run', async () => (await pipe(['logs', id, 'Build.Build'], env)).stdout.includes('build at gate never'));
    const [worker] = workerPids(id);
    expect(worker).toBeGreaterThan(0);
    process.kill(Number(worker), 'SIGTERM');
    const e = await waitForEnd(id, env);
    expect([e.status, e.statusMessage]).toEqual(['Stopped', 'stopped by SIGTERM']);
    await waitUntil('the worker to exit', () => workerPids(id).length === 0);
    expect(await homeContainers(env)).toEqual([]);
    expect([...leftoverTempFiles(env.artifacts), ...leftoverTempFiles(env.tmp)]).toEqual([]);
  });

  it('a signal before the run has fully started (at its first line, at seeded random moments of its start): always recorded, Stopped, exit 1', async () => {
    const env = signalEnv();
    const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
    const seed = Number(process.env['PIPE_SIGNAL_SEED'] ?? Date.now() % 1_000_000);
    let state = seed;
    const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
    const ids = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const signal = signals[i % 3] ?? 'SIGTERM';
      const p = run(small, env);
      // Three at the first line the run prints (the execution is recorded, its source not yet run), the others at a
      // random moment of the process's first second once pipe's launcher listens (node itself catches SIGINT and
      // SIGTERM only to die; SIGHUP is caught once the launcher's first line ran): loading the CLI, opening the
      // state, checking the pipeline.
      const at = i < 3 ? 'first line' : `${Math.floor(random() * 1000)} ms`;
      if (i < 3) await p.waitForOutput(/^Execution \S+ of signals: InProgress$/m);
      else {
        await waitUntil('pipe to catch stop signals', () => catchesSignal(p.pid, 'SIGHUP'), 10_000, 1);
        await new Promise((r) => setTimeout(r, Number.parseInt(at, 10))); // the signal's moment, chosen at random
      }
      p.kill(signal);
      const end = await p.exited;
      const context = `seed ${seed}, ${signal} at ${at}: exit ${end.exitCode ?? end.signal}; stdout:\n${end.stdout}\nstderr:\n${end.stderr}`;
      const id = /^Execution (\S+) of signals/m.exec(end.stdout)?.[1];
      expect(id, context).toBeDefined();
      ids.add(id ?? '');
      expect(end.signal, context).toBeNull();
      expect(end.exitCode, context).toBe(1);
      const e = await executionDetail(id ?? '', env);
      expect([e.status, e.statusMessage], context).toEqual(['Stopped', `stopped by ${signal}`]);
      const list = await executionList(env);
      expect(list.filter((x) => x.status === 'InProgress' || x.status === 'Stopping'), context).toEqual([]);
      expect(list.length, context).toBe(ids.size);
      expect(await homeContainers(env), context).toEqual([]);
      expect([...leftoverTempFiles(env.artifacts), ...leftoverTempFiles(env.tmp)], context).toEqual([]);
    }
  });
});
