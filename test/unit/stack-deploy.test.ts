// Stacks through their life on the in-process registry (no container: nothing here invokes): create, an update
// that changes only a layer, an update that changes nothing, a code change moving the alias, a failed first create
// (ROLLBACK_COMPLETE, delete, create), a failed update rolled back to the exact previous state, delete with Retain,
// and a deploy killed at every registry call, then recovered.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PipeError } from '../../src/core/index.js';
import type { ValidationError } from '../../src/core/index.js';
import { deleteStack, deployStack, listGatewayRoutes, recoverStacks, StackStore } from '../../src/deploy/index.js';
import type { StackContext, StackTrafficShift } from '../../src/deploy/index.js';
import { openDatabase } from '../../src/infra/index.js';
import type { Db } from '../../src/infra/index.js';
import { Registry } from '../../src/registry/index.js';
import type { Invoker, LambdaApi } from '../../src/registry/index.js';

const NO_INVOKE: Invoker = {
  invoke: () => Promise.reject(new PipeError('INTERNAL', 'these tests never invoke')),
  retire: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

let dir: string;
let db: Db;
let registry: Registry;
let ctx: StackContext;

const TEMPLATE = `AWSTemplateFormatVersion: 2010-09-09
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting:
    Type: String
    Default: hello
    AllowedValues: [hello, hi]
Resources:
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
      RetentionPolicy: Delete
  Api:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      AutoPublishAlias: live
      Layers: [!Ref Shared]
      Environment:
        Variables:
          GREETING: !Ref Greeting
Outputs:
  Alias:
    Value: !Ref Api.Alias
  Version:
    Value: !GetAtt Api.Version.Version
`;

function write(rel: string, text: string): void {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), text);
}

async function deploy(parameters: Record<string, string> = {}, c: StackContext = ctx) {
  return deployStack(c, { templateFile: join(dir, 'template.yaml'), stackName: 'app', parameters });
}

async function functionNames(): Promise<string[]> {
  return (await registry.listFunctions()).Functions.map((f) => f.FunctionName);
}

async function layerVersions(name = 'Shared'): Promise<number[]> {
  return (await registry.listLayerVersions({ LayerName: name }).catch(() => ({ LayerVersions: [] }))).LayerVersions.map((v) => v.Version).sort();
}

async function versions(fn: string): Promise<string[]> {
  return (await registry.listVersionsByFunction({ FunctionName: fn })).Versions.map((v) => v.Version);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pipe-stack-'));
  db = openDatabase(join(dir, 'state.db'));
  registry = Registry.open({ invoker: NO_INVOKE, db, home: dir, settleMs: 0 });
  ctx = { db, lambda: registry, home: dir };
  write('template.yaml', TEMPLATE);
  write('src/app.py', 'def handler(event, context):\n    return "v1"\n');
  write('layer/python/shared.py', 'VALUE = 1\n');
});

afterEach(() => {
  registry.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('stack life', () => {
  it('creates the layer, the function, version 1 and the alias, and answers outputs', async () => {
    const r = await deploy();
    expect(r.stack.status).toBe('CREATE_COMPLETE');
    const fn = r.plan.functions[0]!.functionName;
    expect(fn).toMatch(/^app-Api-[0-9A-F]{12}$/);
    const config = await registry.getFunctionConfiguration({ FunctionName: fn });
    expect(config.Layers?.map((l) => l.Arn)).toEqual(['arn:aws:lambda:us-east-1:000000000000:layer:Shared:1']);
    expect(config.Environment?.Variables).toEqual({ GREETING: 'hello' });
    expect((await registry.getAlias({ FunctionName: fn, Name: 'live' })).FunctionVersion).toBe('1');
    expect(r.stack.outputs).toEqual([
      { OutputKey: 'Alias', OutputValue: `arn:aws:lambda:us-east-1:000000000000:function:${fn}:live` },
      { OutputKey: 'Version', OutputValue: '1' },
    ]);
    const events = new StackStore(db).events('app').map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`).reverse();
    expect(events).toEqual([
      'app CREATE_IN_PROGRESS', 'Shared CREATE_IN_PROGRESS', 'Shared CREATE_COMPLETE', 'Api CREATE_IN_PROGRESS', 'Api CREATE_COMPLETE', 'app CREATE_COMPLETE',
    ]);
  });

  it("stores the Api events of the sample service as gateway routes on its alias; a delete removes them", async () => {
    const sample = join(import.meta.dirname, '../../sample/hello-service/template.yaml');
    const r = await deployStack(ctx, { templateFile: sample, stackName: 'hello' });
    expect(r.stack.status).toBe('CREATE_COMPLETE');
    expect(listGatewayRoutes(db)).toEqual([{
      stackName: 'hello', apiId: 'ServerlessRestApi', kind: 'rest', method: 'GET', path: '/hello', stage: 'Prod', functionName: 'hello-service-dev', qualifier: 'live',
    }]);
    await deleteStack(ctx, 'hello');
    expect(listGatewayRoutes(db)).toEqual([]);
  });

  it('an update with nothing changed makes no registry change and publishes no version', async () => {
    const first = await deploy();
    const fn = first.plan.functions[0]!.functionName;
    const before = await registry.getFunctionConfiguration({ FunctionName: fn });
    const again = await deploy();
    expect(again.changed).toBe(false);
    expect(again.plan.changes).toEqual([]);
    expect(await versions(fn)).toEqual(['$LATEST', '1']);
    expect((await registry.getFunctionConfiguration({ FunctionName: fn })).RevisionId).toBe(before.RevisionId);
    expect(await layerVersions()).toEqual([1]);
  });

  it('an update of only the layer publishes layer version 2, points the function at it, deletes version 1, publishes no function version', async () => {
    const fn = (await deploy()).plan.functions[0]!.functionName;
    write('layer/python/shared.py', 'VALUE = 2\n');
    const r = await deploy();
    expect(r.stack.status).toBe('UPDATE_COMPLETE');
    expect(r.plan.changes.map((c) => `${c.action} ${c.logicalId} ${c.replacement} ${c.details.join(',')}`)).toEqual([
      'Modify Shared True content', 'Modify Api False configuration: Layers',
    ]);
    expect((await registry.getFunctionConfiguration({ FunctionName: fn })).Layers?.map((l) => l.Arn)).toEqual(['arn:aws:lambda:us-east-1:000000000000:layer:Shared:2']);
    expect(await layerVersions()).toEqual([2]);
    expect(await versions(fn)).toEqual(['$LATEST', '1']);
  });

  it('a code change publishes version 2 and moves the alias; a parameter override changes the environment', async () => {
    const fn = (await deploy()).plan.functions[0]!.functionName;
    write('src/app.py', 'def handler(event, context):\n    return "v2"\n');
    const r = await deploy({ Greeting: 'hi' });
    expect(r.stack.status).toBe('UPDATE_COMPLETE');
    expect(await versions(fn)).toEqual(['$LATEST', '1', '2']);
    expect((await registry.getAlias({ FunctionName: fn, Name: 'live' })).FunctionVersion).toBe('2');
    expect((await registry.getFunctionConfiguration({ FunctionName: fn, Qualifier: '2' })).Environment?.Variables).toEqual({ GREETING: 'hi' });
    expect(r.stack.outputs.find((o) => o.OutputKey === 'Version')?.OutputValue).toBe('2');
    // The stack keeps only the zip of the code deployed now.
    expect(readdirSync(join(dir, 'stacks', 'app', 'code'))).toHaveLength(1);
  });

  it('an update that drops a function (or turns its Condition off) deletes it in the cleanup', async () => {
    write('template.yaml', TEMPLATE.replace('Resources:', `Conditions:
  WithExtra: !Equals [!Ref Greeting, hello]
Resources:
  Extra:
    Type: AWS::Serverless::Function
    Condition: WithExtra
    Properties: { CodeUri: src/, Handler: app.handler, Runtime: python3.12 }
  Other:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.handler, Runtime: python3.12 }`));
    const r = await deploy();
    expect(await functionNames()).toHaveLength(3);
    const api = r.plan.functions.find((f) => f.logicalId === 'Api')!.functionName;
    write('template.yaml', TEMPLATE.replace('Resources:', `Conditions:
  WithExtra: !Equals [!Ref Greeting, hello]
Resources:
  Extra:
    Type: AWS::Serverless::Function
    Condition: WithExtra
    Properties: { CodeUri: src/, Handler: app.handler, Runtime: python3.12 }`));
    const next = await deploy({ Greeting: 'hi' });
    expect(next.plan.changes.filter((c) => c.action === 'Remove').map((c) => c.logicalId).sort()).toEqual(['Extra', 'Other']);
    expect(next.stack.status).toBe('UPDATE_COMPLETE');
    expect(await functionNames()).toEqual([api]);
    expect(new StackStore(db).resources('app').map((x) => x.logicalId)).toEqual(['Shared', 'Api']);
    const events = new StackStore(db).events('app').map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`);
    // Events newest first; resources are deleted one at a time in the reverse of their creation order. Extra and
    // Other were created at once (one dependency level), so either may have been stored first, as on CloudFormation.
    const deletes = (first: string, second: string) => [`${second} DELETE_COMPLETE`, `${second} DELETE_IN_PROGRESS`, `${first} DELETE_COMPLETE`, `${first} DELETE_IN_PROGRESS`];
    expect([events[0], events[5]]).toEqual(['app UPDATE_COMPLETE', 'app UPDATE_COMPLETE_CLEANUP_IN_PROGRESS']);
    expect([deletes('Other', 'Extra'), deletes('Extra', 'Other')]).toContainEqual(events.slice(1, 5));
  });

  it('a parameter outside AllowedValues is refused before anything changes', async () => {
    await expect(deploy({ Greeting: 'yo' })).rejects.toThrow(/problem/);
    const err = await deploy({ Greeting: 'yo' }).then(() => undefined, (e: unknown) => e as ValidationError);
    expect(err?.format()).toContain("parameter Greeting: 'yo' is not one of the AllowedValues: hello, hi");
    expect(new StackStore(db).get('app')).toBeUndefined();
    expect(await functionNames()).toEqual([]);
  });

  it('a first create that fails rolls back to ROLLBACK_COMPLETE leaving nothing; it must be deleted before it is created again', async () => {
    await registry.createFunction({ FunctionName: 'taken', Role: 'arn:aws:iam::000000000000:role/r', Runtime: 'python3.12', Handler: 'a.b', Code: { ZipFile: emptyZip() } });
    write('template.yaml', `${TEMPLATE.split('Outputs:')[0] ?? ''}  Second:
    Type: AWS::Serverless::Function
    DependsOn: Api
    Properties:
      FunctionName: taken
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
`);
    const r = await deploy();
    expect(r.failure).toMatch(/Second: .*taken/);
    expect(r.stack.status).toBe('ROLLBACK_COMPLETE');
    expect(await functionNames()).toEqual(['taken']);
    expect(await layerVersions()).toEqual([]);
    await expect(deploy()).rejects.toThrow('stack app is in ROLLBACK_COMPLETE state and can not be updated');
    await deleteStack(ctx, 'app');
    expect(new StackStore(db).get('app')).toBeUndefined();
    write('template.yaml', TEMPLATE);
    expect((await deploy()).stack.status).toBe('CREATE_COMPLETE');
  });

  it('a failed update puts back the exact previous code, configuration, alias and layer; versions published stay', async () => {
    const fn = (await deploy()).plan.functions[0]!.functionName;
    const before = await registry.getFunctionConfiguration({ FunctionName: fn });
    await registry.createFunction({ FunctionName: 'taken', Role: 'arn:aws:iam::000000000000:role/r', Runtime: 'python3.12', Handler: 'a.b', Code: { ZipFile: emptyZip() } });
    write('src/app.py', 'def handler(event, context):\n    return "v2"\n');
    write('layer/python/shared.py', 'VALUE = 2\n');
    write('template.yaml', TEMPLATE.replace('Outputs:', `  Second:
    Type: AWS::Serverless::Function
    DependsOn: Api
    Properties:
      FunctionName: taken
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
Outputs:`).replace('Default: hello', 'Default: hi'));
    const r = await deploy();
    expect(r.stack.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    const after = await registry.getFunctionConfiguration({ FunctionName: fn });
    expect(after.CodeSha256).toBe(before.CodeSha256);
    expect(after.Environment).toEqual(before.Environment);
    expect(after.Layers).toEqual(before.Layers);
    expect((await registry.getAlias({ FunctionName: fn, Name: 'live' })).FunctionVersion).toBe('1');
    expect(await versions(fn)).toEqual(['$LATEST', '1', '2']);
    expect(await layerVersions()).toEqual([1]);
    expect(new StackStore(db).resources('app').map((x) => `${x.logicalId} ${x.status}`)).toEqual(['Shared CREATE_COMPLETE', 'Api CREATE_COMPLETE']);
    expect((await deploy()).stack.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  });

  it('delete removes function, versions, alias and layer versions, and keeps what is Retain', async () => {
    const retained = (TEMPLATE.split('Outputs:')[0] ?? '')
      .replace('RetentionPolicy: Delete', 'RetentionPolicy: Retain')
      .replace('  Api:\n    Type: AWS::Serverless::Function\n', '  Api:\n    Type: AWS::Serverless::Function\n    DeletionPolicy: Retain\n');
    write('template.yaml', `${retained}  Gone:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      AutoPublishAlias: live
`);
    const r = await deploy();
    const kept = r.plan.functions.find((f) => f.logicalId === 'Api')!.functionName;
    expect((await functionNames()).sort()).toEqual([kept, r.plan.functions.find((f) => f.logicalId === 'Gone')!.functionName].sort());
    await deleteStack(ctx, 'app');
    expect(await functionNames()).toEqual([kept]);
    expect(await layerVersions()).toEqual([1]);
    expect(new StackStore(db).list()).toEqual([]);
  });
});

describe('a function with a DeploymentPreference', () => {
  const CANARY = `Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      AutoPublishAlias: live
      DeploymentPreference:
        Type: Canary10Percent5Minutes
        Alarms: [!Ref Errors]
        Hooks: { PreTraffic: !Ref Check }
  Check:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: CodeDeployHook_check
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      DeploymentPreference: { Enabled: false }
      Environment: { Variables: { TARGET: !Ref Api.Version } }
  Errors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      MetricName: Errors
      Namespace: AWS/Lambda
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      Dimensions:
        - { Name: Resource, Value: !Sub "\${Api}:live" }
        - { Name: FunctionName, Value: !Ref Api }
`;

  it('hands the shift to the traffic step with the hook and the alarm resolved; a failed shift rolls the stack back', async () => {
    write('template.yaml', CANARY);
    const asked: StackTrafficShift[] = [];
    let answer: 'Succeeded' | 'Failed' = 'Succeeded';
    const shifting: StackContext = {
      ...ctx,
      shiftTraffic: async (req) => {
        asked.push(req);
        if (answer === 'Failed') return { deploymentId: 'd-2', status: 'Failed', reason: 'alarm Errors is in ALARM' };
        await req.lambda.updateAlias({ FunctionName: req.functionName, Name: req.alias, FunctionVersion: req.targetVersion });
        return { deploymentId: 'd-1', status: 'Succeeded' };
      },
    };
    const first = await deploy({}, shifting);
    expect(first.stack.status).toBe('CREATE_COMPLETE');
    expect(asked).toEqual([]);
    const fn = first.plan.functions.find((f) => f.logicalId === 'Api')!.functionName;
    write('src/app.py', 'def handler(event, context):\n    return "v2"\n');
    expect((await deploy({}, shifting)).stack.status).toBe('UPDATE_COMPLETE');
    expect(asked.map((a) => ({ ...a, lambda: undefined, db: undefined, onEvent: undefined }))).toEqual([{
      lambda: undefined, db: undefined, onEvent: undefined, functionName: fn, alias: 'live', currentVersion: '1', targetVersion: '2',
      deploymentType: 'Canary10Percent5Minutes', hooks: { preTraffic: 'CodeDeployHook_check' }, stackName: 'app', logicalId: 'Api',
      alarms: [{
        name: 'app-Errors', metricName: 'Errors', namespace: 'AWS/Lambda', dimensions: { Resource: `${fn}:live`, FunctionName: fn }, statistic: 'Sum',
        period: 60, evaluationPeriods: 1, threshold: 1, comparisonOperator: 'GreaterThanOrEqualToThreshold',
      }],
    }]);
    expect((await registry.getAlias({ FunctionName: fn, Name: 'live' })).FunctionVersion).toBe('2');
    answer = 'Failed';
    write('src/app.py', 'def handler(event, context):\n    return "v3"\n');
    const failed = await deploy({}, shifting);
    expect(failed.stack.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(failed.failure).toBe(`Api: deployment d-2 of ${fn}:live Failed: alarm Errors is in ALARM`);
    expect((await registry.getAlias({ FunctionName: fn, Name: 'live' })).FunctionVersion).toBe('2');
    expect(await versions(fn)).toEqual(['$LATEST', '1', '2', '3']);
  });
});

/** Forwards to the registry, and at call `n` stops answering: before the call runs, or after it ran. */
function dyingAt(n: number, after: boolean): { api: LambdaApi; died: Promise<void> } {
  let count = 0;
  let die!: () => void;
  const died = new Promise<void>((resolve) => (die = resolve));
  const api = new Proxy(registry, {
    get(target, prop) {
      const v = Reflect.get(target, prop) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        count++;
        if (count === n && !after) {
          die();
          return new Promise(() => undefined);
        }
        const result = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (count === n) {
          die();
          return new Promise(() => undefined);
        }
        return result;
      };
    },
  }) as unknown as LambdaApi;
  return { api, died };
}

describe('a deploy killed at any registry call', () => {
  it('is recovered by the next command to a consistent state, and a second deploy works', async () => {
    let calls = 0;
    for (let n = 1; n <= 40; n++) {
      for (const after of [false, true]) {
        const fresh = mkdtempSync(join(tmpdir(), 'pipe-stack-kill-'));
        const fdb = openDatabase(join(fresh, 'state.db'));
        const reg = Registry.open({ invoker: NO_INVOKE, db: fdb, home: fresh, settleMs: 0 });
        registry = reg;
        const base = { db: fdb, lambda: reg, home: fresh };
        try {
          await deployStack(base, { templateFile: join(dir, 'template.yaml'), stackName: 'app' });
          write('src/app.py', `def handler(event, context):\n    return "${n}${after}"\n`);
          write('layer/python/shared.py', `VALUE = "${n}${after}"\n`);
          const { api, died } = dyingAt(n, after);
          const outcome = await Promise.race([deployStack({ ...base, lambda: api }, { templateFile: join(dir, 'template.yaml'), stackName: 'app' }).then(() => 'finished'), died.then(() => 'killed')]);
          if (outcome === 'finished') {
            calls = n - 1;
            break;
          }
          // The owner is gone: another process sees a dead pid.
          fdb.prepare('UPDATE stacks SET owner_pid = 999999999').run();
          // And a code zip it was writing when it died, half-written beside the stack's code.
          const codeDir = join(fresh, 'stacks', 'app', 'code');
          writeFileSync(join(codeDir, '.0123abcd.zip.999999999.0a0b0c0d.tmp'), 'PK');
          expect(await recoverStacks({ ...base, isAlive: () => false })).toEqual(['app']);
          const s = new StackStore(fdb).get('app')!;
          // Killed while cleaning up, the update had succeeded: recovery finishes it; otherwise it is rolled back.
          expect(['UPDATE_ROLLBACK_COMPLETE', 'UPDATE_COMPLETE']).toContain(s.status);
          const fn = (await reg.listFunctions()).Functions.map((f) => f.FunctionName);
          expect(fn).toHaveLength(1);
          const stored = new StackStore(fdb).resources('app');
          const layer = stored.find((r) => r.logicalId === 'Shared')!.state as { versionArn: string };
          expect((await reg.getFunctionConfiguration({ FunctionName: fn[0]! })).Layers?.map((l) => l.Arn)).toEqual([layer.versionArn]);
          expect((await reg.getAlias({ FunctionName: fn[0]!, Name: 'live' })).FunctionVersion).toBe(s.status === 'UPDATE_COMPLETE' ? '2' : '1');
          expect((await reg.listLayerVersions({ LayerName: 'Shared' })).LayerVersions.map((v) => v.LayerVersionArn)).toEqual([layer.versionArn]);
          // Its code folder holds the zip the stack names, no other, and no half-written one.
          expect(readdirSync(codeDir).map((f) => join(codeDir, f))).toEqual(stored.flatMap((r) => (r.state?.kind === 'function' ? [r.state.codeZip] : [])));
          expect((await deployStack(base, { templateFile: join(dir, 'template.yaml'), stackName: 'app' })).stack.status).toBe('UPDATE_COMPLETE');
        } finally {
          reg.close();
          fdb.close();
          rmSync(fresh, { recursive: true, force: true });
        }
      }
      if (calls) break;
    }
    // The update makes a handful of registry calls; every one of them was a place to die.
    expect(calls).toBeGreaterThan(5);
    registry = Registry.open({ invoker: NO_INVOKE, db, home: dir, settleMs: 0 });
  });
});

function emptyZip(): Buffer {
  // The smallest zip: an end-of-central-directory record and nothing else.
  return Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
}
