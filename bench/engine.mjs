// Benchmarks of the durable engine: actions of one runOrder run at once (two 2-second builds against one; target:
// at most 1.2x), and reading one execution back from a store of 10,000 (target: under 100 ms in-process; the
// whole `pipe execution ID` command, Node's start included, is reported beside it). Uses dist/ (npm run build).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { commitRepo } from './fixture.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time(cmd, args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function pipeline(builds) {
  const actions = Array.from({ length: builds }, (_, i) => `      - name: Build${i + 1}
        type: Build/CodeBuild
        runOrder: 1
        configuration: { image: pipe/standard:1 }
        inputArtifacts: [Src]
`).join('');
  return `name: parallel
maxParallelActions: 4
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration: { repository: . }
        outputArtifacts: [Src]
  - name: Build
    actions:
${actions}`;
}

async function parallelActions() {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-bench-parallel-'));
  try {
    commitRepo(dir, { 'buildspec.yml': 'version: 0.2\nphases:\n  build:\n    commands:\n      - sleep 2\n' });
    writeFileSync(join(dir, 'one.yml'), pipeline(1));
    writeFileSync(join(dir, 'two.yml'), pipeline(2));
    const env = { PIPE_HOME: join(dir, 'home'), PIPE_ARTIFACTS: join(dir, 'artifacts'), NO_COLOR: '1' };
    const run = (file) => time('node', [join(ROOT, 'bin/pipe.js'), 'run', join(dir, file)], env);
    run('one.yml');
    const one = [];
    const two = [];
    for (let i = 0; i < 3; i++) {
      one.push(run('one.yml'));
      two.push(run('two.yml'));
    }
    const ratio = median(two) / median(one);
    return [
      { name: 'pipe run, one 2-second build, median', value: median(one), unit: 'ms' },
      { name: 'pipe run, two 2-second builds in one runOrder, median', value: median(two), unit: 'ms' },
      { name: 'two parallel builds / one build', value: ratio, unit: 'x', target: '<= 1.2x', ok: ratio <= 1.2 },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function executionLookup() {
  const home = mkdtempSync(join(tmpdir(), 'pipe-bench-store-'));
  try {
    const { ExecutionStore } = await import(pathToFileURL(join(ROOT, 'dist/execute/index.js')).href);
    const { openDatabase } = await import(pathToFileURL(join(ROOT, 'dist/infra/index.js')).href);
    const db = openDatabase(join(home, 'state.db'));
    const store = new ExecutionStore(db);
    const at = (s) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
    const N = 10_000;
    db.transaction(() => {
      for (let i = 0; i < N; i++) {
        const executionId = `e${String(i).padStart(7, '0')}-0000-4000-8000-000000000000`;
        const e = (body) => store.record({ executionId, time: at(i), ...body });
        e({ type: 'execution', pipeline: 'p', status: 'InProgress', start: { file: '/x/p.yml', digest: 'd', trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'bench' }, variables: {} } });
        for (const stage of ['Source', 'Build']) {
          e({ type: 'stage', stage, status: 'InProgress' });
          e({ type: 'action', stage, action: 'A', status: 'InProgress', details: { actionType: 'Build/CodeBuild', runOrder: 1, configuration: {} } });
          for (let l = 0; l < 5; l++) e({ type: 'log', stage, action: 'A', stream: 'stdout', line: `line ${l}` });
          e({ type: 'action', stage, action: 'A', status: 'Succeeded' });
          e({ type: 'stage', stage, status: 'Succeeded' });
        }
        e({ type: 'execution', pipeline: 'p', status: 'Succeeded' });
      }
    })();
    const id = `e${String(N / 2).padStart(7, '0')}`;
    const ms = [];
    for (let i = 0; i < 20; i++) {
      const t0 = process.hrtime.bigint();
      if (!store.getExecution(id)) throw new Error('not found');
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    db.close();
    const command = [];
    for (let i = 0; i < 3; i++) command.push(time('node', [join(ROOT, 'bin/pipe.js'), 'execution', id], { PIPE_HOME: home }));
    return [
      { name: `store.getExecution by id prefix, ${N} executions in the store, median`, value: median(ms), unit: 'ms', target: '< 100 ms', ok: median(ms) < 100 },
      { name: `pipe execution ID, the whole command (Node start included), ${N} executions`, value: median(command), unit: 'ms' },
    ];
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

export async function benchEngine() {
  return [...(await parallelActions()), ...(await executionLookup())];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchEngine()) console.log(r);
}
