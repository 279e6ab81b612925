// Benchmark: the time pipe's git hook adds to `git commit`, in a repository with three pipelines installed, against
// the same repository without hooks: median of 20 commits each, alternated. The pipelines' filters watch folders the
// commits do not touch, so the background `pipe hooks run` matches all three and starts nothing; it is let finish
// (untimed) before the next commit, so it does not compete with the one measured. Target < 100 ms; moonshot < 30 ms.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_HOOK_RUNS ?? 20);
const GIT_ENV = { GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function makeRepo(dir) {
  const git = (...a) => execFileSync('git', a, { cwd: dir, env: { ...process.env, ...GIT_ENV } });
  mkdirSync(dir, { recursive: true });
  git('init', '-q', '-b', 'main');
  mkdirSync(join(dir, 'pipelines'));
  for (const n of [1, 2, 3]) {
    writeFileSync(join(dir, 'pipelines', `p${n}.yml`), `name: bench-${n}
executionMode: PARALLEL
triggers:
  - gitConfiguration:
      sourceActionName: Checkout
      push:
        - branches: { includes: [main] }
          filePaths: { includes: ["services/s${n}/**"] }
stages:
  - name: Source
    actions:
      - { name: Checkout, type: Source/Git, configuration: { repository: .., branch: main }, outputArtifacts: [Src] }
  - name: Approve
    actions:
      - { name: Ok, type: Approval/Manual }
`);
  }
  writeFileSync(join(dir, 'a.txt'), '0\n');
  git('add', '-A');
  git('commit', '-qm', 'bench');
}

function timedCommit(dir, n) {
  writeFileSync(join(dir, 'a.txt'), `commit ${n}\n`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync('git', ['commit', '-qam', `c${n}`], { cwd: dir, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`git commit exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Waits (untimed) until the background `pipe hooks run` has emptied the spool and let go of it. */
async function drained(home) {
  const spool = join(home, 'hooks', 'spool');
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    const idle = (!existsSync(spool) || readdirSync(spool).length === 0) && !existsSync(join(home, 'hooks', 'run.lock'));
    if (idle) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the hook did not drain its spool within 30 s');
}

export async function benchHooks() {
  const root = mkdtempSync(join(tmpdir(), 'pipe-bench-hooks-'));
  try {
    const plain = join(root, 'plain');
    const hooked = join(root, 'hooked');
    const home = join(root, 'home');
    makeRepo(plain);
    makeRepo(hooked);
    const env = { ...process.env, PIPE_HOME: home, PIPE_ARTIFACTS: join(root, 'artifacts') };
    const r = spawnSync('node', [join(ROOT, 'bin/pipe.js'), 'hooks', 'install', '--repo', hooked], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pipe hooks install exited ${r.status}: ${r.stderr}`);
    timedCommit(plain, 0);
    timedCommit(hooked, 0);
    await drained(home);
    const plainMs = [];
    const hookedMs = [];
    for (let i = 1; i <= RUNS; i++) {
      plainMs.push(timedCommit(plain, i));
      hookedMs.push(timedCommit(hooked, i));
      await drained(home);
    }
    const added = median(hookedMs) - median(plainMs);
    return [
      { name: `git commit without hooks, median of ${RUNS}`, value: median(plainMs), unit: 'ms' },
      { name: `git commit with pipe's hook (3 pipelines installed), median of ${RUNS}`, value: median(hookedMs), unit: 'ms' },
      { name: 'time the hook adds to git commit (target < 100 ms; moonshot < 30 ms)', value: added, unit: 'ms', target: '< 100 ms', ok: added < 100 },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
