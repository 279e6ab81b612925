// Benchmark of stack deploys of the sample service (sample/hello-service/template.yaml) on the in-process
// registry, no container: a deploy with nothing changed, and its overhead over the registry calls it makes;
// an update that publishes one version (its alias moved at once: the canary's waits are not measured here), and its
// overhead over its registry calls. Imports dist/ (`npm run build`).
// Run alone: `node bench/stacks.mjs`.
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SAMPLES = 9;

async function importDist(path) {
  return import(pathToFileURL(join(ROOT, 'dist', path)).href);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The registry behind a proxy that adds up the time spent in its calls. */
function timed(registry) {
  const spent = { ms: 0, calls: 0 };
  const api = new Proxy(registry, {
    get(target, prop) {
      const v = Reflect.get(target, prop);
      if (typeof v !== 'function') return v;
      return async (...args) => {
        const t = performance.now();
        try {
          return await v.apply(target, args);
        } finally {
          spent.ms += performance.now() - t;
          spent.calls++;
        }
      };
    },
  });
  return { api, spent };
}

export async function benchStacks() {
  const { deployStack } = await importDist('deploy/index.js');
  const { Registry } = await importDist('registry/index.js');
  const { openDatabase } = await importDist('infra/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'pipe-bench-stacks-'));
  try {
    cpSync(join(ROOT, 'sample/hello-service'), join(dir, 'hello-service'), { recursive: true });
    const db = openDatabase(join(dir, 'state.db'));
    const invoker = { invoke: () => Promise.reject(new Error('no invoke in this benchmark')), retire: async () => {}, close: async () => {} };
    const registry = Registry.open({ invoker, db, home: dir });
    const { api, spent } = timed(registry);
    const ctx = { db, lambda: api, home: dir };
    const req = { templateFile: join(dir, 'hello-service/template.yaml'), stackName: 'bench' };
    await deployStack(ctx, req);
    const noChange = [];
    const noChangeOverhead = [];
    let noChangeCalls = 0;
    for (let i = 0; i < SAMPLES; i++) {
      spent.ms = 0;
      spent.calls = 0;
      const t = performance.now();
      await deployStack(ctx, req);
      const wall = performance.now() - t;
      noChange.push(wall);
      noChangeOverhead.push(wall - spent.ms);
      noChangeCalls = spent.calls;
    }
    const update = [];
    const overhead = [];
    for (let i = 0; i < SAMPLES; i++) {
      appendFileSync(join(dir, 'hello-service/src/index.js'), `// change ${i}\n`);
      spent.ms = 0;
      const t = performance.now();
      const r = await deployStack(ctx, req);
      const wall = performance.now() - t;
      if (r.stack.status !== 'UPDATE_COMPLETE') throw new Error(`update ${i} ended ${r.stack.status}`);
      update.push(wall);
      overhead.push(wall - spent.ms);
    }
    registry.close();
    db.close();
    return [
      { name: 'stack deploy of the sample, nothing changed (median)', value: median(noChange), unit: 'ms', target: '< 300 ms', ok: median(noChange) < 300 },
      { name: `  of which outside its ${noChangeCalls} registry call(s) (plan, digests, store)`, value: median(noChangeOverhead), unit: 'ms' },
      { name: 'stack update publishing one version (median, no cold start)', value: median(update), unit: 'ms', target: '< 1000 ms', ok: median(update) < 1000 },
      { name: '  of which outside the registry calls (plan, zip, store)', value: median(overhead), unit: 'ms' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await benchStacks()) console.log(`${r.name.padEnd(72)} ${r.value.toFixed(1).padStart(10)} ${r.unit}${r.target ? `  target ${r.target}: ${r.ok ? 'met' : 'MISSED'}` : ''}`);
}
