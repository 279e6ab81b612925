// The job worker's side of Invoke/Lambda through the real AWS CLI v2 against the registry port, as pipe composes
// it: `aws s3api get-object / put-object` on a job's artifact keys, and `aws codepipeline put-job-success-result /
// put-job-failure-result`. Their refusals are unit-tested (test/unit/job-api.test.ts): an AWS CLI call costs seconds.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { awsBuckets, awsServices } from '../../src/app/index.js';
import { JobStore, artifactBucketName } from '../../src/deploy/index.js';
import { openDatabase } from '../../src/infra/index.js';
import { Registry, RegistryServer } from '../../src/registry/index.js';
import { AWS_CLI, describeNeeding } from '../support/docker.js';
import { EchoInvoker, awsEnv } from '../registry/support.js';

const run = promisify(execFile);
const BUCKET = artifactBucketName('us-east-1', '000000000000');
let home: string;
let registry: Registry;
let server: RegistryServer;
let url: string;
let store: JobStore;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'pipe-job-api-'));
  registry = Registry.open({ invoker: new EchoInvoker(), home });
  const deps = { home, registry };
  server = new RegistryServer({ registry, port: 0, services: awsServices(deps), buckets: awsBuckets(deps) });
  url = await server.listen();
  store = new JobStore(openDatabase(join(home, 'state.db')));
});
afterAll(async () => {
  await server.close();
  registry.close();
  rmSync(home, { recursive: true, force: true });
});

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(AWS_CLI, ['--endpoint-url', url, '--output', 'json', ...args], { env: awsEnv() });
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}


function newJob(tag: string) {
  const input = join(home, `${tag}-in.zip`);
  writeFileSync(input, `input bytes of ${tag}`);
  return store.create({
    executionId: 'e', actionId: `Test.${tag}`, functionName: 'fn',
    artifacts: [
      { kind: 'input', name: 'Src', bucket: BUCKET, key: `p/Src/${tag}in`, path: input },
      { kind: 'output', name: 'Out', bucket: BUCKET, key: `p/Out/${tag}out`, path: join(home, 'out', `${tag}-out.zip`) },
    ],
  });
}

describeNeeding(['aws'], 'CodePipeline job API and artifact bucket, through the AWS CLI', () => {
  test('s3api get-object reads an input artifact; put-object writes an output', async () => {
    const job = newJob('s3');
    const got = join(home, 'got.zip');
    await aws('s3api', 'get-object', '--bucket', BUCKET, '--key', 'p/Src/s3in', got);
    expect(readFileSync(got, 'utf8')).toBe('input bytes of s3');
    const body = join(home, 'body.zip');
    writeFileSync(body, Buffer.alloc(70_000, 7)); // past one chunk of an aws-chunked upload
    await aws('s3api', 'put-object', '--bucket', BUCKET, '--key', 'p/Out/s3out', '--body', body);
    expect(readFileSync(job.artifacts[1]?.path ?? '')).toEqual(Buffer.alloc(70_000, 7));
  });

  test('put-job-success-result records variables and details', async () => {
    const job = newJob('ok');
    expect(await aws('codepipeline', 'put-job-success-result', '--job-id', job.id, '--output-variables', 'Tests=42,Suite=smoke',
      '--execution-details', 'summary=42 passed,externalExecutionId=run-42,percentComplete=100')).toEqual({});
    expect(store.get(job.id)).toMatchObject({
      status: 'Succeeded',
      result: { status: 'Succeeded', outputVariables: { Tests: '42', Suite: 'smoke' }, summary: '42 passed', externalExecutionId: 'run-42', percentComplete: 100 },
    });
  });

  test('put-job-failure-result records the failure', async () => {
    const job = newJob('fail');
    await aws('codepipeline', 'put-job-failure-result', '--job-id', job.id, '--failure-details', 'type=ConfigurationError,message=no stack named x,externalExecutionId=e-1');
    expect(store.get(job.id)?.result).toEqual({ status: 'Failed', type: 'ConfigurationError', message: 'no stack named x', externalExecutionId: 'e-1' });
  });
});
