// The parity report of a build's AWS calls pipe does not serve: what a refused request was (service and operation
// from the signature, X-Amz-Target, Action= or S3's REST shape), counted per access key, and the line a build prints.
import type { IncomingMessage } from 'node:http';
import { afterEach, expect, test } from 'vitest';
import { UnservedCallLog } from '../../src/app/unserved-calls.js';
import { awsVariables, buildAccessKeyId, describeUnservedCalls } from '../../src/codebuild/index.js';
import { openDatabase } from '../../src/infra/sqlite.js';
import type { Db } from '../../src/infra/sqlite.js';
import { describeUnserved } from '../../src/registry/http/unserved.js';

const dbs: Db[] = [];
afterEach(() => {
  for (const d of dbs.splice(0)) d.close();
});

function request(method: string, path: string, headers: Record<string, string>): [IncomingMessage, URL] {
  return [{ method, headers } as unknown as IncomingMessage, new URL(path, 'http://pipe')];
}

const signed = (service: string, key = 'AKIAPIPE000000000001') => ({ authorization: `AWS4-HMAC-SHA256 Credential=${key}/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0` });

test('a refused request names its service and operation in each protocol; an unsigned one is nobody\'s', () => {
  const one = (method: string, path: string, headers: Record<string, string>, body?: string) => describeUnserved(...request(method, path, headers), body === undefined ? undefined : Buffer.from(body));
  expect(one('POST', '/', { ...signed('dynamodb'), 'x-amz-target': 'DynamoDB_20120810.PutItem' })).toEqual({ accessKeyId: 'AKIAPIPE000000000001', service: 'dynamodb', operation: 'PutItem' });
  expect(one('POST', '/', signed('sts'), 'Action=GetCallerIdentity&Version=2011-06-15')).toMatchObject({ service: 'sts', operation: 'GetCallerIdentity' });
  expect(one('PUT', '/bucket/a/b.zip', signed('s3'))).toMatchObject({ service: 's3', operation: 'PutObject' });
  expect(one('PUT', '/bucket/a', { ...signed('s3'), 'x-amz-copy-source': '/x/y' })).toMatchObject({ operation: 'CopyObject' });
  expect(one('GET', '/bucket?list-type=2&prefix=a', signed('s3'))).toMatchObject({ operation: 'ListObjectsV2' });
  expect(one('GET', '/', signed('s3'))).toMatchObject({ operation: 'ListBuckets' });
  expect(one('POST', '/bucket/k?uploads', signed('s3'))).toMatchObject({ operation: 'CreateMultipartUpload' });
  expect(one('GET', '/2015-03-31/event-source-mappings/abc/def', signed('ecr'))).toMatchObject({ operation: 'GET /2015-03-31/event-source-mappings/...' });
  expect(one('PUT', '/bucket/key', {})).toBeUndefined();
});

test('calls are counted per access key, most frequent first, and said in one line', () => {
  const db = openDatabase(':memory:');
  dbs.push(db);
  const log = new UnservedCallLog(db);
  const mine = buildAccessKeyId('p:build-1');
  expect(mine).toMatch(/^AKIAPIPE[0-9A-F]{12}$/);
  expect(buildAccessKeyId('p:build-2')).not.toBe(mine);
  for (let i = 0; i < 3; i++) log.record({ accessKeyId: mine, service: 's3', operation: 'PutObject' });
  log.record({ accessKeyId: mine, service: 'ecr', operation: 'GetAuthorizationToken' });
  log.record({ accessKeyId: buildAccessKeyId('p:build-2'), service: 's3', operation: 'GetObject' });
  log.record({ service: 's3', operation: 'GetObject' });
  expect(describeUnservedCalls(log.callsOf(mine))).toBe('this build called 2 AWS APIs pipe does not serve: s3 PutObject (3 times), ecr GetAuthorizationToken (once)');
  expect(describeUnservedCalls(log.callsOf('AKIAPIPENOBODY000000'))).toBeUndefined();
});

test('a build\'s AWS variables: pipe for everything with its own key, or the host\'s keys and pipe for what it serves', () => {
  const url = 'http://127.0.0.1:4566';
  expect(awsVariables({ mode: 'pipe', url, accessKeyId: 'AKIAPIPEX' })).toEqual({
    AWS_ENDPOINT_URL: url, AWS_ENDPOINT_URL_LAMBDA: url, AWS_ENDPOINT_URL_SSM: url, AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
    AWS_ENDPOINT_URL_CODEPIPELINE: url, AWS_ENDPOINT_URL_CODEDEPLOY: url, AWS_ENDPOINT_URL_CLOUDWATCH: url, AWS_ENDPOINT_URL_CLOUDFORMATION: url,
    AWS_ACCESS_KEY_ID: 'AKIAPIPEX', AWS_SECRET_ACCESS_KEY: 'pipe-local-secret-access-key', AWS_EC2_METADATA_DISABLED: 'true',
  });
  const host = awsVariables({ mode: 'host-credentials', url, credentials: { AWS_ACCESS_KEY_ID: 'AKIAHOST' } });
  expect(host).not.toHaveProperty('AWS_ENDPOINT_URL');
  expect(host).toMatchObject({ AWS_ACCESS_KEY_ID: 'AKIAHOST', AWS_ENDPOINT_URL_SSM: url, AWS_ENDPOINT_URL_CLOUDFORMATION: url });
});
