// Benchmarks of the dashboard (`pipe serve`, the bundle) in Debian's Chromium: the first load of the Pipelines and
// Executions pages with 1,000 executions in the store (target: under 300 ms from navigation to the table drawn),
// and the time from an event appended to the event log to its line shown in the page (target: under 100 ms).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env['PIPE_TEST_CHROMIUM'] ?? '/usr/bin/chromium';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/** 1,000 finished executions of five pipelines (Source, Build, Deploy; six actions each), and one in progress. */
export function fillStore(store) {
  const at = (s) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
  let clock = 0;
  store.db.transaction(() => {
    for (let i = 0; i < 1000; i++) {
      const executionId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const pipeline = `service-${i % 5}`;
      const t = () => at(clock++);
      const status = i % 7 === 0 ? 'Failed' : 'Succeeded';
      store.record({ type: 'execution', executionId, time: t(), pipeline, status: 'InProgress', start: { file: `/bench/${pipeline}.yml`, digest: 'd', trigger: { triggerType: i % 3 ? 'StartPipelineExecution' : 'GitHook', triggerDetail: 'bench' }, variables: { Env: 'dev' } } });
      for (const stage of ['Source', 'Build', 'Deploy']) {
        store.record({ type: 'stage', executionId, time: t(), stage, status: 'InProgress', attempt: 1 });
        for (const action of ['A', 'B']) {
          store.record({ type: 'action', executionId, time: t(), stage, action, status: 'InProgress', attempt: 1, details: { actionType: 'Build/CodeBuild', runOrder: 1, configuration: { buildspec: 'buildspec.yml' } } });
          store.record({ type: 'action', executionId, time: t(), stage, action, status: 'Succeeded', attempt: 1, details: { outputVariables: stage === 'Source' && action === 'A' ? { CommitId: 'abcdef0123456789abcdef0123456789abcdef01', CommitMessage: `change ${i}` } : {} } });
        }
        store.record({ type: 'stage', executionId, time: t(), stage, status: 'Succeeded', attempt: 1 });
      }
      store.record({ type: 'execution', executionId, time: t(), pipeline, status });
    }
  })();
  const live = '11111111-0000-4000-8000-000000000001';
  store.record({ type: 'execution', executionId: live, time: at(clock++), pipeline: 'service-0', status: 'InProgress', start: { file: '/bench/service-0.yml', digest: 'd', trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'bench' }, variables: {} } });
  store.record({ type: 'stage', executionId: live, time: at(clock++), stage: 'Build', status: 'InProgress', attempt: 1 });
  store.record({ type: 'action', executionId: live, time: at(clock++), stage: 'Build', action: 'A', status: 'InProgress', attempt: 1, details: { actionType: 'Build/CodeBuild', runOrder: 1, configuration: {} } });
  return live;
}

function startServe(home) {
  const child = spawn(process.execPath, [join(ROOT, 'bin/pipe.js'), 'serve', '--port', '0', '--json', '--pipelines', join(home, 'none')], {
    env: { ...process.env, PIPE_HOME: home, PIPE_ARTIFACTS: join(home, 'artifacts'), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`pipe serve exited ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const e = JSON.parse(line);
      if (e.type === 'listening') resolve({ child, dashboard: e.dashboard, origin: new URL(e.url).origin });
    });
  });
}

export async function benchDashboard() {
  if (!existsSync(CHROMIUM)) return [{ name: `dashboard: no Chromium at ${CHROMIUM} (bash scripts/setup.sh --test)`, value: 0, unit: '' }];
  const { chromium } = await import('playwright-core');
  const home = mkdtempSync(join(tmpdir(), 'pipe-bench-dashboard-'));
  const { ExecutionStore } = await import(pathToFileURL(join(ROOT, 'dist/execute/index.js')).href);
  const { openDatabase } = await import(pathToFileURL(join(ROOT, 'dist/infra/index.js')).href);
  const db = openDatabase(join(home, 'state.db'));
  const store = new ExecutionStore(db);
  const live = fillStore(store);
  const serve = await startServe(home);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const context = await browser.newContext();
    const login = await context.newPage();
    await login.goto(serve.dashboard);
    await login.waitForSelector('#pipelines tbody tr');
    await login.close();
    // From the navigation's start to the page drawn with its data (the client marks it), as the browser times it.
    const firstLoad = async (route, selector, mark) => {
      const times = [];
      const page = await context.newPage();
      for (let i = 0; i < 7; i++) {
        await page.goto('about:blank');
        await page.goto(`${serve.origin}/#${route}`);
        await page.waitForSelector(selector, { state: 'attached' });
        times.push(await page.evaluate((m) => performance.getEntriesByName(m)[0]?.startTime ?? NaN, mark));
      }
      await page.close();
      return median(times);
    };
    const pipelines = await firstLoad('/pipelines', '#pipelines tbody tr[data-pipeline="service-4"]', 'pipe:drawn:pipelines');
    const executions = await firstLoad('/executions', '#executions tbody tr:nth-child(100)', 'pipe:drawn:executions');

    // Event to screen: a log line appended to the store here, seen by the page's MutationObserver there.
    const page = await context.newPage();
    await page.goto(`${serve.origin}/#/execution/${live}/log/Build/A`);
    await page.waitForSelector('#log-lines', { state: 'attached' });
    await page.waitForSelector('#live[data-state=live]');
    await page.evaluate(() => {
      globalThis.seenAt = {};
      new MutationObserver((records) => {
        const now = performance.timeOrigin + performance.now();
        for (const r of records) for (const n of r.addedNodes) {
          const m = /mark-(\d+)/.exec(n.textContent ?? '');
          if (m) globalThis.seenAt[m[1]] = now;
        }
      }).observe(document.getElementById('log-lines'), { childList: true });
    });
    const delays = [];
    for (let i = 0; i < 30; i++) {
      const sent = performance.timeOrigin + performance.now();
      store.record({ type: 'log', executionId: live, time: new Date().toISOString(), stage: 'Build', action: 'A', stream: 'stdout', line: `mark-${i}` });
      await page.waitForFunction((k) => globalThis.seenAt[k] !== undefined, String(i));
      delays.push((await page.evaluate((k) => globalThis.seenAt[k], String(i))) - sent);
    }
    const p50 = median(delays);
    const p95 = percentile(delays, 0.95);
    return [
      { name: 'dashboard first load, Pipelines page, 1,000 executions in the store, median', value: pipelines, unit: 'ms', target: '< 300 ms', ok: pipelines < 300 },
      { name: 'dashboard first load, Executions page (100 rows of 1,000), median', value: executions, unit: 'ms', target: '< 300 ms', ok: executions < 300 },
      { name: 'event appended to the store -> line shown in Chromium, p50 of 30', value: p50, unit: 'ms', target: '< 100 ms', ok: p50 < 100 },
      { name: 'event appended to the store -> line shown in Chromium, p95 of 30', value: p95, unit: 'ms' },
    ];
  } finally {
    await browser.close();
    const exited = new Promise((r) => serve.child.once('exit', r));
    serve.child.kill('SIGTERM');
    await exited;
    db.close();
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await benchDashboard()) console.log(`${r.name.padEnd(84)} ${r.value.toFixed(1).padStart(8)} ${r.unit}${r.ok === undefined ? '' : `  target ${r.target}: ${r.ok ? 'met' : 'MISSED'}`}`);
}
