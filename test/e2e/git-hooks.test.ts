// Git-hook triggers end to end: real repositories in temp dirs, `pipe hooks install` (the bundle), real git
// commands firing the installed hook, and the executions it started read back from the store. Every wait polls a
// condition with a deadline: the spool emptied, the hook log's lines, an execution's state.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, symlinkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecutionStore } from '../../src/execute/index.js';
import type { ExecutionDetail, ExecutionSummary } from '../../src/execute/index.js';
import { openDatabase } from '../../src/infra/sqlite.js';
import { PIPE_BIN, makePipeEnv, pipe } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';
import { git, makeRepo, writeFiles } from '../support/git-fixture.js';
import { endStrayPipes, executionDetail, waitUntil } from '../support/pipe-process.js';

afterEach(endStrayPipes);

/** git with a committer, returning status and output rather than throwing (a hook may fail the command). */
function gitRun(cwd: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function commit(repo: string, files: Record<string, string>, message: string): string {
  writeFiles(repo, files);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

/** A Source/Git of `repository` then a manual approval: cheap, no Docker, and it holds its stage (for the modes). */
function pipelineText(o: { name: string; repository: string; mode?: string; branch?: string; triggers?: string }): string {
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

const EVERY_BRANCH_AND_TAG = `  - gitConfiguration:
      sourceActionName: Checkout
      push:
        - branches: { includes: ["**"] }
        - tags: { includes: ["**"] }
`;

function hookLog(p: PipeEnv): string[] {
  const file = join(p.home, 'hooks', 'hook.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
}

/** Lines of the log that say what became of one update for one pipeline. */
function outcomes(p: PipeEnv): string[] {
  return hookLog(p).filter((l) => /: pipeline \S+: (started execution|no trigger matches)|not started: /.test(l));
}

/** Waits until the hook has handled `n` (update, pipeline) pairs in all and nothing is left in the spool. */
async function settled(p: PipeEnv, n: number): Promise<string[]> {
  const spool = join(p.home, 'hooks', 'spool');
  return waitUntil(`${n} hook outcomes in ${p.home}/hooks/hook.log`, () => {
    const done = outcomes(p);
    const idle = (!existsSync(spool) || readdirSync(spool).length === 0) && !existsSync(join(p.home, 'hooks', 'run.lock'));
    return idle && done.length >= n ? done : undefined;
  }, 60_000, 50);
}

/** Reads the store directly: a `pipe` process per look would load a machine the tests share. */
function withStore<T>(p: PipeEnv, body: (store: ExecutionStore) => T): T {
  const db = openDatabase(join(p.home, 'state.db'));
  try {
    return body(new ExecutionStore(db));
  } finally {
    db.close();
  }
}

function executions(p: PipeEnv): ExecutionSummary[] {
  return existsSync(join(p.home, 'state.db')) ? withStore(p, (s) => s.listExecutions({ limit: 1000 })) : [];
}

/** The executions a hook started, oldest first, as [ref, commit] of their trigger. */
async function started(p: PipeEnv, pipeline?: string): Promise<Array<[string, string]>> {
  const list: ExecutionSummary[] = executions(p).filter((e) => e.trigger.triggerType === 'GitHook' && (!pipeline || e.pipeline === pipeline));
  return list.reverse().map((e) => [e.trigger.gitHook?.ref ?? '', e.trigger.gitHook?.newCommit ?? '']);
}

async function install(p: PipeEnv, repo: string, extra: string[] = []): Promise<string> {
  const r = await pipe(['hooks', 'install', '--repo', repo, ...extra], p);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

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
    const s = JSON.parse(status.stdout) as { installations: Array<{ state: string; pipelines: string[] }>; executions: unknown[]; log: string[] };
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

describe('pipe hooks: the hooks already there', () => {
  it('core.hooksPath is honoured; a hook already there runs first and still fails the commit; uninstall puts it back byte for byte', async () => {
    const p = makePipeEnv();
    const repo = makeRepo({ 'a.txt': '0\n' });
    writeFiles(repo, { 'pipelines/main.yml': pipelineText({ name: 'onmain', repository: '..', branch: 'main' }) });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'pipeline');
    const hooksDir = join(repo, '.githooks');
    mkdirSync(hooksDir);
    git(repo, 'config', 'core.hooksPath', '.githooks');
    const theirs = `#!/bin/sh\n# the team's own hook\necho "$1" >> "${join(repo, 'theirs.log')}"\nif [ "$1" = prepared ] && [ -e "${join(repo, 'block')}" ]; then echo "blocked by the team's hook" >&2; exit 1; fi\nexit 0\n`;
    const original = join(hooksDir, 'reference-transaction');
    writeFileSync(original, theirs);
    chmodSync(original, 0o750);
    const preCommit = join(hooksDir, 'pre-commit');
    writeFileSync(preCommit, `#!/bin/sh\n[ -e "${join(repo, 'no-commit')}" ] && { echo "pre-commit says no" >&2; exit 1; }\nexit 0\n`);
    chmodSync(preCommit, 0o755);
    const before = readFileSync(original);

    const out = await install(p, repo);
    expect(out).toContain(`installed ${original}`);
    expect(out).toContain(`runs first, keeping its exit status: ${original}.pipe-chained`);
    const c1 = commit(repo, { 'a.txt': '1\n' }, 'passes both hooks');
    await settled(p, 1);
    expect(await started(p)).toEqual([['refs/heads/main', c1]]);
    expect(readFileSync(join(repo, 'theirs.log'), 'utf8')).toContain('prepared\ncommitted\n');

    writeFileSync(join(repo, 'block'), '');
    writeFiles(repo, { 'a.txt': '2\n' });
    git(repo, 'add', 'a.txt');
    const blocked = gitRun(repo, 'commit', '-q', '-m', 'blocked');
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain("blocked by the team's hook");
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(c1);
    rmSync(join(repo, 'block'));
    writeFileSync(join(repo, 'no-commit'), '');
    const refused = gitRun(repo, 'commit', '-q', '-m', 'refused');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('pre-commit says no');
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(c1);

    const un = await pipe(['hooks', 'uninstall', '--repo', repo], p);
    expect(un.stdout).toBe(`removed ${original}; put back the hook that was there`);
    expect(readFileSync(original).equals(before)).toBe(true);
    expect(statSync(original).mode & 0o777).toBe(0o750);
    expect(existsSync(`${original}.pipe-chained`)).toBe(false);
    const status = await pipe(['hooks', 'status', '--repo', repo], p);
    expect(status.stdout).toMatch(/^no hooks installed \(PIPE_HOME .*\)\n/);
    // Without pipe's hook a commit starts nothing.
    rmSync(join(repo, 'no-commit'));
    const c3 = commit(repo, { 'a.txt': '3\n' }, 'after uninstall');
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(c3);
    expect(existsSync(join(p.home, 'hooks', 'spool')) ? readdirSync(join(p.home, 'hooks', 'spool')) : []).toEqual([]);
    expect(outcomes(p)).toHaveLength(1);
  });
});

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

describe('pipe hooks: when pipe cannot start', () => {
  it('git succeeds: the log says why an invalid pipeline did not start (and the next git command says it once), and git says why when the spool cannot be written', async () => {
    const p = makePipeEnv();
    const repo = makeRepo({ 'a.txt': '0\n' });
    const file = join(repo, 'pipelines', 'main.yml');
    writeFiles(repo, { 'pipelines/main.yml': pipelineText({ name: 'onmain', repository: '..', branch: 'main' }) });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'pipeline');
    await install(p, repo);

    writeFileSync(file, readFileSync(file, 'utf8').replace('type: Source/Git', 'type: Source/Gti'));
    const c1 = gitRun(repo, 'commit', '-q', '--allow-empty', '-m', 'with a broken pipeline file');
    expect(c1.status).toBe(0);
    const [line] = await settled(p, 1);
    expect(line).toMatch(new RegExp(`refs/heads/main [0-9a-f]{12}\\.\\.[0-9a-f]{12}: ${file.replace(/[.]/g, '\\.')} not started: invalid: ${file.replace(/[.]/g, '\\.')}:8:15 stages\\[0\\]\\.actions\\[0\\]\\.type: unknown action type 'Source/Gti'; did you mean 'Source/Git'\\?`));

    const spool = join(p.home, 'hooks', 'spool');
    rmSync(spool, { recursive: true, force: true });
    writeFileSync(spool, 'not a folder');
    const c2 = gitRun(repo, 'commit', '-q', '--allow-empty', '-m', 'with no spool');
    expect(c2.status).toBe(0);
    // The hook says, once, why the earlier update started nothing; then why this one cannot start anything.
    expect(c2.stderr).toBe(`pipe: an earlier update started nothing: ${line?.replace(/^\S+ /, '')} (pipe hooks status)\npipe: cannot write to ${spool}; no pipeline started (pipe hooks status)\n`);
    expect(existsSync(join(p.home, 'hooks', 'problem'))).toBe(false);
    const status = await pipe(['hooks', 'status', '--repo', repo], p);
    expect(status.stdout).toMatch(new RegExp(`\\n  \\S+ hook: cannot write to ${spool.replace(/[.]/g, '\\.')}$`));
    expect(await started(p)).toEqual([]);
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

describe('pipe hooks: when node is gone', () => {
  it('git succeeds and the hook says in one line that node is missing', async () => {
    const p = makePipeEnv();
    const repo = makeRepo({ 'a.txt': '0\n' });
    writeFiles(repo, { 'pipelines/main.yml': pipelineText({ name: 'onmain', repository: '..', branch: 'main' }) });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'pipeline');
    // Installed by a node that is then removed, committed with a PATH that has git and the shell's tools but no node.
    const dir = mkdtempSync(join(tmpdir(), 'pipe-nonode-'));
    const node = join(dir, 'node');
    copyFileSync(process.execPath, node);
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const tool of ['git', 'date', 'mkdir', 'mv', 'rm', 'setsid']) symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(bin, tool));
    const installed = spawnSync(node, [PIPE_BIN, 'hooks', 'install', '--repo', repo], { env: { ...process.env, ...p.env }, encoding: 'utf8' });
    expect(installed.status).toBe(0);
    rmSync(node);
    const r = spawnSync(join(bin, 'git'), ['commit', '-q', '--allow-empty', '-m', 'no node'], {
      cwd: repo,
      encoding: 'utf8',
      env: { PATH: bin, HOME: dir, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`pipe: node not found (it was ${node} when pipe hooks install ran); no pipeline started (pipe hooks status)\n`);
    expect(hookLog(p).at(-1)).toMatch(/^\S+Z hook: node not found/);
    rmSync(dir, { recursive: true, force: true });
  });
});
