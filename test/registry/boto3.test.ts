// The registry through boto3 (the machine's python3): success paths and the exception classes and messages
// boto3 raises for the registry's 400, 404, 409, 412 and 413 answers.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeNeeding, AWS_CLI, PYTHON } from '../support/docker.js';
import { ROLE, awsEnv, handlerZip, startRegistry } from './support.js';
import type { TestRegistry } from './support.js';

const run = promisify(execFile);
let t: TestRegistry;

const SCRIPT = `
import json, sys, boto3, botocore
url, zip_path, role = sys.argv[1], sys.argv[2], sys.argv[3]
c = boto3.client('lambda', endpoint_url=url, config=botocore.config.Config(retries={'max_attempts': 1}))
code = open(zip_path, 'rb').read()
out = {}
def error(name, fn):
    try:
        fn()
        out[name] = None
    except botocore.exceptions.ClientError as e:
        out[name] = {'class': type(e).__name__, 'code': e.response['Error']['Code'], 'message': e.response['Error']['Message'],
                     'status': e.response['ResponseMetadata']['HTTPStatusCode']}
created = c.create_function(FunctionName='py', Runtime='python3.12', Role=role, Handler='app.handler', Code={'ZipFile': code})
c.get_waiter('function_active_v2').wait(FunctionName='py', WaiterConfig={'Delay': 1})
out['state'] = c.get_function(FunctionName='py')['Configuration']['State']
out['publish'] = c.publish_version(FunctionName='py')['Version']
out['alias'] = c.create_alias(FunctionName='py', Name='live', FunctionVersion='1')['AliasArn']
c.get_waiter('function_active_v2').wait(FunctionName='py', Qualifier='1', WaiterConfig={'Delay': 1})
r = c.invoke(FunctionName='py', Qualifier='live', Payload=b'{"x": 2}', LogType='Tail')
out['invoke'] = {'status': r['StatusCode'], 'version': r['ExecutedVersion'], 'payload': r['Payload'].read().decode(), 'has_log': 'LogResult' in r}
error('e404', lambda: c.get_function(FunctionName='missing'))
error('e409', lambda: c.create_function(FunctionName='py', Runtime='python3.12', Role=role, Handler='app.handler', Code={'ZipFile': code}))
error('e409_version', lambda: c.delete_function(FunctionName='py', Qualifier='1'))
error('e412', lambda: c.update_function_configuration(FunctionName='py', Timeout=10, RevisionId=created['RevisionId']))
error('e400', lambda: c.publish_version(FunctionName='py', CodeSha256='abc'))
error('e400_zip', lambda: c.update_function_code(FunctionName='py', ZipFile=b'not a zip'))
error('e413', lambda: c.invoke(FunctionName='py', Payload=b'"' + b'a' * (6 * 1024 * 1024) + b'"'))
print(json.dumps(out))
`;


describeNeeding(['boto3'], 'boto3 against pipe registry serve', () => {
  beforeAll(async () => {
    t = await startRegistry();
    writeFileSync(join(t.home, 'py.zip'), handlerZip());
  });
  afterAll(async () => t.stop());

  test('calls succeed and errors raise the modelled exception classes with AWS messages', async () => {
    const { stdout } = await run(PYTHON, ['-c', SCRIPT, t.url, join(t.home, 'py.zip'), ROLE], { env: awsEnv(), maxBuffer: 1 << 24 });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out['state']).toBe('Active');
    expect(out['publish']).toBe('1');
    expect(out['alias']).toBe('arn:aws:lambda:us-east-1:000000000000:function:py:live');
    expect(out['invoke']).toEqual({ status: 200, version: '1', payload: '{"x": 2}', has_log: true });
    expect(out['e404']).toEqual({
      class: 'ResourceNotFoundException', code: 'ResourceNotFoundException', status: 404,
      message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing',
    });
    expect(out['e409']).toEqual({ class: 'ResourceConflictException', code: 'ResourceConflictException', status: 409, message: 'Function already exist: py' });
    expect(out['e409_version']).toEqual({
      class: 'ResourceConflictException', code: 'ResourceConflictException', status: 409,
      message: 'Unable to delete version because the following aliases reference it: [live]',
    });
    expect(out['e412']).toEqual({
      class: 'PreconditionFailedException', code: 'PreconditionFailedException', status: 412,
      message: 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
    });
    expect(out['e400']).toMatchObject({
      class: 'InvalidParameterValueException', code: 'InvalidParameterValueException', status: 400,
      message: expect.stringMatching(/^CodeSHA256 \(abc\) is different from current CodeSHA256 in \$LATEST \(\S+=\)\. Please try again with the CodeSHA256 in \$LATEST\.$/),
    });
    expect(out['e400_zip']).toMatchObject({
      class: 'InvalidParameterValueException', status: 400,
      message: expect.stringMatching(/^Could not unzip uploaded file\. Please check your file, then try to upload again\./),
    });
    // RequestEntityTooLargeException is what AWS sends; botocore models it as RequestTooLargeException, so it is a ClientError.
    expect(out['e413']).toEqual({
      class: 'ClientError', code: 'RequestEntityTooLargeException', status: 413,
      message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    });
  });
});
