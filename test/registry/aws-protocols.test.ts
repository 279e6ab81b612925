// The AWS JSON and query protocols served beside Lambda's REST API, through the real AWS CLI v2: a JSON service
// (X-Amz-Target) and a query service (Action=, XML answers), their inputs decoded, their outputs and errors read
// back by the CLI as it reads AWS's.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AwsApiError } from '../../src/core/index.js';
import type { AwsCall, AwsService } from '../../src/core/index.js';
import { decodeQueryInput } from '../../src/registry/http/aws-protocols.js';
import { AWS_CLI, describeNeeding } from '../support/docker.js';
import { awsEnv, startRegistry } from './support.js';
import type { TestRegistry } from './support.js';

const run = promisify(execFile);
let t: TestRegistry;
const calls: { input: Record<string, unknown>; call: AwsCall }[] = [];

const ssm: AwsService = {
  signingName: 'ssm', protocol: 'json', targetPrefix: 'AmazonSSM',
  operations: {
    async GetParameter(input, call) {
      calls.push({ input, call });
      if (input['Name'] === 'missing') throw new AwsApiError('ParameterNotFound', 'Parameter missing not found.');
      return { Parameter: { Name: input['Name'], Type: 'String', Value: 'v1', Version: 3, LastModifiedDate: new Date(1_700_000_000_000) } };
    },
  },
};

const cloudformation: AwsService = {
  signingName: 'cloudformation', protocol: 'query', xmlNamespace: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
  operations: {
    async DescribeStacks(input, call) {
      calls.push({ input, call });
      if (input['StackName'] === 'nope') throw new AwsApiError('ValidationError', 'Stack with id nope does not exist');
      return {
        Stacks: [{
          StackName: input['StackName'], StackId: 'arn:aws:cloudformation:eu-west-1:000000000000:stack/s/1', StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(1_700_000_000_000), Outputs: [{ OutputKey: 'Url', OutputValue: 'http://x/<&>' }],
        }],
      };
    },
    async CreateStack(input, call) {
      calls.push({ input, call });
      return { StackId: 'arn:aws:cloudformation:eu-west-1:000000000000:stack/s/2' };
    },
  },
};

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(AWS_CLI, ['--endpoint-url', t.url, '--output', 'json', ...args], { env: awsEnv('eu-west-1') });
  return JSON.parse(stdout) as Record<string, unknown>;
}

async function awsFails(...args: string[]): Promise<string> {
  try {
    await aws(...args);
  } catch (e) {
    return String((e as { stderr: string }).stderr).trim();
  }
  throw new Error(`aws ${args.join(' ')} succeeded`);
}

test('query inputs: member lists of structures and of strings, nested, in order', () => {
  const form = new URLSearchParams('StackName=s&Parameters.member.2.ParameterKey=B&Parameters.member.1.ParameterKey=A&Parameters.member.1.ParameterValue=1&Capabilities.member.1=CAPABILITY_IAM');
  expect(decodeQueryInput(form)).toEqual({
    StackName: 's',
    Parameters: [{ ParameterKey: 'A', ParameterValue: '1' }, { ParameterKey: 'B' }],
    Capabilities: ['CAPABILITY_IAM'],
  });
});

describeNeeding(['aws'], 'AWS JSON and query APIs on the registry port, through the AWS CLI v2', () => {
  beforeAll(async () => {
    t = await startRegistry({}, [ssm, cloudformation]);
  });
  afterAll(async () => t.stop());

  test('a JSON operation gets its input and the region of the signature; its answer and its error reach the CLI', async () => {
    const out = await aws('ssm', 'get-parameter', '--name', '/app/url');
    expect(out).toEqual({ Parameter: { Name: '/app/url', Type: 'String', Value: 'v1', Version: 3, LastModifiedDate: expect.stringMatching(/^2023-11-14T22:13:20/) } });
    expect(calls.at(-1)?.input).toEqual({ Name: '/app/url' });
    expect(calls.at(-1)?.call).toMatchObject({ service: 'ssm', operation: 'GetParameter', region: 'eu-west-1' });
    expect(await awsFails('ssm', 'get-parameter', '--name', 'missing')).toContain('An error occurred (ParameterNotFound) when calling the GetParameter operation: Parameter missing not found.');
  });

  test('a query operation gets its lists decoded; its XML answer, escaped, and its error reach the CLI', async () => {
    const out = await aws('cloudformation', 'describe-stacks', '--stack-name', 's');
    expect(out['Stacks']).toEqual([{
      StackName: 's', StackId: 'arn:aws:cloudformation:eu-west-1:000000000000:stack/s/1', StackStatus: 'CREATE_COMPLETE',
      CreationTime: '2023-11-14T22:13:20+00:00', Outputs: [{ OutputKey: 'Url', OutputValue: 'http://x/<&>' }],
    }]);
    expect(await awsFails('cloudformation', 'describe-stacks', '--stack-name', 'nope')).toContain('An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id nope does not exist');
    await aws('cloudformation', 'create-stack', '--stack-name', 's', '--template-body', '{}', '--parameters', 'ParameterKey=A,ParameterValue=1', 'ParameterKey=B,ParameterValue=2', '--capabilities', 'CAPABILITY_IAM');
    expect(calls.at(-1)?.input).toEqual({
      StackName: 's', TemplateBody: '{}', Capabilities: ['CAPABILITY_IAM'],
      Parameters: [{ ParameterKey: 'A', ParameterValue: '1' }, { ParameterKey: 'B', ParameterValue: '2' }],
    });
  });

  test('an operation the service does not have is refused in its protocol; Lambda routes still answer', async () => {
    expect(await awsFails('ssm', 'delete-parameter', '--name', 'x')).toContain('(UnknownOperationException)');
    expect(await awsFails('cloudformation', 'delete-stack', '--stack-name', 'x')).toContain('(InvalidAction)');
    expect(await aws('lambda', 'list-functions')).toEqual({ Functions: [] });
  });
});
