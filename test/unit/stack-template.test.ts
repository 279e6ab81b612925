// Templates through `planStackChanges` (nothing deployed): every short tag evaluated, SAM's Globals merged, the
// warn-and-skip summary, and the bad-input list — SAM's fail cases, cycles, self references, a CodeUri escaping
// the template's folder, a 10 MB template, 10,000 resources, failed AllowedValues, a bad stack name — each refused
// with file:line:col, every problem at once, before anything changes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PipeError, ValidationError } from '../../src/core/index.js';
import { deployStack, planStackChanges } from '../../src/deploy/index.js';
import type { StackContext } from '../../src/deploy/index.js';
import { openDatabase } from '../../src/infra/index.js';
import type { Db } from '../../src/infra/index.js';
import { Registry } from '../../src/registry/index.js';
import type { Invoker } from '../../src/registry/index.js';

const NO_INVOKE: Invoker = {
  invoke: () => Promise.reject(new PipeError('INTERNAL', 'planning never invokes')),
  retire: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

let dir: string;
let db: Db;
let registry: Registry;
let ctx: StackContext;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pipe-template-'));
  db = openDatabase(join(dir, 'state.db'));
  registry = Registry.open({ invoker: NO_INVOKE, db, home: dir });
  ctx = { db, lambda: registry, home: dir };
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'app.py'), 'def handler(e, c):\n    return 1\n');
});

afterEach(() => {
  registry.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function plan(text: string, parameters: Record<string, string> = {}, stackName = 'demo') {
  writeFileSync(join(dir, 'template.yaml'), text);
  return planStackChanges(ctx, { templateFile: join(dir, 'template.yaml'), stackName, parameters });
}

/** The problems of a refused template, paths made relative. */
async function problems(text: string, parameters: Record<string, string> = {}): Promise<string[]> {
  const e = await plan(text, parameters).then(() => undefined, (x: unknown) => x);
  if (!(e instanceof ValidationError)) throw new Error(`expected a ValidationError, got ${String(e)}`);
  return e.problems.map((p) => `${p.location.line}:${p.location.column} ${p.path}: ${p.message}`.replaceAll(dir, '<dir>'));
}

const HEAD = 'AWSTemplateFormatVersion: 2010-09-09\nTransform: AWS::Serverless-2016-10-31\n';
const FN = (extra = '') => `  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.handler\n      Runtime: python3.12\n${extra}`;

it('evaluates every short tag and long form', async () => {
  const p = await plan(`${HEAD}Parameters:
  Env: { Type: String, Default: prod }
  Sizes: { Type: CommaDelimitedList, Default: "a,b,c" }
Mappings:
  Regions: { us-east-1: { Ami: ami-1 } }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  Both: !And [!Condition IsProd, !Not [!Equals [!Ref Env, dev]]]
  Either: { "Fn::Or": [{ Condition: IsProd }, !Equals [a, b]] }
Resources:
${FN('      Environment:\n        Variables:\n          N: 10\n          T: !If [Both, on, off]\n')}  Table:
    Type: AWS::DynamoDB::Table
Outputs:
  Sub: { Value: !Sub "\${AWS::StackName}-\${Env}-\${!Literal}" }
  SubVars: { Value: !Sub ["\${X}/\${Fn.Arn}", { X: !Ref AWS::Region }] }
  Join: { Value: !Join ["-", [a, !Select [1, !Ref Sizes], !Select [0, !Split [",", "x,y"]]]] }
  Map: { Value: !FindInMap [Regions, !Ref "AWS::Region", Ami] }
  Azs: { Value: !Join [",", !GetAZs ""] }
  B64: { Value: !Base64 hi }
  Cidr: { Value: !Join [" ", !Cidr ["10.0.0.0/16", 2, 8]] }
  Cond: { Value: !If [Either, yes, no] }
  Att: { Value: !GetAtt Fn.Arn }
  LongAtt: { Value: { "Fn::GetAtt": [Fn, Arn] } }
  Table: { Value: !Ref Table }
  Imported: { Value: !ImportValue Shared-Vpc }
  Url: { Value: !Sub "https://\${ServerlessRestApi}.execute-api.\${AWS::Region}.amazonaws.com/Prod/hello/" }
`);
  const fnArn = `arn:aws:lambda:us-east-1:000000000000:function:${p.functions[0]!.functionName}`;
  expect(Object.fromEntries(p.outputs.map((o) => [o.OutputKey, o.OutputValue]))).toEqual({
    Sub: 'demo-prod-${Literal}',
    SubVars: `us-east-1/${fnArn}`,
    Join: 'a-b-x',
    Map: 'ami-1',
    Azs: 'us-east-1a,us-east-1b,us-east-1c',
    B64: 'aGk=',
    Cidr: '10.0.0.0/24 10.0.1.0/24',
    Cond: 'yes',
    Att: fnArn,
    LongAtt: fnArn,
    Table: 'demo-Table',
    Imported: 'imported-Shared-Vpc',
    Url: 'http://127.0.0.1:3000/hello/',
  });
  expect(p.changes.map((c) => `${c.action} ${c.logicalId}`)).toEqual(['Add Fn', 'Add Table']);
  expect(p.warnings).toEqual([
    'resources not deployed locally (skipped; Ref/GetAtt give placeholders): AWS::DynamoDB::Table',
    '37:35 Outputs.Imported.Value["Fn::ImportValue"]: Fn::ImportValue Shared-Vpc: no other stack exports locally; a placeholder is used',
  ]);
});

it("merges Globals as SAM does (the function's scalars win, maps merge, lists concatenate Globals first) and warns in one summary", async () => {
  const p = await plan(`${HEAD}Globals:
  Function:
    Timeout: 9
    MemorySize: 256
    Runtime: nodejs12.x
    Environment: { Variables: { AA: g, BB: g } }
    Layers: [!Ref GlobalLayer]
Resources:
  GlobalLayer:
    Type: AWS::Serverless::LayerVersion
    Properties: { ContentUri: src/ }
  OwnLayer:
    Type: AWS::Lambda::LayerVersion
    Properties: { Content: src/, LayerName: own }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      MemorySize: 512
      Policies: [AWSLambdaBasicExecutionRole]
      Tracing: Active
      Environment: { Variables: { BB: own } }
      Layers: [!Ref OwnLayer]
      Events:
        Queue: { Type: SQS, Properties: { Queue: arn:q } }
        Get: { Type: Api, Properties: { Path: '/items/{id}', Method: get } }
`, {}, 'globals');
  expect(p.functions).toEqual([{ logicalId: 'Fn', functionName: expect.stringMatching(/^globals-Fn-/) as string, runtime: 'nodejs18.x', handler: 'app.handler' }]);
  expect(p.warnings).toEqual([
    'events not wired locally: SQS',
    'properties not honoured locally (no IAM, X-Ray, VPC, ...): Policies, Tracing',
    'deprecated runtimes run on the nearest supported one: nodejs12.x -> nodejs18.x',
  ]);
  const deployed = await deployStack(ctx, { templateFile: join(dir, 'template.yaml'), stackName: 'globals' });
  expect(deployed.failure).toBeUndefined();
  const config = await registry.getFunctionConfiguration({ FunctionName: p.functions[0]!.functionName });
  expect({ Timeout: config.Timeout, MemorySize: config.MemorySize, Variables: config.Environment?.Variables, Layers: config.Layers?.map((l) => l.Arn) }).toEqual({
    Timeout: 9,
    MemorySize: 512,
    Variables: { AA: 'g', BB: 'own' },
    Layers: ['arn:aws:lambda:us-east-1:000000000000:layer:GlobalLayer:1', 'arn:aws:lambda:us-east-1:000000000000:layer:own:1'],
  });
});

it("refuses every SAM fail case and every resolution problem at once, each with its line and column", async () => {
  expect(await problems(`${HEAD}Globals:
  Function:
    Role: arn:aws:iam::1:role/x
    Events: {}
Parameters:
  NoDefault: { Type: String }
Resources:
  Image:
    Type: AWS::Serverless::Function
    Properties: { PackageType: Image, ImageUri: repo/image:1 }
  Java:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: a.b, Runtime: java21 }
  S3Code:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: s3://bucket/key.zip, Handler: a.b, Runtime: python3.12 }
  ObjectCode:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: { Bucket: b, Key: k }, Handler: a.b, Runtime: python3.12 }
  Missing:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: nowhere/, Handler: a.b, Runtime: python3.12, Environment: { Variables: { T: !Ref Nothing } } }
  Escape:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: ../../etc, Handler: a.b, Runtime: python3.12 }
  Bad_Id:
    Type: AWS::SNS::Topic
  Typo:
    Type: AWS::SNS::Topic
    Propoerties: {}
  Tagged:
    Type: AWS::SNS::Topic
    Properties: { TopicName: !Reff x }
`)).toEqual([
    '5:5 Globals.Function.Role: Role cannot be set in Globals.Function (SAM refuses Role, Policies, FunctionName and Events there); set it on each function',
    '6:5 Globals.Function.Events: Events cannot be set in Globals.Function (SAM refuses Role, Policies, FunctionName and Events there); set it on each function',
    '8:3 Parameters.NoDefault: parameter NoDefault has no Default and no value was given; pass --parameter NoDefault=VALUE',
    '12:32 Resources.Image.Properties.PackageType: PackageType Image is not supported: the local registry runs zip functions (node and python runtimes)',
    '15:57 Resources.Java.Properties.Runtime: runtime java21 is not supported locally; pipe runs nodejs*, python3.* and provided.* functions',
    '18:28 Resources.S3Code.Properties.CodeUri: s3://bucket/key.zip is an S3 location; pipe deploys local code: give a folder or .zip inside the template\'s folder or input artifact',
    '21:28 Resources.ObjectCode.Properties.CodeUri: an S3 object location (Bucket/Key) is not supported locally; give a folder or .zip inside the template\'s folder or input artifact',
    '24:28 Resources.Missing.Properties.CodeUri: code location nowhere/ does not exist (looked for <dir>/nowhere)',
    '24:109 Resources.Missing.Properties.Environment.Variables.T.Ref: Ref Nothing: no parameter, resource or pseudo parameter of that name',
    "27:28 Resources.Escape.Properties.CodeUri: ../../etc is outside <dir>; code must come from the template's folder or the input artifact",
    '28:3 Resources.Bad_Id: logical ID \'Bad_Id\' is not alphanumeric (A-Z, a-z, 0-9), as CloudFormation requires',
    '32:5 Resources.Typo.Propoerties: unknown key \'Propoerties\'; did you mean \'Properties\'?',
    '35:36 Resources.Tagged.Properties.TopicName: unknown tag !Reff; CloudFormation\'s short forms are !Ref !Condition !GetAtt !Sub !If !Join !Select !Split !FindInMap !Equals !And !Or !Not !GetAZs !ImportValue !Base64 !Cidr',
  ]);
});

it('refuses what needs the resolved template: a parameter without value, a missing code folder, a dangling Ref, a CodeUri outside the folder', async () => {
  expect(await problems(`${HEAD}Parameters:
  NoDefault: { Type: String }
  Count: { Type: Number, Default: 3, MaxValue: 2 }
Resources:
  Missing:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: nowhere/, Handler: a.b, Runtime: python3.12, Environment: { Variables: { T: !Ref Nothing } } }
  Escape:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: ../../etc, Handler: a.b, Runtime: python3.12 }
`, { Unknown: 'x' })).toEqual([
    "4:3 Parameters: parameter override Unknown: the template declares no parameter Unknown (it has NoDefault, Count)",
    '4:3 Parameters.NoDefault: parameter NoDefault has no Default and no value was given; pass --parameter NoDefault=VALUE',
    "5:35 Parameters.Count: parameter Count: '3' is greater than MaxValue 2",
    '9:28 Resources.Missing.Properties.CodeUri: code location nowhere/ does not exist (looked for <dir>/nowhere)',
    '9:109 Resources.Missing.Properties.Environment.Variables.T.Ref: Ref Nothing: no parameter, resource or pseudo parameter of that name',
    "12:28 Resources.Escape.Properties.CodeUri: ../../etc is outside <dir>; code must come from the template's folder or the input artifact",
  ]);
});

it('refuses AWS::Serverless types without the transform, circular dependencies and self references', async () => {
  expect(await problems(`Resources:
  A:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: a.b, Runtime: python3.12 }
`)).toEqual(["3:11 Resources.A.Type: AWS::Serverless::Function needs the SAM transform: add 'Transform: AWS::Serverless-2016-10-31' at the top level"]);
  expect(await problems(`${HEAD}Resources:
  A:
    Type: AWS::SNS::Topic
    Properties: { TopicName: !GetAtt B.TopicName }
  B:
    Type: AWS::SNS::Topic
    Properties: { TopicName: !Sub "\${A}-b" }
  C:
    Type: AWS::SNS::Topic
    Properties: { TopicName: !Ref C }
`)).toEqual([
    '4:3 Resources.A: circular dependency: A -> B -> A',
    '7:3 Resources.B: circular dependency: A -> B -> A',
    '12:35 Resources.C.Properties.TopicName: resource C refers to itself',
  ]);
});

it('refuses parameters failing AllowedValues and AllowedPattern, and a stack name CloudFormation would not take', async () => {
  const text = `${HEAD}Parameters:
  Stage: { Type: String, AllowedValues: [dev, prod], Default: dev }
  Name: { Type: String, AllowedPattern: "[a-z]+", Default: ok, ConstraintDescription: lower-case letters }
Resources:
${FN()}`;
  expect(await problems(text, { Stage: 'test', Name: 'No' })).toEqual([
    "4:3 Parameters.Stage: parameter Stage: 'test' is not one of the AllowedValues: dev, prod",
    "5:3 Parameters.Name: parameter Name: 'No' does not match the AllowedPattern [a-z]+ (lower-case letters)",
  ]);
  await expect(plan(text, {}, '1-not-a-name')).rejects.toThrow("stack name '1-not-a-name' is not valid: CloudFormation takes a letter, then letters, digits and hyphens, at most 128 characters");
});

it('refuses text that is not YAML, a 10 MB template and one with 10,000 resources, quickly', async () => {
  expect(await problems('Resources: [unclosed\n')).toEqual([expect.stringMatching(/^2:1 : YAML syntax error: /) as string]);
  const started = performance.now();
  expect(await problems(`${HEAD}Description: "${'x'.repeat(10 * 1024 * 1024)}"\nResources: {}\n`)).toEqual([
    '3:1048502 : the file is 10485865 bytes, larger than the limit of 1048576 bytes',
  ]);
  const many = Array.from({ length: 10_000 }, (_, i) => `  T${i}: { Type: AWS::SNS::Topic }`).join('\n');
  expect(await problems(`${HEAD}Resources:\n${many}\n`)).toEqual([
    "504:3 Resources: the template declares 10000 resources, more than CloudFormation's limit of 500 per stack",
  ]);
  // Refused without blowing up; the speed (target under 3 s) is measured by `npm run bench` (bench/limits.mjs).
  expect(performance.now() - started).toBeLessThan(20_000);
});
