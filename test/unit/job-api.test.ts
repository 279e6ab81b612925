// The CodePipeline job API's checks, called as the server calls them: CodePipeline's error codes and limits, and
// S3's answers for keys that are not a job's; the store keeps the first answer only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { AwsApiError } from '../../src/core/index.js';
import type { AwsCall } from '../../src/core/index.js';
import { JobStore, codePipelineJobService, jobArtifactBucket } from '../../src/deploy/index.js';
import { openDatabase } from '../../src/infra/index.js';
import type { Db } from '../../src/infra/index.js';
import { decodeAwsChunked } from '../../src/registry/http/s3-objects.js';

let dir: string;
let db: Db;
let store: JobStore;
const call = {} as AwsCall;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pipe-job-unit-'));
  db = openDatabase(join(dir, 'state.db'));
  store = new JobStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function error(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AwsApiError) return `${e.status} ${e.code}: ${e.message}`;
    throw e;
  }
  return 'ok';
}

function job() {
  return store.create({ executionId: 'e', actionId: 'Test.A', functionName: 'f', artifacts: [
    { kind: 'input', name: 'Src', bucket: 'codepipeline-us-east-1-000000000000', key: 'p/Src/in', path: join(dir, 'in.zip') },
    { kind: 'output', name: 'Out', bucket: 'codepipeline-us-east-1-000000000000', key: 'p/Out/out', path: join(dir, 'out.zip') },
  ] });
}

test('PutJobSuccessResult / PutJobFailureResult refuse what CodePipeline refuses', async () => {
  const api = codePipelineJobService(() => store).operations;
  const success = api['PutJobSuccessResult'];
  const failure = api['PutJobFailureResult'];
  if (!success || !failure) throw new Error('operations missing');
  const id = job().id;
  expect(await error(success({}, call))).toBe("400 ValidationException: 1 validation error detected: Value 'null' at 'jobId' failed to satisfy constraint: Member must not be null");
  expect(await error(success({ jobId: 'nope' }, call))).toBe("400 ValidationException: 1 validation error detected: Value 'nope' at 'jobId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  expect(await error(success({ jobId: '00000000-0000-4000-8000-000000000000' }, call))).toBe('400 JobNotFoundException: The job was not found: 00000000-0000-4000-8000-000000000000');
  expect(await error(success({ jobId: id, continuationToken: 't', outputVariables: { A: '1' } }, call))).toBe('400 ValidationException: outputVariables can only be sent with the final result of a job: a result with a continuationToken cannot have them');
  expect(await error(success({ jobId: id, outputVariables: { 'bad name': '1' } }, call))).toBe("400 ValidationException: 1 validation error detected: Value 'bad name' at 'outputVariables' failed to satisfy constraint: Map keys must satisfy regular expression pattern: [A-Za-z0-9@\\-_]+");
  expect(await error(success({ jobId: id, outputVariables: { Big: 'x'.repeat(122_880) } }, call))).toBe('400 OutputVariablesSizeExceededException: The output variables are 122883 bytes; all the variables of an action together may be 122880 bytes');
  expect(await error(success({ jobId: id, executionDetails: { percentComplete: 101 } }, call))).toBe("400 ValidationException: 1 validation error detected: Value '101' at 'executionDetails.percentComplete' failed to satisfy constraint: Member must have value between 0 and 100");
  expect(await error(failure({ jobId: id, failureDetails: { type: 'Oops', message: 'm' } }, call))).toBe("400 ValidationException: 1 validation error detected: Value 'Oops' at 'failureDetails.type' failed to satisfy constraint: Member must satisfy enum value set: [JobFailed, ConfigurationError, PermissionError, RevisionOutOfSync, RevisionUnavailable, SystemUnavailable]");
  expect(await error(failure({ jobId: id, failureDetails: { type: 'JobFailed' } }, call))).toBe("400 ValidationException: 1 validation error detected: Value 'null' at 'failureDetails.message' failed to satisfy constraint: Member must not be null");
  expect(store.get(id)?.status).toBe('InProgress'); // nothing refused was recorded
  expect(await error(failure({ jobId: id, failureDetails: { type: 'JobFailed', message: 'red' } }, call))).toBe('ok');
  expect(await error(success({ jobId: id }, call))).toBe(`400 InvalidJobStateException: The job ${id} is not in progress: it is Failed`);
  expect(store.get(id)?.result).toEqual({ status: 'Failed', type: 'JobFailed', message: 'red' });
});

test('the artifact bucket: outputs writable, inputs not; nothing readable once the job is over', async () => {
  const bucket = jobArtifactBucket(() => store);
  const b = 'codepipeline-us-east-1-000000000000';
  const j = job();
  expect(bucket.hasBucket(b)).toBe(true);
  expect(bucket.hasBucket('my-bucket')).toBe(false);
  expect(await bucket.getObject(b, 'p/Out/out')).toBeUndefined(); // not written yet
  await bucket.putObject(b, 'p/Out/out', Buffer.from('zip'));
  expect(await bucket.getObject(b, 'p/Out/out')).toEqual(Buffer.from('zip'));
  expect(await error(bucket.putObject(b, 'p/Src/in', Buffer.from('x')))).toBe('403 AccessDenied: Access Denied: p/Src/in is not an output artifact of a job in progress');
  store.finish(j.id, { status: 'Succeeded' });
  expect(await bucket.getObject(b, 'p/Out/out')).toBeUndefined();
  expect(await error(bucket.putObject(b, 'p/Out/out', Buffer.from('late')))).toBe('403 AccessDenied: Access Denied: p/Out/out is not an output artifact of a job in progress');
});

test('aws-chunked bodies (the SDKs\' checksum trailers and streaming signatures) are decoded', () => {
  const signed = Buffer.from('5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=ghi\r\n\r\n');
  expect(decodeAwsChunked(signed).toString()).toBe('hello world');
  const trailer = Buffer.from('3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n');
  expect(decodeAwsChunked(trailer).toString()).toBe('abc');
});

test('a job whose action\'s process died is Failed when next looked at: no report, no artifact access', async () => {
  const j = job();
  const dead = spawnSync('true').pid ?? 0;
  db.prepare('UPDATE codepipeline_jobs SET owner_pid = ? WHERE id = ?').run(dead, j.id);
  const api = codePipelineJobService(() => store).operations;
  expect(await error(api['PutJobSuccessResult']?.({ jobId: j.id }, call) ?? Promise.resolve())).toBe(`400 InvalidJobStateException: The job ${j.id} is not in progress: it is Failed`);
  expect(store.get(j.id)?.result).toEqual({ status: 'Failed', type: 'JobFailed', message: 'the process running the action ended without an answer to this job' });
  expect(await error(jobArtifactBucket(() => store).putObject('codepipeline-us-east-1-000000000000', 'p/Out/out', Buffer.from('x')))).toMatch(/^403 AccessDenied/);
});
