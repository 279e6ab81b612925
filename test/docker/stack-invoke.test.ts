// A stack deployed on the in-process registry with the real Docker invoker: the alias answers from the version the
// deploy published; a version whose handler throws on init is deployed (CloudFormation does not invoke) and fails
// at its first invoke through the alias with Lambda's init error, which is what a PreTraffic hook or an alarm sees.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deleteStack, deployStack } from '../../src/deploy/index.js';
import type { StackContext } from '../../src/deploy/index.js';
import { openDatabase } from '../../src/infra/index.js';
import type { Db } from '../../src/infra/index.js';
import { Registry } from '../../src/registry/index.js';
import { createDockerInvoker } from '../../src/registry/invoke/index.js';
import type { DockerInvoker } from '../../src/registry/invoke/index.js';
import { describeDocker } from '../support/docker.js';
import { containersOf } from '../registry-invoke/support.js';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { FunctionName: stack-invoke-fn, CodeUri: src/, Handler: index.handler, Runtime: nodejs18.x, AutoPublishAlias: live }
`;

describeDocker('a deployed stack invoked through its alias', () => {
  let dir: string;
  let db: Db;
  let invoker: DockerInvoker;
  let registry: Registry;
  let ctx: StackContext;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipe-stack-invoke-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
    db = openDatabase(join(dir, 'state.db'));
    invoker = await createDockerInvoker();
    registry = Registry.open({ invoker, db, home: dir });
    ctx = { db, lambda: registry, home: dir };
  });
  afterAll(async () => {
    registry.close();
    await invoker.close();
    expect(await containersOf(invoker.invokerId)).toEqual([]);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers from version 1, then a version that throws on init deploys and fails at its first invoke', async () => {
    writeFileSync(join(dir, 'src', 'index.js'), 'exports.handler = async () => ({ v: process.env.AWS_LAMBDA_FUNCTION_VERSION });\n');
    expect((await deployStack(ctx, { templateFile: join(dir, 'template.yaml'), stackName: 'inv' })).stack.status).toBe('CREATE_COMPLETE');
    const ok = await registry.invoke({ FunctionName: 'stack-invoke-fn', Qualifier: 'live' });
    expect({ error: ok.FunctionError, version: ok.ExecutedVersion, payload: ok.Payload?.toString() }).toEqual({ error: undefined, version: '1', payload: '{"v":"1"}' });

    writeFileSync(join(dir, 'src', 'index.js'), "throw new Error('broken at init');\n");
    expect((await deployStack(ctx, { templateFile: join(dir, 'template.yaml'), stackName: 'inv' })).stack.status).toBe('UPDATE_COMPLETE');
    const bad = await registry.invoke({ FunctionName: 'stack-invoke-fn', Qualifier: 'live' });
    expect(bad.FunctionError).toBe('Unhandled');
    expect(bad.ExecutedVersion).toBe('2');
    expect(bad.Payload?.toString()).toContain('broken at init');
    await deleteStack(ctx, 'inv');
    expect((await registry.listFunctions()).Functions).toEqual([]);
  });
});
