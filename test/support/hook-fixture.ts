// Git-hook test fixtures: repositories and pipelines for the hook tests, what the hook log says, and the store read
// directly while a test waits (a `pipe` process per look would load a machine the tests share).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ExecutionStore } from '../../src/execute/index.js';
import type { ExecutionSummary } from '../../src/execute/index.js';
import { openDatabase } from '../../src/infra/sqlite.js';
import { pipe } from './cli.js';
import type { PipeEnv } from './cli.js';
import { git, writeFiles } from './git-fixture.js';
import { waitUntil } from './pipe-process.js';

/** git with a committer, returning status and output rather than throwing (a hook may fail the command). */
export function gitRun(cwd: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function commit(repo: string, files: Record<string, string>, message: string): string {
  writeFiles(repo, files);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

/** A Source/Git of `repository` then a manual approval: cheap, no Docker, and it holds its stage (for the modes). */
export function pipelineText(o: { name: string; repository: string; mode?: string; branch?: string; triggers?: string }): string {
  return `name: ${o.name}
executionMode: ${o.mode ?? 'PARALLEL'}
${o.triggers ? `triggers:\n${o.triggers}` : ''}
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration:
          repository: ${o.repository}
${o.branch ? `          branch: ${o.branch}\n` : ''}        outputArtifacts: [Src]
  - name: Approve
    actions:
      - { name: Ok, type: Approval/Manual }
`;
}

export const EVERY_BRANCH_AND_TAG = `  - gitConfiguration:
      sourceActionName: Checkout
      push:
        - branches: { includes: ["**"] }
        - tags: { includes: ["**"] }
`;

export function hookLog(p: PipeEnv): string[] {
  const file = join(p.home, 'hooks', 'hook.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
}

/** Lines of the log that say what became of one update for one pipeline. */
export function outcomes(p: PipeEnv): string[] {
  return hookLog(p).filter((l) => /: pipeline \S+: (started execution|no trigger matches)|not started: /.test(l));
}

/** Waits until the hook has handled `n` (update, pipeline) pairs in all and nothing is left in the spool. */
export async function settled(p: PipeEnv, n: number): Promise<string[]> {
  const spool = join(p.home, 'hooks', 'spool');
  return waitUntil(`${n} hook outcomes in ${p.home}/hooks/hook.log`, () => {
    const done = outcomes(p);
    const idle = (!existsSync(spool) || readdirSync(spool).length === 0) && !existsSync(join(p.home, 'hooks', 'run.lock'));
    return idle && done.length >= n ? done : undefined;
  }, 60_000, 50);
}

/** Reads the store directly: a `pipe` process per look would load a machine the tests share. */
export function withStore<T>(p: PipeEnv, body: (store: ExecutionStore) => T): T {
  const db = openDatabase(join(p.home, 'state.db'));
  try {
    return body(new ExecutionStore(db));
  } finally {
    db.close();
  }
}

export function executions(p: PipeEnv): ExecutionSummary[] {
  return existsSync(join(p.home, 'state.db')) ? withStore(p, (s) => s.listExecutions({ limit: 1000 })) : [];
}

/**
 * The executions a hook started, in the order it started them (the hook log's; start times can tie within a
 * millisecond), as [ref, commit] of their trigger.
 */
export async function started(p: PipeEnv, pipeline?: string): Promise<Array<[string, string]>> {
  const order = hookLog(p).flatMap((l) => /started execution ([0-9a-f-]{36})/.exec(l)?.[1] ?? []);
  const list: ExecutionSummary[] = executions(p).filter((e) => e.trigger.triggerType === 'GitHook' && (!pipeline || e.pipeline === pipeline));
  expect(list.every((e) => order.includes(e.executionId))).toBe(true);
  list.sort((a, b) => order.indexOf(a.executionId) - order.indexOf(b.executionId));
  return list.map((e) => [e.trigger.gitHook?.ref ?? '', e.trigger.gitHook?.newCommit ?? '']);
}

export async function install(p: PipeEnv, repo: string, extra: string[] = []): Promise<string> {
  const r = await pipe(['hooks', 'install', '--repo', repo, ...extra], p);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return r.stdout;
}
