// Git-hook triggers never break git: a hook already there runs first and keeps failing what it failed, uninstall puts
// it back byte for byte, and when pipe cannot start (an invalid pipeline, an unwritable spool, node gone) git
// succeeds and one line says why.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PIPE_BIN, makePipeEnv, pipe } from '../support/cli.js';

import { git, makeRepo, writeFiles } from '../support/git-fixture.js';
import { endStrayPipes } from '../support/pipe-process.js';
import { commit, gitRun, hookLog, install, outcomes, pipelineText, settled, started } from '../support/hook-fixture.js';

afterEach(endStrayPipes);

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
    for (const tool of ['git', 'awk', 'cat', 'tr', 'date', 'mkdir', 'mv', 'rm', 'setsid']) symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(bin, tool));
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

describe('pipe hooks: a transaction of many refs', () => {
  it('a fetch of 20,000 remote refs and 2,000 tags goes through the hook in well under a second, keeping only the tags', async () => {
    const p = makePipeEnv();
    const repo = makeRepo({ 'a.txt': '0\n' });
    writeFiles(repo, { 'pipelines/main.yml': pipelineText({ name: 'onmain', repository: '..', branch: 'main' }) });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'pipeline');
    await install(p, repo);
    const head = git(repo, 'rev-parse', 'HEAD');
    const zero = '0'.repeat(40);
    const remote = Array.from({ length: 20_000 }, (_, i) => `${zero} ${head} refs/remotes/origin/b${i}`);
    const tags = Array.from({ length: 2_000 }, (_, i) => `${zero} ${head} refs/tags/t${i}`);
    const hook = join(repo, '.git', 'hooks', 'reference-transaction');
    // Run as git runs it, twice (prepared, then committed), with the transaction on stdin; pipe hooks run is not waited for.
    const t0 = Date.now();
    for (const phase of ['prepared', 'committed']) {
      const r = spawnSync(hook, [phase], { cwd: repo, input: `${[...remote, ...tags].join('\n')}\n`, encoding: 'utf8' });
      expect(r.status).toBe(0);
    }
    const ms = Date.now() - t0;
    expect(ms).toBeLessThan(10_000); // a shell loop over the lines took 24 s here
    await settled(p, 2_000);
    expect(outcomes(p).every((l) => /refs\/tags\/t\d+ 000000000000\.\.[0-9a-f]{12}: pipeline onmain: no trigger matches$/.test(l))).toBe(true);
  });
});

describe('pipe hooks install: an invalid pipeline file', () => {
  it('is refused with its problems where they stand, and nothing is installed', async () => {
    const p = makePipeEnv();
    const repo = makeRepo({ 'pipelines/bad.yml': pipelineText({ name: 'bad', repository: '..', branch: 'main' }).replace('type: Approval/Manual', 'type: Approval/Manaul') });
    const r = await pipe(['hooks', 'install', '--repo', repo], p);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${join(repo, 'pipelines', 'bad.yml')}:15:27 stages[1].actions[0].type: unknown action type 'Approval/Manaul'; did you mean 'Approval/Manual'?`);
    expect(existsSync(join(repo, '.git', 'hooks', 'reference-transaction'))).toBe(false);
    expect(existsSync(join(p.home, 'hooks', 'installed.json'))).toBe(false);
  });
});
