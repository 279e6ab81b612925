// Git-hook triggers and execution modes: a burst of commits with SUPERSEDED and QUEUED, each execution at its own
// commit; and `pipe run --source-revision`, the same exact-commit start by hand.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionDetail } from '../../src/execute/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { makePipeEnv, pipe } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';
import { git, makeRepo, writeFiles } from '../support/git-fixture.js';
import { endStrayPipes, executionDetail, waitUntil } from '../support/pipe-process.js';
import { commit, executions, install, pipelineText, settled, withStore } from '../support/hook-fixture.js';

afterEach(endStrayPipes);

describe('pipe hooks: a burst of commits', () => {
  async function burst(mode: string): Promise<{ p: PipeEnv; ids: string[]; commits: string[] }> {
    const p = makePipeEnv();
    const repo = makeRepo({ 'a.txt': '0\n' });
    writeFiles(repo, { 'pipelines/main.yml': pipelineText({ name: `burst-${mode.toLowerCase()}`, repository: '..', branch: 'main', mode }) });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'pipeline');
    await install(p, repo);
    const commits = [1, 2, 3].map((n) => commit(repo, { 'a.txt': `${n}\n` }, `commit ${n}`));
    await settled(p, 3);
    const list = executions(p).reverse();
    expect(list.map((e) => e.trigger.gitHook?.newCommit)).toEqual(commits);
    return { p, ids: list.map((e) => e.executionId), commits };
  }

  /** Read from the store directly: polling through four `pipe execution` processes would load the machine. */
  function statuses(p: PipeEnv, ids: string[]): string[] {
    return withStore(p, (store) => ids.map((id) => {
      const e = store.getExecution(id) as ExecutionDetail;
      const approve = e.stages.find((s) => s.stage === 'Approve');
      return `${e.status}${approve ? ` in Approve` : e.waitingFor ? ` waiting for ${e.waitingFor.stage}` : ''}`;
    }));
  }

  async function stopAll(p: PipeEnv, ids: string[]): Promise<void> {
    for (const id of ids) await pipe(['stop', id, '--abandon'], p);
  }

  it('SUPERSEDED: the first holds the approval, the newest waits in front of it, the one in between is Superseded', async () => {
    const { p, ids } = await burst('SUPERSEDED');
    const want = ['InProgress in Approve', 'Superseded', 'InProgress waiting for Approve'];
    try {
      await waitUntil('the burst to settle', () => {
        const now = statuses(p, ids);
        return JSON.stringify(now) === JSON.stringify(want) ? now : undefined;
      }, 40_000, 250);
      expect(statuses(p, ids)).toEqual(want);
    } finally {
      await stopAll(p, ids);
    }
  });

  it('QUEUED: all three wait, and go through the approval stage in the order of their commits', async () => {
    const { p, ids } = await burst('QUEUED');
    try {
      const want = ['InProgress in Approve', 'InProgress waiting for Approve', 'InProgress waiting for Approve'];
      await waitUntil('the queue to form', () => JSON.stringify(statuses(p, ids)) === JSON.stringify(want), 40_000, 250);
      const approved = await pipe(['approve', ids[0] ?? '', 'Approve.Ok'], p);
      expect(approved.exitCode).toBe(0);
      const next = ['Succeeded in Approve', 'InProgress in Approve', 'InProgress waiting for Approve'];
      await waitUntil('the second to enter', () => JSON.stringify(statuses(p, ids)) === JSON.stringify(next), 40_000, 250);
      expect(statuses(p, ids)).toEqual(next);
    } finally {
      await stopAll(p, ids);
    }
  });
});

describe('pipe run --source-revision', () => {
  it('runs the source action at the commit given, as StartPipelineExecution with sourceRevisions does', async () => {
    const p = makePipeEnv();
    const repo = makeRepo({ 'a.txt': '0\n' });
    const first = git(repo, 'rev-parse', 'HEAD');
    const file = join(repo, 'pipeline.yml');
    writeFileSync(file, pipelineText({ name: 'manual', repository: '.', branch: 'main' }));
    commit(repo, { 'a.txt': '1\n' }, 'newer');
    const r = await pipe(['run', file, '--detach', '--source-revision', `Checkout=${first.slice(0, 10)}`], p);
    expect(r.exitCode).toBe(0);
    const id = r.stdout.trim();
    const source = await waitUntil('the source action', () => withStore(p, (st) => st.getExecution(id))?.actions.find((a) => a.action === 'Checkout' && a.status === 'Succeeded'));
    expect(source.outputVariables['CommitId']).toBe(first);
    const e = await executionDetail(id, p); // through the CLI's --json
    expect(e.trigger).toEqual({
      triggerType: 'StartPipelineExecution',
      triggerDetail: `pipe run --detach ${file}`,
      sourceRevisions: [{ actionName: 'Checkout', revisionType: 'COMMIT_ID', revisionValue: first.slice(0, 10) }],
    });
    expect((await pipe(['execution', id], p)).stdout).toContain(`           source revision Checkout=${first.slice(0, 10)}\n`);
    const bad = await pipe(['run', file, '--source-revision', 'Nope=HEAD'], p);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe("error: pipeline manual has no Source/Git action 'Nope'\nhint: source actions: Checkout; --source-revision takes ACTION=COMMIT");
  });
});
