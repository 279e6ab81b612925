// Deployments of an alias against the real registry and real containers (pipe/standard:1, node functions): a canary
// run to its end with the weights seen moving, PreTraffic hooks that report Failed, throw or never report, and an
// alarm on the alias's Errors that fires in the bake window and rolls back while a loop invokes through the alias.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DeployLog, DeploymentStore, shiftTraffic } from '../../src/deploy/index.js';
import type { AlarmSpec } from '../../src/deploy/index.js';
import { describeDocker } from '../support/docker.js';
import { functionWithVersions, hookFunction, openDeployHome } from './support.js';
import type { DeployHome } from './support.js';

const V = (n: number) => `exports.handler = async () => "v${n}";`;
const THROWS = 'exports.handler = async () => { throw new Error("bad release"); };';

describeDocker('traffic shifting of an alias, with hooks, alarms and rollback', () => {
  let h: DeployHome;
  beforeAll(async () => {
    h = await openDeployHome();
  });
  afterAll(async () => h.close());

  test('a canary moves 10% to the new version, then all of it; the PostTraffic hook reports Succeeded; every step is recorded', async () => {
    await functionWithVersions(h.r, 'canary', [V(1), V(2)]);
    await hookFunction(h.r, 'canary-post', 'Succeeded');
    const seen = new Set<string>();
    const events: string[] = [];
    let done = false;
    // Watches the alias as a client would while the deployment runs.
    const watch = (async () => {
      while (!done) {
        const a = await h.r.registry.getAlias({ FunctionName: 'canary', Name: 'live' });
        seen.add(`${a.FunctionVersion} ${JSON.stringify(a.RoutingConfig?.AdditionalVersionWeights ?? {})}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const result = await shiftTraffic({
      lambda: h.r.registry, db: h.r.db, functionName: 'canary', alias: 'live', currentVersion: '1', targetVersion: '2',
      deploymentType: 'Canary10Percent5Minutes', timeScale: 300, hooks: { postTraffic: 'canary-post' },
      onEvent: (e) => events.push(e.message),
    });
    done = true;
    await watch;
    expect(result).toEqual({ deploymentId: expect.stringMatching(/^d-[A-Z0-9]{9}$/), status: 'Succeeded' });
    expect([...seen]).toEqual(['1 {}', '1 {"2":0.1}', '2 {}']);
    expect(events.filter((m) => m.includes('->'))).toEqual(['canary:live -> version 2 10%, version 1 90%', 'canary:live -> version 2 (100%)']);
    const d = new DeploymentStore(h.r.db).get(result.deploymentId);
    expect(d?.status).toBe('Succeeded');
    expect(d?.lifecycleEvents.map((e) => `${e.name} ${e.status}`)).toEqual(['Start Succeeded', 'BeforeAllowTraffic Skipped', 'AllowTraffic Succeeded', 'AfterAllowTraffic Succeeded', 'End Succeeded']);
    expect(d?.lifecycleEvents[3]?.hookFunction).toBe('canary-post');
    const [first, last] = d?.steps ?? [];
    expect([first?.weight, last?.weight]).toEqual([0.1, 1]);
    // Five AWS minutes at 300x: one second between the two steps (both planned from AllowTraffic's start).
    expect((last?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect((last?.at ?? 0) - (first?.at ?? 0)).toBeLessThan(3000);
    const after = await h.r.registry.invoke({ FunctionName: 'canary', Qualifier: 'live' });
    expect([after.ExecutedVersion, after.Payload?.toString()]).toEqual(['2', '"v2"']);
  });

  test('a PreTraffic hook that reports Failed, one that throws, one that never reports: no traffic moves, the deployment fails with why; a failing PostTraffic hook reverts', async () => {
    await functionWithVersions(h.r, 'guarded', [V(1), V(2)]);
    await hookFunction(h.r, 'pre-fails', 'Failed');
    await hookFunction(h.r, 'pre-throws', 'throw');
    await hookFunction(h.r, 'pre-silent', 'none');
    const store = new DeploymentStore(h.r.db);
    // CodeDeploy's hour for a hook's report lasts a minute at 60x, a second at 3600x (shorter than a cold start here).
    const run = (hook: string, timeScale = 60) => shiftTraffic({
      lambda: h.r.registry, db: h.r.db, functionName: 'guarded', alias: 'live', currentVersion: '1', targetVersion: '2',
      deploymentType: 'Canary10Percent5Minutes', timeScale, hooks: { preTraffic: hook },
    });
    const failed = await run('pre-fails');
    expect(failed).toMatchObject({ status: 'Failed', reason: 'BeforeAllowTraffic hook pre-fails reported Failed' });
    expect(store.get(failed.deploymentId)?.lifecycleEvents.map((e) => `${e.name} ${e.status}`)).toEqual([
      'Start Succeeded', 'BeforeAllowTraffic Failed', 'AllowTraffic Skipped', 'AfterAllowTraffic Skipped', 'End Skipped',
    ]);
    expect(store.get(failed.deploymentId)?.errorCode).toBe('HOOK_EXECUTION_FAILURE');
    const threw = await run('pre-throws');
    expect(threw).toMatchObject({ status: 'Failed', reason: 'BeforeAllowTraffic hook pre-throws failed: Error: hook broke' });
    const started = Date.now();
    const silent = await run('pre-silent', 3600);
    expect(silent).toMatchObject({ status: 'Failed', reason: 'BeforeAllowTraffic hook pre-silent did not report its status within 60 minutes (1 s at 3600x time)' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const a = await h.r.registry.getAlias({ FunctionName: 'guarded', Name: 'live' });
    expect([a.FunctionVersion, a.RoutingConfig]).toEqual(['1', undefined]);
    // After AllowTraffic the alias is all on the new version: a failing PostTraffic hook really reverts it.
    const moved: string[] = [];
    const post = await shiftTraffic({
      lambda: h.r.registry, db: h.r.db, functionName: 'guarded', alias: 'live', currentVersion: '1', targetVersion: '2',
      deploymentType: 'AllAtOnce', timeScale: 60, hooks: { postTraffic: 'pre-fails' }, onEvent: (e) => moved.push(e.message),
    });
    expect(post).toMatchObject({ status: 'Failed', reason: 'AfterAllowTraffic hook pre-fails reported Failed' });
    expect(moved).toContain('guarded:live -> version 2 (100%)');
    expect(moved.at(-1)).toMatch(/^deployment d-\w+ failed \(HOOK_EXECUTION_FAILURE\): AfterAllowTraffic hook pre-fails reported Failed; guarded:live rolled back to version 1 in \d+ ms$/);
    const back = await h.r.registry.getAlias({ FunctionName: 'guarded', Name: 'live' });
    expect([back.FunctionVersion, back.RoutingConfig]).toEqual(['1', undefined]);
  });

  test('an alarm on the alias\'s Errors fires in the bake window: the alias is back on the old version, and no invocation failed because of the switch', async () => {
    await functionWithVersions(h.r, 'orders', [V(1), THROWS]);
    const alarm: AlarmSpec = {
      name: 'orders-errors', metricName: 'Errors', namespace: 'AWS/Lambda', dimensions: { FunctionName: 'orders', Resource: 'orders:live' },
      statistic: 'Sum', period: 60, evaluationPeriods: 1, threshold: 1, comparisonOperator: 'GreaterThanOrEqualToThreshold', treatMissingData: 'notBreaching',
    };
    let looping = true;
    const outcomes = { v1: 0, v2: 0, functionErrors: 0, otherErrors: [] as string[] };
    const loop = (async () => {
      while (looping) {
        try {
          const r = await h.r.registry.invoke({ FunctionName: 'orders', Qualifier: 'live' });
          if (r.FunctionError) outcomes.functionErrors++;
          else if (r.ExecutedVersion === '1') outcomes.v1++;
          else outcomes.v2++;
        } catch (e) {
          outcomes.otherErrors.push(String(e));
        }
      }
    })();
    const events: string[] = [];
    const started = Date.now();
    // Ten AWS minutes of bake at 60x: the alarm must end it well before.
    const result = await shiftTraffic({
      lambda: h.r.registry, db: h.r.db, functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2',
      deploymentType: 'Canary10Percent10Minutes', timeScale: 60, alarms: [alarm], onEvent: (e) => events.push(e.message),
    });
    const rolledBackAfter = Date.now() - started;
    const v1Before = outcomes.v1;
    const errorsAtRollback = outcomes.functionErrors;
    await new Promise((r) => setTimeout(r, 300));
    looping = false;
    await loop;
    expect(result.status).toBe('Failed');
    expect(result.reason).toMatch(/^alarm orders-errors is in ALARM: Threshold Crossed: 1 of 1 datapoint\(s\) \[\d+\.0\] breached the threshold: Errors Sum greater than or equal to 1\.0$/);
    expect(rolledBackAfter).toBeLessThan(10_000);
    expect(events.some((m) => m.startsWith('alarm orders-errors: OK -> ALARM') || m.startsWith('alarm orders-errors: INSUFFICIENT_DATA -> ALARM'))).toBe(true);
    const a = await h.r.registry.getAlias({ FunctionName: 'orders', Name: 'live' });
    expect([a.FunctionVersion, a.RoutingConfig]).toEqual(['1', undefined]);
    // The new version is kept, as AWS keeps it.
    expect((await h.r.registry.getFunctionConfiguration({ FunctionName: 'orders', Qualifier: '2' })).Version).toBe('2');
    expect(outcomes.otherErrors).toEqual([]);
    expect(errorsAtRollback).toBeGreaterThan(0);
    // After the rollback every invocation runs version 1 (a call in flight at the switch may still end on 2).
    expect(outcomes.functionErrors - errorsAtRollback).toBeLessThanOrEqual(1);
    expect(outcomes.v1).toBeGreaterThan(v1Before);
    const record = new DeploymentStore(h.r.db).get(result.deploymentId);
    expect(record).toMatchObject({ status: 'Failed', errorCode: 'ALARM_ACTIVE', weight: 0 });
    // The state the page shows: the alarm as the deployment last evaluated it, each change appended to the deploy log.
    expect(record?.alarmStates['orders-errors']).toMatchObject({ state: 'ALARM', reason: expect.stringMatching(/^Threshold Crossed: 1 of 1 datapoint/) });
    const seen: string[] = [];
    for (const { entry } of new DeployLog(h.r.db).after(0, 10_000)) {
      if (entry.kind === 'deployment' && entry.change === 'alarm' && entry.deployment.deploymentId === result.deploymentId) seen.push(entry.deployment.alarmStates['orders-errors']?.state ?? '?');
    }
    expect(seen.at(-1)).toBe('ALARM');
    expect(new Set(seen).size).toBe(seen.length); // appended on a change only, not on every look
  });
});
