// The SSM Parameter Store and Secrets Manager JSON APIs on the registry port, through the real AWS CLI v2 and boto3:
// what they write is what the local stores hold (sealed), what `pipe parameters put` / `pipe secrets put` wrote
// they read, and their errors are AWS's codes and messages.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../../src/infra/sqlite.js';
import type { Db } from '../../src/infra/sqlite.js';
import { ParameterStore, SecretStore, ephemeralCipher, secretsManagerService, ssmService } from '../../src/secrets/index.js';
import { AWS_CLI, PYTHON, describeNeeding } from '../support/docker.js';
import { awsEnv, startRegistry } from './support.js';
import type { TestRegistry } from './support.js';

const run = promisify(execFile);
let t: TestRegistry;
let db: Db;
let parameters: ParameterStore;
let secrets: SecretStore;

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(AWS_CLI, ['--endpoint-url', t.url, '--output', 'json', ...args], { env: awsEnv('eu-west-1') });
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

function setUp(): void {
  beforeAll(async () => {
    db = openDatabase(':memory:');
    const cipher = ephemeralCipher();
    parameters = new ParameterStore(db, cipher);
    secrets = new SecretStore(db, cipher);
    t = await startRegistry({}, [ssmService(parameters), secretsManagerService(secrets)]);
  });
  afterAll(async () => {
    await t.stop();
    db.close();
  });
}

describeNeeding(['aws'], 'SSM Parameter Store through the AWS CLI v2', () => {
  setUp();

  test('put-parameter creates; get-parameter reads the store, and decrypts a SecureString only when asked', async () => {
    expect(await aws('ssm', 'put-parameter', '--name', '/app/db/host', '--type', 'String', '--value', 'db.local', '--description', 'the host')).toEqual({ Version: 1, Tier: 'Standard' });
    parameters.putParameter('/app/db/host', 'db2.local');
    const got = (await aws('ssm', 'get-parameter', '--name', '/app/db/host')) as { Parameter: Record<string, unknown> };
    expect(got.Parameter).toEqual({
      Name: '/app/db/host', Type: 'String', Value: 'db2.local', Version: 2, DataType: 'text',
      ARN: 'arn:aws:ssm:eu-west-1:000000000000:parameter/app/db/host', LastModifiedDate: expect.any(String),
    });

    parameters.putParameter('/app/db/password', 's3cr3t', { type: 'SecureString' });
    const sealed = (await aws('ssm', 'get-parameter', '--name', '/app/db/password')) as { Parameter: { Value: string } };
    expect(sealed.Parameter.Value).not.toContain('s3cr3t');
    const open = (await aws('ssm', 'get-parameter', '--name', '/app/db/password', '--with-decryption')) as { Parameter: { Value: string; Type: string } };
    expect(open.Parameter).toMatchObject({ Value: 's3cr3t', Type: 'SecureString' });
    // What the API wrote is in the store, sealed, as `pipe parameters get` reads it.
    expect(parameters.getParameter('/app/db/password')?.value).toBe('s3cr3t');
    expect(JSON.stringify(db.prepare('SELECT value FROM parameter_versions').all())).not.toContain('s3cr3t');
  });

  test('get-parameters-by-path pages through a tree; describe-parameters filters by name and shows no value', async () => {
    parameters.putParameter('/app/db/port', '5432', { type: 'String' });
    parameters.putParameter('/app/name', 'shop', { type: 'StringList' });
    parameters.putParameter('plain', 'p', { type: 'String' });

    // The CLI follows NextToken: pages of 1 still give the whole list.
    const all = (await aws('ssm', 'get-parameters-by-path', '--path', '/app/', '--recursive', '--with-decryption', '--page-size', '1')) as { Parameters: Array<{ Name: string; Value: string }> };
    expect(all.Parameters.map((p) => `${p.Name}=${p.Value}`)).toEqual(['/app/db/host=db2.local', '/app/db/password=s3cr3t', '/app/db/port=5432', '/app/name=shop']);

    const described = (await aws('ssm', 'describe-parameters', '--parameter-filters', 'Key=Name,Option=BeginsWith,Values=/app/db')) as { Parameters: Array<Record<string, unknown>> };
    expect(described.Parameters.map((p) => `${String(p['Name'])} ${String(p['Type'])} v${String(p['Version'])}`)).toEqual(['/app/db/host String v2', '/app/db/password SecureString v1', '/app/db/port String v1']);
    expect(described.Parameters[0]).toMatchObject({ Description: 'the host', Tier: 'Standard' });
    expect(described.Parameters[0]).not.toHaveProperty('Value');
  });

  test('delete-parameter removes every version', async () => {
    expect(await aws('ssm', 'delete-parameter', '--name', 'plain')).toEqual({});
    expect(parameters.getParameter('plain')).toBeUndefined();
  });
});

describeNeeding(['aws'], 'Secrets Manager through the AWS CLI v2', () => {
  setUp();

  test('create-secret, put-secret-value and get-secret-value move AWSCURRENT and AWSPREVIOUS; ids are names or ARNs', async () => {
    const created = (await aws('secretsmanager', 'create-secret', '--name', 'prod/db', '--secret-string', '{"user":"u","password":"one"}', '--description', 'db login')) as Record<string, string>;
    expect(created).toEqual({ ARN: expect.stringMatching(/^arn:aws:secretsmanager:eu-west-1:000000000000:secret:prod\/db-[A-Za-z0-9]{6}$/), Name: 'prod/db', VersionId: expect.any(String) });
    const put = (await aws('secretsmanager', 'put-secret-value', '--secret-id', created['ARN'] ?? '', '--secret-string', '{"user":"u","password":"two"}')) as Record<string, unknown>;
    expect(put).toMatchObject({ ARN: created['ARN'], Name: 'prod/db', VersionStages: ['AWSCURRENT'] });

    const current = (await aws('secretsmanager', 'get-secret-value', '--secret-id', 'prod/db')) as Record<string, unknown>;
    expect(current).toEqual({
      ARN: created['ARN'], Name: 'prod/db', VersionId: put['VersionId'], SecretString: '{"user":"u","password":"two"}',
      VersionStages: ['AWSCURRENT'], CreatedDate: expect.any(String),
    });
    expect(secrets.getSecretValue('prod/db', { versionStage: 'AWSPREVIOUS' })).toMatchObject({ versionId: created['VersionId'], secretString: '{"user":"u","password":"one"}' });
    expect(secrets.getSecretValue('prod/db')?.secretString).toBe('{"user":"u","password":"two"}');
    expect(JSON.stringify(db.prepare('SELECT secret_string FROM secret_versions').all())).not.toContain('password');
  });

  test('describe-secret and list-secrets show versions and stages, never a value; delete-secret removes it', async () => {
    secrets.putSecretValue('token', 'tok-value-1');
    const described = (await aws('secretsmanager', 'describe-secret', '--secret-id', 'prod/db')) as Record<string, unknown>;
    expect(described).toMatchObject({ Name: 'prod/db', Description: 'db login' });
    expect(Object.values(described['VersionIdsToStages'] as Record<string, string[]>).sort()).toEqual([['AWSCURRENT'], ['AWSPREVIOUS']]);
    const list = (await aws('secretsmanager', 'list-secrets')) as { SecretList: Array<Record<string, unknown>> };
    expect(list.SecretList.map((s) => s['Name'])).toEqual(['prod/db', 'token']);
    expect(JSON.stringify(list)).not.toMatch(/password|tok-value/);

    expect(await aws('secretsmanager', 'delete-secret', '--secret-id', 'token', '--force-delete-without-recovery')).toMatchObject({ Name: 'token', DeletionDate: expect.any(String) });
    expect(secrets.findSecretName('token')).toBeUndefined();
  });
});

const BOTO3 = `
import json, sys, boto3, botocore
url = sys.argv[1]
cfg = botocore.config.Config(retries={'max_attempts': 1})
ssm = boto3.client('ssm', endpoint_url=url, config=cfg)
sm = boto3.client('secretsmanager', endpoint_url=url, config=cfg)
out = {}
ssm.put_parameter(Name='/b/one', Value='1', Type='String')
ssm.put_parameter(Name='/b/two', Value='2', Type='SecureString')
pages = ssm.get_paginator('get_parameters_by_path').paginate(Path='/b', WithDecryption=True, PaginationConfig={'PageSize': 1})
out['path'] = [p['Name'] + '=' + p['Value'] for page in pages for p in page['Parameters']]
sm.create_secret(Name='b-secret', SecretString='v1')
out['secret'] = sm.get_secret_value(SecretId='b-secret')['SecretString']
try:
    ssm.get_parameter(Name='/b/none')
except ssm.exceptions.ParameterNotFound as e:
    out['missing'] = e.response['Error']['Code']
try:
    sm.get_secret_value(SecretId='none')
except sm.exceptions.ResourceNotFoundException as e:
    out['missing_secret'] = e.response['Error']['Code']
def error(name, fn):
    try:
        fn()
        out[name] = None
    except botocore.exceptions.ClientError as e:
        out[name] = e.response['Error']['Code'] + ': ' + e.response['Error']['Message']
error('exists', lambda: ssm.put_parameter(Name='/b/one', Value='x', Type='String'))
out['overwrite'] = ssm.put_parameter(Name='/b/one', Value='1b', Overwrite=True)['Version']
out['selector'] = {k: ssm.get_parameter(Name='/b/one:1')['Parameter'][k] for k in ('Value', 'Version', 'Selector')}
many = ssm.get_parameters(Names=['/b/one', '/b/nope'])
out['many'] = [[p['Name'] for p in many['Parameters']], many['InvalidParameters']]
sm.put_secret_value(SecretId='b-secret', SecretString='v2')
out['previous'] = sm.get_secret_value(SecretId='b-secret', VersionStage='AWSPREVIOUS')['SecretString']
error('version', lambda: ssm.get_parameter(Name='/b/one:7'))
error('bad_name', lambda: ssm.put_parameter(Name='bad name', Value='x', Type='String'))
error('no_type', lambda: ssm.put_parameter(Name='/b/new', Value='x'))
error('delete_missing', lambda: ssm.delete_parameter(Name='/b/none'))
out['one_level'] = [p['Name'] for p in ssm.get_parameters_by_path(Path='/')['Parameters']]
error('secret_exists', lambda: sm.create_secret(Name='b-secret', SecretString='x'))
sm.create_secret(Name='b-empty')
error('empty', lambda: sm.get_secret_value(SecretId='b-empty'))
out['filtered'] = [s['Name'] for s in sm.list_secrets(Filters=[{'Key': 'name', 'Values': ['b-e']}])['SecretList']]
print(json.dumps(out))
`;

describeNeeding(['boto3'], 'SSM and Secrets Manager through boto3', () => {
  setUp();

  test('a paginator over GetParametersByPath, CreateSecret/GetSecretValue, and the modelled exception classes', async () => {
    const { stdout } = await run(PYTHON, ['-c', BOTO3, t.url], { env: awsEnv('eu-west-1') });
    expect(JSON.parse(stdout)).toEqual({
      path: ['/b/one=1', '/b/two=2'], secret: 'v1', missing: 'ParameterNotFound', missing_secret: 'ResourceNotFoundException',
      exists: 'ParameterAlreadyExists: The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      overwrite: 2, selector: { Value: '1', Version: 1, Selector: ':1' }, many: [['/b/one'], ['/b/nope']], previous: 'v1',
      version: 'ParameterVersionNotFound: Systems Manager could not find version 7 of /b/one. Verify the version and try again.',
      bad_name: "ValidationException: parameter name 'bad name' may hold only letters, digits and . - _ /",
      no_type: 'ValidationException: A parameter type is required when you create a parameter.',
      delete_missing: 'ParameterNotFound: Parameter /b/none not found.',
      one_level: [],
      secret_exists: 'ResourceExistsException: The operation failed because the secret b-secret already exists.',
      empty: "ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
      filtered: ['b-empty'],
    });
  });
});

describe('the services without a server', () => {
  test('an SSM page token names where the next page starts; a bad one is refused', async () => {
    const d = openDatabase(':memory:');
    const store = new ParameterStore(d, ephemeralCipher());
    for (const n of ['/p/a', '/p/b', '/p/c']) store.putParameter(n, 'x', { type: 'String' });
    const ops = ssmService(store).operations;
    const call = { service: 'ssm', operation: 'GetParametersByPath', region: 'us-east-1', host: 'h', requestId: 'r' };
    const first = await ops['GetParametersByPath']?.({ Path: '/p', MaxResults: 2 }, call);
    expect((first?.['Parameters'] as Array<{ Name: string }>).map((p) => p.Name)).toEqual(['/p/a', '/p/b']);
    const second = await ops['GetParametersByPath']?.({ Path: '/p', MaxResults: 2, NextToken: first?.['NextToken'] }, call);
    expect((second?.['Parameters'] as Array<{ Name: string }>).map((p) => p.Name)).toEqual(['/p/c']);
    expect(second).not.toHaveProperty('NextToken');
    await expect(ops['GetParametersByPath']?.({ Path: '/p', NextToken: 'LTE' }, call)).rejects.toThrow('The NextToken is not valid.');
    d.close();
  });
});
