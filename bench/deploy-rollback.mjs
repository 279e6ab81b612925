// Benchmark of automatic rollback: a canary of a version that throws, an alarm on the alias's Errors (Sum >= 1 over
// one period, 60 s at 60x time, so one second), a loop invoking through the alias. Measured: from the ALARM seen to
// the alias back on the old version (the rollback itself), and from the first failed invocation of the new version
// to the alias back (detection included). Real containers (pipe/standard:1); imports the compiled code from dist/.
// Run alone: `node bench/deploy-rollback.mjs`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SAMPLES = 3;
const ROLE = 'arn:aws:iam::000000000000:role/bench';

async function importDist(path) {
  return import(pathToFileURL(join(ROOT, 'dist', path)).href);
}

function zip(dir, code) {
  writeFileSync(join(dir, 'index.js'), code);
  execFileSync('zip', ['-q', '-X', '-o', 'code.zip', 'index.js'], { cwd: dir });
  return readFileSync(join(dir, 'code.zip'));
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchDeployRollback() {
  const { openDeployRegistry } = await importDist('app/index.js');
  const { shiftTraffic } = await importDist('deploy/index.js');
  const home = mkdtempSync(join(tmpdir(), 'pipe-bench-rollback-'));
  const r = await openDeployRegistry(home);
  const alarmToBack = [];
  const failureToBack = [];
  try {
    for (let i = 0; i < SAMPLES; i++) {
      const name = `bench-rollback-${i}`;
      await r.registry.createFunction({ FunctionName: name, Role: ROLE, Runtime: 'nodejs18.x', Handler: 'index.handler', Code: { ZipFile: zip(home, 'exports.handler = async () => 1;') } });
      await r.registry.waitUntilReady({ FunctionName: name });
      await r.registry.publishVersion({ FunctionName: name });
      await r.registry.updateFunctionCode({ FunctionName: name, ZipFile: zip(home, 'exports.handler = async () => { throw new Error("bad"); };') });
      await r.registry.waitUntilReady({ FunctionName: name });
      await r.registry.publishVersion({ FunctionName: name });
      await r.registry.createAlias({ FunctionName: name, Name: 'live', FunctionVersion: '1' });
      await r.registry.waitUntilReady({ FunctionName: name, Qualifier: '2' });
      let firstFailure;
      let looping = true;
      const loop = (async () => {
        while (looping) {
          const out = await r.registry.invoke({ FunctionName: name, Qualifier: 'live' });
          if (out.FunctionError && firstFailure === undefined) firstFailure = performance.now();
        }
      })();
      let alarmAt;
      let backAt;
      const result = await shiftTraffic({
        lambda: r.registry, db: r.db, functionName: name, alias: 'live', currentVersion: '1', targetVersion: '2',
        deploymentType: 'Canary10Percent10Minutes', timeScale: 60,
        alarms: [{ name: `${name}-errors`, metricName: 'Errors', namespace: 'AWS/Lambda', dimensions: { FunctionName: name, Resource: `${name}:live` },
          statistic: 'Sum', period: 60, evaluationPeriods: 1, threshold: 1, comparisonOperator: 'GreaterThanOrEqualToThreshold', treatMissingData: 'notBreaching' }],
        onEvent: (e) => {
          if (e.type === 'alarm-state' && e.message.includes('-> ALARM')) alarmAt = performance.now();
          if (e.type === 'deployment-rolled-back') backAt = performance.now();
        },
      });
      looping = false;
      await loop;
      if (result.status !== 'Failed' || alarmAt === undefined || backAt === undefined || firstFailure === undefined) {
        throw new Error(`the rollback bench did not see an alarm roll back: ${JSON.stringify(result)}`);
      }
      alarmToBack.push(backAt - alarmAt);
      failureToBack.push(backAt - firstFailure);
    }
  } finally {
    await r.close();
    rmSync(home, { recursive: true, force: true });
  }
  return [
    { name: 'rollback: ALARM seen -> alias back on the old version (median)', value: median(alarmToBack), unit: 'ms' },
    { name: 'rollback: first failed invocation -> alias back, 1 s alarm period (median)', value: median(failureToBack), unit: 'ms' },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const row of await benchDeployRollback()) console.log(`${row.name.padEnd(72)} ${row.value.toFixed(1).padStart(10)} ${row.unit}`);
}
