// Benchmark: the UPLOAD_ARTIFACTS phase of a build whose artifact is a real node_modules tree (this project's own,
// about 160 MB in 8,500 files), next to `zip -qry` of the same tree in the same container (warm, second run).
// Target: the upload phase at most 1.0x zip's time. Skipped with a note without node_modules. Uses dist/.
import { cpSync, existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const BUILDSPEC = `version: 0.2
phases:
  build:
    commands:
      - du -sm node_modules | cut -f1 > /tmp/mb && find node_modules -type f | wc -l > /tmp/files
      - zip -qry /tmp/warm.zip node_modules && rm /tmp/warm.zip
      - s=$(date +%s%N); zip -qry /tmp/nm.zip node_modules; e=$(date +%s%N); echo "zip-ms=$(( (e - s) / 1000000 )) mb=$(cat /tmp/mb) files=$(cat /tmp/files)"; rm /tmp/nm.zip
artifacts:
  files:
    - 'node_modules/**/*'
`;

export async function benchArtifactUpload() {
  const tree = join(ROOT, 'node_modules');
  if (!existsSync(tree)) {
    console.log('artifact upload: skipped, node_modules is absent (npm ci)');
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'pipe-bench-upload-'));
  const env = { ...process.env, PIPE_HOME: join(dir, 'home'), PIPE_ARTIFACTS: join(dir, 'artifacts'), NO_COLOR: '1' };
  try {
    const src = join(dir, 'src');
    cpSync(realpathSync(tree), join(src, 'node_modules'), { recursive: true, dereference: false, verbatimSymlinks: true });
    writeFileSync(join(src, 'buildspec.yml'), BUILDSPEC);
    const upload = [];
    const zip = [];
    let size = '';
    for (let i = 0; i < RUNS; i++) {
      const r = spawnSync('node', [join(ROOT, 'bin/pipe.js'), 'build', src, '--image', 'pipe/standard:7.0', '--json'], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (r.status !== 0) throw new Error(`pipe build exited ${r.status}: ${r.stdout.slice(-2000)}\n${r.stderr}`);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      const result = lines.findLast((l) => l.type === 'build' && l.status !== 'IN_PROGRESS');
      const phase = result.phases.find((p) => p.phase === 'UPLOAD_ARTIFACTS');
      const m = lines.map((l) => (l.type === 'log' ? /zip-ms=(\d+) mb=(\d+) files=(\d+)/.exec(l.line) : null)).find(Boolean);
      if (!phase || !m) throw new Error('no UPLOAD_ARTIFACTS phase or zip timing in the build output');
      upload.push(phase.durationMs);
      zip.push(Number(m[1]));
      size = `${m[2]} MB, ${m[3]} files`;
      rmSync(join(dir, 'artifacts'), { recursive: true, force: true });
    }
    const u = median(upload);
    const z = median(zip);
    return [
      { name: `zip -qry of node_modules (${size}) in the build container, median`, value: z, unit: 'ms' },
      { name: 'UPLOAD_ARTIFACTS of the same tree as the primary artifact, median', value: u, unit: 'ms' },
      { name: 'upload phase / zip -qry', value: u / z, unit: 'x', target: '<= 1.0x', ok: u / z <= 1.0 },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchArtifactUpload()) console.log(r);
}
