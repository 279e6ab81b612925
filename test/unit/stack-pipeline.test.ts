// Deploy/CloudFormation in a real pipeline run (in-process `pipe run`, no container): the template and code come
// from the Source artifact, ParameterOverrides read Fn::GetParam, the stack's Outputs become the action's variables
// and a later action's parameter, OutputFileName writes them into an artifact; CHANGE_SET_REPLACE then
// CHANGE_SET_EXECUTE, and DELETE_ONLY; `pipe validate` knows the action's keys.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createMemoryOutput } from '../../src/cli/output.js';
import { makeRepo } from '../support/git-fixture.js';
import { readZip } from '../support/zip-read.js';

async function pipe(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const o = createMemoryOutput();
  const code = await main(args, o);
  return { code, out: o.out, err: o.err };
}

const APP = `AWSTemplateFormatVersion: 2010-09-09
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting: { Type: String }
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: app/, Handler: index.handler, Runtime: nodejs20.x, AutoPublishAlias: live, Environment: { Variables: { GREETING: !Ref Greeting } } }
Outputs:
  FunctionName: { Value: !Ref Hello }
  Greeting: { Value: !Ref Greeting }
`;

const CONSUMER = `Transform: AWS::Serverless-2016-10-31
Parameters:
  Upstream: { Type: String }
Resources:
  Topic: { Type: AWS::SNS::Topic }
Outputs:
  Upstream: { Value: !Ref Upstream }
`;

function pipeline(repo: string, stages: string): string {
  return `name: stacks
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration: { repository: ${repo} }
        outputArtifacts: [SourceOutput]
${stages}`;
}

it('deploys from the source artifact, passes outputs on as variables, and deletes', async () => {
  const repo = makeRepo({
    'stack/template.yaml': APP,
    'stack/app/index.js': 'exports.handler = async () => process.env.GREETING;\n',
    'stack/params.json': '{ "Greeting": "hello from params" }\n',
    'consumer.yaml': CONSUMER,
  });
  const dir = mkdtempSync(join(tmpdir(), 'pipe-stack-pipeline-'));
  const file = join(dir, 'pipeline.yml');
  writeFileSync(file, pipeline(repo, `  - name: Deploy
    actions:
      - name: App
        type: Deploy/CloudFormation
        configuration:
          ActionMode: CREATE_UPDATE
          StackName: app
          TemplatePath: SourceOutput::stack/template.yaml
          ParameterOverrides: '{"Greeting": {"Fn::GetParam": ["SourceOutput", "stack/params.json", "Greeting"]}}'
          OutputFileName: outputs.json
        inputArtifacts: [SourceOutput]
        outputArtifacts: [AppOutputs]
        namespace: DeployVariables
      - name: Consumer
        type: Deploy/CloudFormation
        runOrder: 2
        configuration:
          ActionMode: CREATE_UPDATE
          StackName: consumer
          TemplatePath: SourceOutput::consumer.yaml
          ParameterOverrides: '{"Upstream": "#{DeployVariables.FunctionName}"}'
        inputArtifacts: [SourceOutput]
`));
  expect(await pipe('validate', file)).toMatchObject({ code: 0 });
  const run = await pipe('run', file, '--json');
  expect(run.code).toBe(0);
  const outputs = JSON.parse((await pipe('stack', 'outputs', 'app', '--json')).out) as { OutputKey: string; OutputValue: string }[];
  const fn = outputs.find((o) => o.OutputKey === 'FunctionName')!.OutputValue;
  expect(fn).toMatch(/^app-Hello-/);
  expect(outputs.find((o) => o.OutputKey === 'Greeting')?.OutputValue).toBe('hello from params');
  expect(JSON.parse((await pipe('stack', 'outputs', 'consumer', '--json')).out)).toEqual([{ OutputKey: 'Upstream', OutputValue: fn }]);
  const artifact = run.out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; name?: string; path?: string }).find((e) => e.type === 'artifact' && e.name === 'AppOutputs');
  const zip = await readZip(artifact!.path!);
  expect(JSON.parse(zip['outputs.json'] ?? '')).toEqual({ FunctionName: fn, Greeting: 'hello from params' });

  writeFileSync(file, pipeline(repo, `  - name: Teardown
    actions:
      - name: App
        type: Deploy/CloudFormation
        configuration: { ActionMode: DELETE_ONLY, StackName: app }
      - name: Consumer
        type: Deploy/CloudFormation
        configuration: { ActionMode: DELETE_ONLY, StackName: consumer }
`));
  expect((await pipe('run', file)).code).toBe(0);
  expect((await pipe('stack', 'list', '--json')).out.trim()).toBe('[]');
  expect((await pipe('functions', '--json')).out.trim()).toBe('[]');
});

it('a change set is made by CHANGE_SET_REPLACE (nothing changes) and applied by CHANGE_SET_EXECUTE', async () => {
  const repo = makeRepo({ 'template.yaml': CONSUMER });
  const dir = mkdtempSync(join(tmpdir(), 'pipe-stack-changeset-'));
  const file = join(dir, 'pipeline.yml');
  writeFileSync(file, pipeline(repo, `  - name: Deploy
    actions:
      - name: Plan
        type: Deploy/CloudFormation
        configuration: { ActionMode: CHANGE_SET_REPLACE, StackName: cs, ChangeSetName: next, TemplatePath: "SourceOutput::template.yaml", ParameterOverrides: '{"Upstream": "x"}' }
        inputArtifacts: [SourceOutput]
`));
  const started = await pipe('run', file, '--json');
  expect(started.out).toContain('change set: Add Topic (AWS::SNS::Topic): not deployed locally');
  expect((await pipe('stack', 'list', '--json')).out.trim()).toBe('[]');
  writeFileSync(file, pipeline(repo, `  - name: Deploy
    actions:
      - name: Apply
        type: Deploy/CloudFormation
        configuration: { ActionMode: CHANGE_SET_EXECUTE, StackName: cs, ChangeSetName: next }
`));
  expect((await pipe('run', file)).code).toBe(0);
  expect(JSON.parse((await pipe('stack', 'outputs', 'cs', '--json')).out)).toEqual([{ OutputKey: 'Upstream', OutputValue: 'x' }]);
  expect((await pipe('stack', 'delete', 'cs')).code).toBe(0);
});

it('pipe validate refuses a bad ActionMode, stack name and TemplatePath, with positions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-stack-validate-'));
  const file = join(dir, 'pipeline.yml');
  writeFileSync(file, pipeline(dir, `  - name: Deploy
    actions:
      - name: App
        type: Deploy/CloudFormation
        configuration: { ActionMode: CREATE_UPDAT, StackName: 9lives, TemplatePath: template.yaml }
        inputArtifacts: [SourceOutput]
`));
  const r = await pipe('validate', file);
  expect(r.code).toBe(2);
  expect(r.err.replaceAll(file, '<file>')).toContain("<file>:13:38 stages[1].actions[0].configuration.ActionMode: 'CREATE_UPDAT' is not one of CREATE_UPDATE, DELETE_ONLY, REPLACE_ON_FAILURE, CHANGE_SET_REPLACE, CHANGE_SET_EXECUTE; did you mean 'CREATE_UPDATE'?");
  expect(r.err).toContain("configuration.StackName: stack name '9lives' is not valid");
  expect(r.err).toContain("configuration.TemplatePath: expected ArtifactName::path/in/artifact, got 'template.yaml'");
});

it('pipe deploy exits 1 when the stack rolled back, 2 for a template with problems, and pipe stack shows why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-stack-cli-'));
  writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => 1;\n');
  const file = join(dir, 'template.yaml');
  writeFileSync(file, 'Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { FunctionName: shared-name, Handler: index.handler, Runtime: nodejs20.x }\n');
  expect((await pipe('deploy', file, '--stack-name', 'first')).code).toBe(0);
  const second = await pipe('deploy', file, '--stack-name', 'second');
  expect(second.code).toBe(1);
  expect(second.err).toBe('error: stack second rolled back: Fn: function shared-name already exists (outside this stack)\n');
  const events = JSON.parse((await pipe('stack', 'events', 'second', '--json')).out) as { LogicalResourceId: string; ResourceStatus: string; ResourceStatusReason?: string }[];
  expect(events.map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`).reverse()).toEqual([
    'second CREATE_IN_PROGRESS', 'Fn CREATE_IN_PROGRESS', 'Fn CREATE_FAILED', 'second ROLLBACK_IN_PROGRESS', 'second ROLLBACK_COMPLETE',
  ]);
  writeFileSync(file, 'Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n');
  const bad = await pipe('deploy', file, '--stack-name', 'third');
  expect(bad.code).toBe(2);
  expect(bad.err.replaceAll(file, '<file>')).toContain("<file>:3:11 Resources.Fn.Type: AWS::Serverless::Function needs the SAM transform");
  for (const name of ['first', 'second']) expect((await pipe('stack', 'delete', name)).code).toBe(0);
});

it('REPLACE_ON_FAILURE deletes a stack whose first create failed, then creates it', async () => {
  const repo = makeRepo({
    'template.yaml': 'Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { FunctionName: replace-me, Handler: index.handler, Runtime: nodejs20.x }\n',
    'index.js': 'exports.handler = async () => 1;\n',
  });
  const dir = mkdtempSync(join(tmpdir(), 'pipe-stack-replace-'));
  writeFileSync(join(dir, 'blocker.yaml'), 'Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { FunctionName: replace-me, CodeUri: ., Handler: index.handler, Runtime: nodejs20.x }\n');
  writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => 0;\n');
  const file = join(dir, 'pipeline.yml');
  writeFileSync(file, pipeline(repo, `  - name: Deploy
    actions:
      - name: App
        type: Deploy/CloudFormation
        configuration: { ActionMode: REPLACE_ON_FAILURE, StackName: replaced, TemplatePath: "SourceOutput::template.yaml" }
        inputArtifacts: [SourceOutput]
`));
  // Another stack holds the function name: the first create fails and rolls back.
  expect((await pipe('deploy', join(dir, 'blocker.yaml'), '--stack-name', 'blocker')).code).toBe(0);
  expect((await pipe('run', file)).code).toBe(1);
  expect((JSON.parse((await pipe('stack', 'describe', 'replaced', '--json')).out) as { StackStatus: string }).StackStatus).toBe('ROLLBACK_COMPLETE');
  expect((await pipe('stack', 'delete', 'blocker')).code).toBe(0);
  const again = await pipe('run', file);
  expect(again.code).toBe(0);
  expect(again.out).toContain('stack replaced is in ROLLBACK_COMPLETE: deleting it before creating it again');
  expect((JSON.parse((await pipe('stack', 'describe', 'replaced', '--json')).out) as { StackStatus: string }).StackStatus).toBe('CREATE_COMPLETE');
  expect((await pipe('stack', 'delete', 'replaced')).code).toBe(0);
});
