// Benchmark: `pipe build` of a buildspec that calls npm, pip, jq and the AWS CLI (against pipe's endpoint) on
// pipe/standard:7.0, next to a bare `docker run` of the same commands in the same image. Target: pipe adds under
// 0.5 s. Measured with a `pipe registry serve` running (both paths call it) and without one (pipe build starts its
// own for the build's length). Skipped with a note without the image. Uses dist/ (npm run build).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const IMAGE = 'pipe/standard:7.0';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COMMANDS = [
  'npm --version',
  'pip --version',
  `echo '{"tool":"jq"}' | jq -r .tool`,
  'aws ssm get-parameter --name /bench/tools --query Parameter.Value --output text',
];

function time(cmd, args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stdout}\n${r.stderr}`);
  if (!r.stdout.includes('bench-value')) throw new Error(`${cmd} ${args.join(' ')} did not read the parameter:\n${r.stdout}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function startServer(env) {
  const child = spawn('node', [join(ROOT, 'bin/pipe.js'), 'registry', 'serve', '--port', '0', '--json'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /"type":"listening","url":"([^"]+)"/.exec(out);
      if (m) resolve({ url: m[1], stop: () => new Promise((r) => { child.on('exit', r); child.kill('SIGTERM'); }) });
    });
    child.on('exit', (code) => reject(new Error(`pipe registry serve exited ${code}`)));
  });
}

export async function benchBuildTools() {
  try {
    execFileSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' });
  } catch {
    console.log(`build tools: skipped, ${IMAGE} is not built (bash scripts/setup.sh builds it)`);
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'pipe-bench-tools-'));
  const env = { PIPE_HOME: join(dir, 'home'), PIPE_ARTIFACTS: join(dir, 'artifacts'), NO_COLOR: '1' };
  try {
    writeFileSync(join(dir, 'buildspec.yml'), `version: 0.2\nphases:\n  build:\n    commands:\n${COMMANDS.map((c) => `      - ${JSON.stringify(c)}\n`).join('')}`);
    execFileSync('node', [join(ROOT, 'bin/pipe.js'), 'parameters', 'set', '/bench/tools', 'bench-value'], { env: { ...process.env, ...env } });
    const pipeArgs = [join(ROOT, 'bin/pipe.js'), 'build', dir, '--image', IMAGE];
    const bare = (url) => ['run', '--rm', '--network', 'host', '-e', 'AWS_ACCESS_KEY_ID=x', '-e', 'AWS_SECRET_ACCESS_KEY=x', '-e', 'AWS_DEFAULT_REGION=us-east-1',
      IMAGE, 'sh', '-c', COMMANDS.map((c) => c.replace(/^aws /, `aws --endpoint-url ${url} `)).join(' && ')];

    // Without a server: pipe build starts one for the build. The bare run needs one too: started outside the timing.
    const alone = [];
    const server = await startServer(env);
    const bareMs = [];
    const servedMs = [];
    try {
      time('docker', bare(server.url));
      time('node', pipeArgs, env);
      for (let i = 0; i < RUNS; i++) {
        bareMs.push(time('docker', bare(server.url)));
        servedMs.push(time('node', pipeArgs, env));
      }
    } finally {
      await server.stop();
    }
    for (let i = 0; i < RUNS; i++) alone.push(time('node', pipeArgs, env));
    const d = median(bareMs);
    const s = median(servedMs);
    const a = median(alone);
    return [
      { name: `docker run of npm, pip, jq, aws ssm in ${IMAGE}, median`, value: d, unit: 'ms' },
      { name: 'pipe build of the same buildspec, pipe registry serve running, median', value: s, unit: 'ms' },
      { name: 'pipe build overhead, server running', value: s - d, unit: 'ms', target: '< 500 ms', ok: s - d < 500 },
      { name: 'pipe build, no server (it starts its own), median', value: a, unit: 'ms' },
      { name: 'pipe build overhead, no server running', value: a - d, unit: 'ms', target: '< 500 ms', ok: a - d < 500 },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchBuildTools()) console.log(r);
}
