// The registry through the real AWS CLI v2 (/usr/bin/aws) with --endpoint-url against a running server.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeNeeding, AWS_CLI, PYTHON } from '../support/docker.js';
import { ROLE, awsEnv, handlerZip, makeZip, startRegistry } from './support.js';
import type { TestRegistry } from './support.js';

const run = promisify(execFile);
let t: TestRegistry;

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(AWS_CLI, ['--endpoint-url', t.url, '--output', 'json', 'lambda', ...args], { env: awsEnv('eu-west-1') });
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

async function awsFails(...args: string[]): Promise<string> {
  try {
    await aws(...args);
  } catch (e) {
    return String((e as { stderr: string }).stderr).trim();
  }
  throw new Error(`aws ${args.join(' ')} succeeded`);
}


describeNeeding(['aws'], 'aws lambda (CLI v2) against pipe registry serve', () => {
  beforeAll(async () => {
    t = await startRegistry();
    writeFileSync(join(t.home, 'v1.zip'), handlerZip('exports.handler = async () => 1;'));
    writeFileSync(join(t.home, 'v2.zip'), handlerZip('exports.handler = async () => 2;'));
    writeFileSync(join(t.home, 'layer.zip'), makeZip([{ name: 'nodejs/node_modules/greet/index.js', content: 'module.exports = "hi";' }]));
  });
  afterAll(async () => t.stop());

  test('create, wait, get, update code, publish (idempotent), alias weights, layers, invoke, delete', async () => {
    const v1 = readFileSync(join(t.home, 'v1.zip'));
    const created = await aws('create-function', '--function-name', 'hello', '--runtime', 'nodejs20.x', '--handler', 'index.handler',
      '--role', ROLE, '--zip-file', `fileb://${join(t.home, 'v1.zip')}`, '--environment', 'Variables={GREETING=hi}');
    expect(created).toMatchObject({
      FunctionName: 'hello',
      FunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:hello',
      CodeSize: v1.length,
      CodeSha256: (await import('node:crypto')).createHash('sha256').update(v1).digest('base64'),
      State: 'Pending',
      Version: '$LATEST',
      Environment: { Variables: { GREETING: 'hi' } },
    });

    await aws('wait', 'function-active-v2', '--function-name', 'hello');
    const got = await aws('get-function', '--function-name', 'hello');
    expect(got['Configuration']).toMatchObject({ State: 'Active', LastUpdateStatus: 'Successful' });
    const location = (got['Code'] as { Location: string }).Location;
    expect(Buffer.from(await (await fetch(location)).arrayBuffer())).toEqual(v1);

    const p1 = await aws('publish-version', '--function-name', 'hello', '--description', 'first');
    expect(p1).toMatchObject({ Version: '1', FunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:hello:1' });
    const again = await aws('publish-version', '--function-name', 'hello', '--description', 'ignored');
    expect(again).toMatchObject({ Version: '1', Description: 'first' });

    const updated = await aws('update-function-code', '--function-name', 'hello', '--zip-file', `fileb://${join(t.home, 'v2.zip')}`);
    expect(updated).toMatchObject({ LastUpdateStatus: 'InProgress' });
    expect(updated['CodeSha256']).not.toBe(created['CodeSha256']);
    await aws('wait', 'function-updated-v2', '--function-name', 'hello');
    const p2 = await aws('publish-version', '--function-name', 'hello');
    expect(p2['Version']).toBe('2');

    const alias = await aws('create-alias', '--function-name', 'hello', '--name', 'live', '--function-version', '1',
      '--routing-config', '{"AdditionalVersionWeights":{"2":0.25}}');
    expect(alias).toMatchObject({ Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } } });
    const moved = await aws('update-alias', '--function-name', 'hello', '--name', 'live', '--function-version', '2',
      '--routing-config', '{"AdditionalVersionWeights":{}}');
    expect(moved).toMatchObject({ FunctionVersion: '2' });
    expect(moved['RoutingConfig']).toBeUndefined();
    expect(moved['RevisionId']).not.toBe(alias['RevisionId']);

    const layer = await aws('publish-layer-version', '--layer-name', 'greet', '--zip-file', `fileb://${join(t.home, 'layer.zip')}`,
      '--compatible-runtimes', 'nodejs20.x');
    expect(layer).toMatchObject({ Version: 1, LayerVersionArn: 'arn:aws:lambda:eu-west-1:000000000000:layer:greet:1' });
    const attached = await aws('update-function-configuration', '--function-name', 'hello', '--layers', String(layer['LayerVersionArn']));
    expect(attached['Layers']).toEqual([{ Arn: layer['LayerVersionArn'], CodeSize: (layer['Content'] as { CodeSize: number }).CodeSize }]);
    await aws('wait', 'function-updated-v2', '--function-name', 'hello');
    expect((await aws('list-layers'))['Layers']).toHaveLength(1);

    const out = join(t.home, 'out.json');
    const invoked = await aws('invoke', '--function-name', 'hello:live', '--cli-binary-format', 'raw-in-base64-out',
      '--payload', '{"n":1}', '--log-type', 'Tail', out);
    expect(invoked).toMatchObject({ StatusCode: 200, ExecutedVersion: '2' });
    expect(Buffer.from(String(invoked['LogResult']), 'base64').toString()).toMatch(/^START RequestId: .* Version: 2\n/);
    expect(readFileSync(out, 'utf8')).toBe('{"n":1}');
    const target = t.invoker.requests.at(-1)?.target;
    expect(target).toMatchObject({ version: '2', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:hello:live' });

    const failed = await aws('invoke', '--function-name', 'hello', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"fail":"boom"}', out);
    expect(failed).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled', ExecutedVersion: '$LATEST' });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ errorMessage: 'boom' });

    const event = await aws('invoke', '--function-name', 'hello', '--invocation-type', 'Event', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{}', out);
    expect(event).toEqual({ StatusCode: 202 });

    expect(await awsFails('delete-function', '--function-name', 'hello', '--qualifier', '2')).toContain(
      'An error occurred (ResourceConflictException) when calling the DeleteFunction operation: Unable to delete version because the following aliases reference it: [live]',
    );
    await aws('delete-function', '--function-name', 'hello', '--qualifier', '1');
    const versions = (await aws('list-versions-by-function', '--function-name', 'hello'))['Versions'] as { Version: string }[];
    expect(versions.map((v) => v.Version)).toEqual(['$LATEST', '2']);
    await aws('delete-alias', '--function-name', 'hello', '--name', 'live');
    await aws('delete-layer-version', '--layer-name', 'greet', '--version-number', '1');
    await aws('delete-function', '--function-name', 'arn:aws:lambda:eu-west-1:000000000000:function:hello');
    expect(await awsFails('get-function', '--function-name', 'hello')).toContain(
      'An error occurred (ResourceNotFoundException) when calling the GetFunction operation: Function not found: arn:aws:lambda:eu-west-1:000000000000:function:hello',
    );
    expect(t.invoker.retired.at(-1)).toEqual({ functionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:hello', version: undefined });
  });

  test('limits reach the server and come back in AWS words', async () => {
    const zip = `fileb://${join(t.home, 'v1.zip')}`;
    expect(await awsFails('create-function', '--function-name', 'big', '--runtime', 'nodejs20.x', '--handler', 'index.handler',
      '--role', ROLE, '--zip-file', zip, '--memory-size', '20000')).toContain(
      "(ValidationException) when calling the CreateFunction operation: 1 validation error detected: Value '20000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240",
    );
    expect(await awsFails('create-function', '--function-name', 'old', '--runtime', 'python3.7', '--handler', 'index.handler',
      '--role', ROLE, '--zip-file', zip)).toContain(
      '(InvalidParameterValueException) when calling the CreateFunction operation: The runtime parameter of python3.7 is no longer supported',
    );
    const evil = join(t.home, 'evil.zip');
    writeFileSync(evil, makeZip([{ name: '../escape.js', content: 'x' }]));
    expect(await awsFails('create-function', '--function-name', 'evil', '--runtime', 'nodejs20.x', '--handler', 'index.handler',
      '--role', ROLE, '--zip-file', `fileb://${evil}`)).toContain(
      '(InvalidParameterValueException) when calling the CreateFunction operation: Could not unzip uploaded file. Please check your file, then try to upload again.',
    );
    expect((await aws('list-functions'))['Functions']).toEqual([]);
  });
});
