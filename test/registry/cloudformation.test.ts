// pipe's stacks through the real AWS CLI v2 against the registry port: describe-stacks, describe-stack-events,
// list-stack-resources, get-template and delete-stack (which removes the functions).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { awsServices } from '../../src/app/index.js';
import { deployStack } from '../../src/deploy/index.js';
import { openDatabase } from '../../src/infra/index.js';
import type { Db } from '../../src/infra/index.js';
import { Registry, RegistryServer } from '../../src/registry/index.js';
import { AWS_CLI, describeNeeding } from '../support/docker.js';
import { EchoInvoker, awsEnv } from './support.js';

const run = promisify(execFile);
let home: string;
let db: Db;
let registry: Registry;
let server: RegistryServer;
let url: string;

const TEMPLATE = `AWSTemplateFormatVersion: 2010-09-09
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: { Type: String, Default: dev }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.handler, Runtime: nodejs20.x, AutoPublishAlias: live }
  Topic:
    Type: AWS::SNS::Topic
Outputs:
  Name: { Value: !Ref Fn, Description: the function }
`;

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(AWS_CLI, ['--endpoint-url', url, '--output', 'json', ...args], { env: awsEnv('us-east-1') });
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

describeNeeding(['aws'], 'the CloudFormation query API over pipe stacks, through the AWS CLI v2', () => {
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'pipe-cfn-'));
    mkdirSync(join(home, 'app', 'src'), { recursive: true });
    writeFileSync(join(home, 'app', 'src', 'app.js'), 'exports.handler = async () => 1;\n');
    writeFileSync(join(home, 'app', 'template.yaml'), TEMPLATE);
    db = openDatabase(join(home, 'state.db'));
    registry = Registry.open({ invoker: new EchoInvoker(), home, db });
    const r = await deployStack({ db, lambda: registry, home }, { templateFile: join(home, 'app', 'template.yaml'), stackName: 'web', parameters: { Stage: 'prod' } });
    expect(r.stack.status).toBe('CREATE_COMPLETE');
    server = new RegistryServer({ registry, host: '127.0.0.1', port: 0, services: awsServices({ home, registry }) });
    url = await server.listen();
  });
  afterAll(async () => {
    await server?.close();
    registry?.close();
    db?.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('describe-stacks, list-stack-resources, describe-stack-events and get-template show the stack', async () => {
    const fn = (await registry.listFunctions()).Functions[0]!.FunctionName;
    // The AWS CLI takes a second or two to start: the four reads go at once.
    const [described, listed, evented, template] = await Promise.all([
      aws('cloudformation', 'describe-stacks', '--stack-name', 'web'),
      aws('cloudformation', 'list-stack-resources', '--stack-name', 'web'),
      aws('cloudformation', 'describe-stack-events', '--stack-name', 'web'),
      aws('cloudformation', 'get-template', '--stack-name', 'web'),
    ]);
    const stacks = described['Stacks'] as Record<string, unknown>[];
    expect(stacks).toEqual([expect.objectContaining({
      StackName: 'web', StackStatus: 'CREATE_COMPLETE', StackId: expect.stringMatching(/^arn:aws:cloudformation:us-east-1:000000000000:stack\/web\//) as string,
      Parameters: [{ ParameterKey: 'Stage', ParameterValue: 'prod' }],
      Outputs: [{ OutputKey: 'Name', OutputValue: fn, Description: 'the function' }],
    })]);
    const summaries = listed['StackResourceSummaries'] as Record<string, string>[];
    expect(summaries.map((s) => [s['LogicalResourceId'], s['ResourceType'], s['ResourceStatus'], s['PhysicalResourceId']])).toEqual([
      ['Topic', 'AWS::SNS::Topic', 'CREATE_COMPLETE', 'web-Topic'],
      ['Fn', 'AWS::Serverless::Function', 'CREATE_COMPLETE', fn],
    ]);
    const events = evented['StackEvents'] as Record<string, string>[];
    expect(events[0]).toMatchObject({ LogicalResourceId: 'web', ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'CREATE_COMPLETE' });
    expect(events.at(-1)).toMatchObject({ LogicalResourceId: 'web', ResourceStatus: 'CREATE_IN_PROGRESS' });
    expect(template['TemplateBody']).toBe(TEMPLATE);
  });

  test('a stack that does not exist is a ValidationError; delete-stack removes the stack and its functions', async () => {
    const missing = await aws('cloudformation', 'describe-stacks', '--stack-name', 'nope').then(() => '', (e: { stderr: string }) => e.stderr);
    expect(missing).toContain('An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id nope does not exist');
    await aws('cloudformation', 'delete-stack', '--stack-name', 'web');
    expect((await aws('cloudformation', 'describe-stacks'))['Stacks']).toEqual([]);
    expect((await registry.listFunctions()).Functions).toEqual([]);
  });
});
