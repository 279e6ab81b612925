// Benchmark: pipe's start-up. `pipe --version` and `pipe --help` against a bare `node -e 0` (the command loads only
// its own modules: --version none, --help all of them), and in `pipe run` of a two-stage pipeline (git source, a build
// of `true`) when the first Docker API call leaves after the process starts and when the process is gone after the
// last one ends (bench/docker-timing.cjs, preloaded). Target: --version adds under 100 ms to node's own start.
// Uses dist/ (npm run build); the first run of each command writes its code cache and is not counted.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { oneBuildPipeline } from './fixture.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PIPE = join(ROOT, 'bin', 'pipe.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function wall(args, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('node', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** One `pipe run`: ms from process start to the first Docker call, and from the last call's end to the process gone. */
async function timedRun(file, env) {
  const child = spawn('node', ['-r', join(ROOT, 'bench', 'docker-timing.cjs'), PIPE, 'run', file], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  const gone = performance.timeOrigin + performance.now();
  const m = /pipe-bench-docker (\S+) (\S+)/.exec(err);
  if (code !== 0 || !m) throw new Error(`pipe run exited ${code}: ${err}`);
  const [first, last] = m.slice(1).map(Number);
  return { first, afterLast: gone - last };
}

async function pipeRun() {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-bench-startup-'));
  try {
    const { file, env } = oneBuildPipeline(dir, 'startup');
    await timedRun(file, env);
    const runs = [];
    for (let i = 0; i < Math.min(RUNS, 7); i++) runs.push(await timedRun(file, env));
    return [
      { name: 'pipe run: first Docker call after the process starts, median', value: median(runs.map((r) => r.first)), unit: 'ms' },
      { name: 'pipe run: process gone after the last Docker call ends, median', value: median(runs.map((r) => r.afterLast)), unit: 'ms' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchStartup() {
  const cases = { node: ['-e', '0'], version: [PIPE, '--version'], help: [PIPE, '--help'] };
  for (const args of Object.values(cases)) wall(args);
  const times = { node: [], version: [], help: [] };
  for (let i = 0; i < RUNS; i++) for (const [k, args] of Object.entries(cases)) times[k].push(wall(args));
  const node = median(times.node);
  const version = median(times.version);
  return [
    { name: 'node -e 0, median', value: node, unit: 'ms' },
    { name: 'pipe --version, median', value: version, unit: 'ms' },
    { name: 'pipe --help, median', value: median(times.help), unit: 'ms' },
    { name: 'pipe --version over node -e 0', value: version - node, unit: 'ms', target: '< 100 ms', ok: version - node < 100 },
    ...(await pipeRun()),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchStartup()) console.log(r);
}
