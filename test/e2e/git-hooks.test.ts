// Git-hook triggers end to end: real repositories in temp dirs, `pipe hooks install` (the bundle), real git
// commands firing the installed hook, and the executions it started read back from the store. Every wait polls a
// condition with a deadline: the spool emptied, the hook log's lines, an execution's state.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionDetail } from '../../src/execute/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { makePipeEnv, pipe } from '../support/cli.js';

import { git, makeRepo, writeFiles } from '../support/git-fixture.js';
import { endStrayPipes, waitUntil } from '../support/pipe-process.js';
import { EVERY_BRANCH_AND_TAG, commit, executions, gitRun, install, outcomes, pipelineText, settled, started, withStore } from '../support/hook-fixture.js';

afterEach(endStrayPipes);

describe('pipe hooks: every kind of ref update', () => {
  it('a commit, an amend, a branch, a rebase (once), a fast-forward and a merge, a cherry-pick, two tags and a worktree start one execution each at their commit; deletions and pack-refs start nothing', async () => {
    const p = makePipeEnv();
    const repo = makeRepo({ 'a.txt': '0\n' });
    writeFiles(repo, { 'pipelines/all.yml': pipelineText({ name: 'all', repository: '..', triggers: EVERY_BRANCH_AND_TAG }) });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'pipeline');
    const out = await install(p, repo);
    expect(out).toContain(`installed ${join(repo, '.git', 'hooks', 'reference-transaction')}`);
    const want: Array<[string, string]> = [];
    const main = (c: string) => want.push(['refs/heads/main', c]);

    main(commit(repo, { 'a.txt': '1\n' }, 'one'));
    git(repo, 'commit', '-q', '--amend', '-m', 'one, amended');
    main(git(repo, 'rev-parse', 'HEAD'));
    git(repo, 'checkout', '-q', '-b', 'feat');
    want.push(['refs/heads/feat', git(repo, 'rev-parse', 'HEAD')]);
    want.push(['refs/heads/feat', commit(repo, { 'f1.txt': 'f1\n' }, 'f1')]);
    want.push(['refs/heads/feat', commit(repo, { 'f2.txt': 'f2\n' }, 'f2')]);
    git(repo, 'checkout', '-q', 'main');
    main(commit(repo, { 'a.txt': '2\n' }, 'two'));
    git(repo, 'checkout', '-q', 'feat');
    git(repo, 'rebase', '-q', 'main'); // replays two commits on a detached HEAD, then moves feat once
    const rebased = git(repo, 'rev-parse', 'HEAD');
    want.push(['refs/heads/feat', rebased]);
    git(repo, 'checkout', '-q', 'main');
    git(repo, 'merge', '-q', '--ff-only', 'feat');
    main(rebased);
    git(repo, 'checkout', '-q', '-b', 'side', 'main~1');
    want.push(['refs/heads/side', git(repo, 'rev-parse', 'HEAD')]);
    const s1 = commit(repo, { 's.txt': 's\n' }, 's1');
    want.push(['refs/heads/side', s1]);
    git(repo, 'checkout', '-q', 'main');
    git(repo, 'cherry-pick', s1);
    main(git(repo, 'rev-parse', 'HEAD'));
    git(repo, 'merge', '-q', '--no-ff', '-m', 'merge side', 'side');
    const merged = git(repo, 'rev-parse', 'HEAD');
    main(merged);
    git(repo, 'tag', 'v1');
    want.push(['refs/tags/v1', merged]);
    git(repo, 'tag', '-a', 'v2', '-m', 'release 2');
    want.push(['refs/tags/v2', merged]); // the annotated tag's commit, not the tag object
    git(repo, 'branch', '-q', '-D', 'side');
    git(repo, 'tag', '-d', 'v1');
    git(repo, 'pack-refs', '--all'); // moves every ref into packed-refs, as if each were created: starts nothing
    git(repo, 'gc', '-q');
    const wt = join(mkdtempSync(join(tmpdir(), 'pipe-wt-')), 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'wtb', wt);
    want.push(['refs/heads/wtb', merged]);
    want.push(['refs/heads/wtb', commit(wt, { 'w.txt': 'w\n' }, 'in the worktree')]);

    await settled(p, want.length);
    expect(await started(p)).toEqual(want);
    expect(outcomes(p)).toHaveLength(want.length);
    // The execution runs the exact commit of its update, and says what started it.
    const list = executions(p).filter((e) => e.trigger.gitHook?.ref === 'refs/tags/v2');
    const v2 = withStore(p, (st) => st.getExecution(list[0]?.executionId ?? 'none')) as ExecutionDetail;
    const source = await waitUntil('the v2 source action', () => withStore(p, (st) => st.getExecution(v2.executionId))?.actions.find((a) => a.action === 'Checkout' && a.status === 'Succeeded'));
    expect(source.outputVariables['CommitId']).toBe(merged);
    expect(v2.trigger).toMatchObject({
      triggerType: 'GitHook',
      gitHook: { hook: 'reference-transaction', ref: 'refs/tags/v2', oldCommit: '0'.repeat(40), newCommit: merged, sourceActionName: 'Checkout', filter: 'triggers[0].gitConfiguration.push[1]' },
      sourceRevisions: [{ actionName: 'Checkout', revisionType: 'COMMIT_ID', revisionValue: merged }],
    });
    const shown = await pipe(['execution', v2.executionId], p);
    expect(shown.stdout).toContain(`  trigger  GitHook: reference-transaction refs/tags/v2 000000000000..${merged.slice(0, 12)}\n`);
    expect(shown.stdout).toContain(`           matched triggers[0].gitConfiguration.push[1] (source action Checkout)\n`);
    const status = await pipe(['hooks', 'status', '--repo', repo, '--json'], p);
    const s = JSON.parse(status.stdout) as { installations: Array<{ state: string; pipelines: string[] }>; pending: number; executions: unknown[]; log: string[] };
    expect(s.pending).toBe(0);
    expect(s.installations).toMatchObject([{ state: 'installed', pipelines: [join(repo, 'pipelines', 'all.yml')] }]);
    expect(s.executions).toHaveLength(5);
    expect(s.log.at(-1)).toContain(`refs/heads/wtb`);
  });

  it('a pipeline without triggers runs on updates of the branch its source action names, and no other', async () => {
    const p = makePipeEnv();
    const repo = makeRepo({ 'a.txt': '0\n' });
    writeFiles(repo, { 'pipelines/main.yml': pipelineText({ name: 'onmain', repository: '..', branch: 'main' }) });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'pipeline');
    await install(p, repo);
    const c1 = commit(repo, { 'a.txt': '1\n' }, 'on main');
    git(repo, 'checkout', '-q', '-b', 'other');
    commit(repo, { 'a.txt': '2\n' }, 'on other');
    git(repo, 'tag', 'v1');
    await settled(p, 4);
    expect(await started(p)).toEqual([['refs/heads/main', c1]]);
    expect(outcomes(p).filter((l) => l.includes('no trigger matches'))).toHaveLength(3);
  });
});

describe('pipe hooks: trigger filters in a monorepo', () => {
  it('branch, tag and file-path includes and excludes start only the pipeline watching the folder that changed', async () => {
    const p = makePipeEnv();
    const repo = makeRepo({ 'services/a/app.js': 'a0\n', 'services/b/app.js': 'b0\n', 'README.md': 'r\n' });
    const triggers = (folder: string, tags: boolean) => `  - gitConfiguration:
      sourceActionName: Checkout
      push:
        - branches: { includes: [main, "release/**"], excludes: ["release/old*"] }
          filePaths: { includes: ["services/${folder}/**"], excludes: ["**/*.md"] }
${tags ? '        - tags: { includes: ["v*"], excludes: ["v*-rc*"] }\n' : ''}`;
    writeFiles(repo, {
      'pipelines/a.yml': pipelineText({ name: 'svc-a', repository: '..', triggers: triggers('a', true) }),
      'pipelines/b.yml': pipelineText({ name: 'svc-b', repository: '..', triggers: triggers('b', false) }),
    });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'pipelines'); // touches neither service
    const validated = await pipe(['validate', join(repo, 'pipelines', 'a.yml')], p);
    expect(validated.stdout).toMatch(/\n  trigger on Checkout: 2 push filters$/);
    const out = await install(p, repo);
    expect(out).toContain('pipeline svc-a (');
    expect(out).toContain('): trigger on Checkout\n');
    const a1 = commit(repo, { 'services/a/app.js': 'a1\n' }, 'a only');
    commit(repo, { 'services/b/README.md': 'docs\n' }, 'b docs only: excluded');
    const both = commit(repo, { 'services/a/app.js': 'a2\n', 'services/b/app.js': 'b2\n' }, 'both');
    git(repo, 'checkout', '-q', '-b', 'feature');
    commit(repo, { 'services/a/app.js': 'a3\n' }, 'a on a feature branch: not watched');
    git(repo, 'checkout', '-q', '-b', 'release/1', 'main');
    const rel = commit(repo, { 'services/b/app.js': 'b4\n' }, 'b on release/1');
    git(repo, 'checkout', '-q', '-b', 'release/old-1', 'main');
    commit(repo, { 'services/b/app.js': 'b5\n' }, 'b on release/old-1: excluded');
    git(repo, 'tag', 'v1', 'main');
    git(repo, 'tag', 'v2-rc1', 'main');
    // Updates: 6 commits, 3 new branches, 2 tags; each seen by both pipelines.
    await settled(p, 2 * 11);
    expect(await started(p, 'svc-a')).toEqual([['refs/heads/main', a1], ['refs/heads/main', both], ['refs/tags/v1', both]]);
    expect(await started(p, 'svc-b')).toEqual([['refs/heads/main', both], ['refs/heads/release/1', rel]]);
    const filters = executions(p).filter((e) => e.pipeline === 'svc-a').map((e) => e.trigger.gitHook?.filter);
    expect(filters.sort()).toEqual(['triggers[0].gitConfiguration.push[0]', 'triggers[0].gitConfiguration.push[0]', 'triggers[0].gitConfiguration.push[1]']);
  });
});

describe('pipe hooks: a bare repository receiving a push', () => {
  it('a push of three branches and a tag starts one execution per pushed ref, at its commit', async () => {
    const p = makePipeEnv();
    const root = mkdtempSync(join(tmpdir(), 'pipe-bare-'));
    const bare = join(root, 'central.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    const pipelineFile = join(root, 'server.yml');
    writeFileSync(pipelineFile, pipelineText({ name: 'server', repository: bare, triggers: EVERY_BRANCH_AND_TAG }));
    await install(p, bare, ['--pipeline', pipelineFile]);
    const work = makeRepo({ 'a.txt': '0\n' });
    const m = git(work, 'rev-parse', 'HEAD');
    git(work, 'checkout', '-q', '-b', 'b1');
    const b1 = commit(work, { 'b1.txt': '1\n' }, 'b1');
    git(work, 'checkout', '-q', '-b', 'b2', 'main');
    const b2 = commit(work, { 'b2.txt': '2\n' }, 'b2');
    git(work, 'tag', '-a', 'v1', '-m', 'v1', 'b1');
    const push = gitRun(work, 'push', '-q', bare, 'main', 'b1', 'b2', 'v1');
    expect(push.status).toBe(0);
    await settled(p, 4);
    const got = await started(p);
    expect(got.sort()).toEqual([['refs/heads/b1', b1], ['refs/heads/b2', b2], ['refs/heads/main', m], ['refs/tags/v1', b1]].sort());
    // A deletion pushed starts nothing.
    expect(gitRun(work, 'push', '-q', bare, ':b2').status).toBe(0);
    expect(outcomes(p)).toHaveLength(4);
  });
});
