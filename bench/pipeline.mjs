// Benchmark: wall time of `pipe run` on a two-stage pipeline whose build runs `true`, next to a bare
// `docker run --rm pipe/standard:1 true`. Target: pipe adds under 400 ms (the durable engine's goal). Uses dist/ (npm run build).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { oneBuildPipeline } from './fixture.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function time(cmd, args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchPipeline() {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-bench-'));
  try {
    const { file, env } = oneBuildPipeline(dir, 'bench');
    const pipeArgs = [join(ROOT, 'bin/pipe.js'), 'run', file];
    // Warm both paths once (page cache, image layers), then measure alternately.
    time('node', pipeArgs, env);
    time('docker', ['run', '--rm', '--network', 'host', 'pipe/standard:1', 'true']);
    const pipeMs = [];
    const dockerMs = [];
    for (let i = 0; i < RUNS; i++) {
      pipeMs.push(time('node', pipeArgs, env));
      dockerMs.push(time('docker', ['run', '--rm', '--network', 'host', 'pipe/standard:1', 'true']));
    }
    const p = median(pipeMs);
    const d = median(dockerMs);
    return [
      { name: 'pipe run (2 stages, build runs true), median', value: p, unit: 'ms' },
      { name: 'docker run --rm pipe/standard:1 true, median', value: d, unit: 'ms' },
      { name: 'pipe overhead over bare container run', value: p - d, unit: 'ms', target: '< 400 ms', ok: p - d < 400 },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchPipeline()) console.log(r);
}
