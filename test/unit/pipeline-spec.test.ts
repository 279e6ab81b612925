// The pipeline file: parsing, normalisation, and every validation rule with its exact message and position.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { PipeError, ValidationError } from '../../src/core/index.js';
import { loadPipelineSpec, parsePipelineSpec } from '../../src/parse/index.js';

/** Strips the common indentation of a template, so the YAML reads in place and lines count from 1. */
function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const indent = Math.min(...text.split('\n').filter((l) => l.trim()).map((l) => /^ */.exec(l)?.[0].length ?? 0));
  return text
    .split('\n')
    .map((l) => l.slice(indent))
    .join('\n');
}

/** The whole validation report of a file that must be invalid. */
function report(text: string): string {
  try {
    parsePipelineSpec(text, 'p.yml');
  } catch (e) {
    if (e instanceof ValidationError) return e.format();
    throw e;
  }
  throw new Error('expected the file to be invalid');
}

/** A valid source stage to put in front of the stages under test (lines 3-9). */
const SOURCE = yaml`
  name: p
  stages:
    - name: Source
      actions:
        - name: Checkout
          type: Source/Git
          configuration: { repository: . }
          outputArtifacts: [Src]
          namespace: SourceVariables
`;

const SAMPLE = yaml`
  name: hello-service
  variables:
    - { name: DeployEnv, default: dev, description: where to deploy }
  stages:
    - name: Source
      actions:
        - name: Checkout
          type: Source/Git
          configuration: { repository: .., branch: main }
          outputArtifacts: [SourceOutput]
          namespace: SourceVariables
    - name: Build
      actions:
        - name: Build
          type: Build/CodeBuild
          runOrder: 1
          configuration:
            buildspec: buildspecs/hello-service.yml
            image: pipe/standard:1
            environmentVariables: { COMMIT: "#{SourceVariables.CommitId}", ENV: "#{variables.DeployEnv}" }
          inputArtifacts: [SourceOutput]
          outputArtifacts: [BuildOutput]
          namespace: BuildVariables
`;

describe('a valid pipeline file', () => {
  test('becomes a PipelineSpec with CodePipeline names, defaults applied and positions kept', () => {
    const spec = parsePipelineSpec(SAMPLE, 'pipelines/deploy.yml');
    expect(spec.file).toBe(path.resolve('pipelines/deploy.yml'));
    expect(spec.digest).toBe(createHash('sha256').update(SAMPLE).digest('hex'));
    expect(spec.name).toBe('hello-service');
    expect(spec.variables).toEqual([{ name: 'DeployEnv', defaultValue: 'dev', description: 'where to deploy' }]);
    expect(spec.stages.map((s) => [s.name, s.location.line, s.location.column])).toEqual([
      ['Source', 5, 5],
      ['Build', 12, 5],
    ]);
    const [checkout] = spec.stages[0]?.actions ?? [];
    expect(checkout).toEqual({
      name: 'Checkout',
      type: 'Source/Git',
      runOrder: 1,
      configuration: { repository: '..', branch: 'main' },
      inputArtifacts: [],
      outputArtifacts: ['SourceOutput'],
      namespace: 'SourceVariables',
      location: { file: 'pipelines/deploy.yml', line: 7, column: 9 },
    });
    expect(spec.stages[1]?.actions[0]?.configuration).toEqual({
      buildspec: 'buildspecs/hello-service.yml',
      image: 'pipe/standard:1',
      environmentVariables: [
        { name: 'COMMIT', value: '#{SourceVariables.CommitId}', type: 'PLAINTEXT' },
        { name: 'ENV', value: '#{variables.DeployEnv}', type: 'PLAINTEXT' },
      ],
      timeoutInMinutes: '60',
      privilegedMode: 'false',
      batchEnabled: 'false',
      combineArtifacts: 'false',
      batchConcurrency: '2',
    });
  });

  test("CodePipeline's JSON forms normalise to the same spec: { name } artifacts, listed environment variables", () => {
    const listed = yaml`
      name: p
      variables:
        - { name: Env, defaultValue: dev }
      stages:
        - name: Source
          actions:
            - name: Checkout
              type: Source/Git
              configuration: { repository: repo, commit: 0123abcd }
              outputArtifacts: [{ name: Src }]
        - name: Build
          actions:
            - name: Build
              type: Build/CodeBuild
              configuration:
                environmentVariables:
                  - { name: A, value: "1" }
                  - { name: TOKEN, value: /pipe/token, type: PARAMETER_STORE }
              inputArtifacts: [{ name: Src }]
    `;
    const spec = parsePipelineSpec(listed, 'p.yml');
    expect(spec.variables).toEqual([{ name: 'Env', defaultValue: 'dev' }]);
    expect(spec.stages[0]?.actions[0]?.configuration).toEqual({ repository: 'repo', commit: '0123abcd' });
    const build = spec.stages[1]?.actions[0];
    expect(build?.inputArtifacts).toEqual(['Src']);
    expect(build?.configuration['environmentVariables']).toEqual([
      { name: 'A', value: '1', type: 'PLAINTEXT' },
      { name: 'TOKEN', value: '/pipe/token', type: 'PARAMETER_STORE' },
    ]);
  });

  test('scalars keep their literal text; booleans become true/false; runOrder gaps are allowed', () => {
    const spec = parsePipelineSpec(
      SOURCE +
        yaml`
        - name: Build
          actions:
            - name: A
              type: Build/CodeBuild
              runOrder: 3
              inputArtifacts: [Src]
              configuration:
                environmentVariables: { PY: 3.10, CI: true, N: 007 }
                privilegedMode: yes
                timeoutInMinutes: 480
      `.replace(/^/gm, '  '),
      'p.yml',
    );
    const action = spec.stages[1]?.actions[0];
    expect(action?.runOrder).toBe(3);
    expect(action?.configuration).toMatchObject({
      environmentVariables: [
        { name: 'PY', value: '3.10', type: 'PLAINTEXT' },
        { name: 'CI', value: 'true', type: 'PLAINTEXT' },
        { name: 'N', value: '007', type: 'PLAINTEXT' },
      ],
      privilegedMode: 'true',
      timeoutInMinutes: '480',
    });
  });

  test('Deploy/Lambda keeps its configuration as parsed, references included', () => {
    const spec = parsePipelineSpec(
      SOURCE +
        yaml`
        - name: Deploy
          actions:
            - name: Fn
              type: Deploy/Lambda
              inputArtifacts: [Src]
              configuration:
                FunctionName: hello
                FunctionAlias: "#{SourceVariables.BranchName}"
                DeployStrategy: Canary10Percent5Minutes
      `.replace(/^/gm, '  '),
      'p.yml',
    );
    expect(spec.stages[1]?.actions[0]?.configuration).toEqual({
      FunctionName: 'hello',
      FunctionAlias: '#{SourceVariables.BranchName}',
      DeployStrategy: 'Canary10Percent5Minutes',
    });
  });

  test('references that finish earlier resolve: a lower runOrder, a build namespace (any key), execution id', () => {
    const text =
      SOURCE +
      yaml`
        - name: Build
          actions:
            - name: Compile
              type: Build/CodeBuild
              inputArtifacts: [Src]
              outputArtifacts: [Bin]
              namespace: CompileVars
            - name: Test
              type: Build/CodeBuild
              runOrder: 2
              inputArtifacts: [Src, Bin]
              configuration:
                environmentVariables:
                  TAG: "#{CompileVars.IMAGE_TAG}-#{SourceVariables.BranchName}"
                  RUN: "#{codepipeline.PipelineExecutionId}"
      `.replace(/^/gm, '  ');
    expect(parsePipelineSpec(text, 'p.yml').stages[1]?.actions.map((a) => a.name)).toEqual(['Compile', 'Test']);
  });
});

describe('reading the file', () => {
  test('loadPipelineSpec reads the file and records the SHA-256 of its bytes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipe-spec-'));
    const file = path.join(dir, 'deploy.yml');
    writeFileSync(file, SAMPLE);
    const spec = loadPipelineSpec(file);
    expect(spec.file).toBe(file);
    expect(spec.digest).toBe(createHash('sha256').update(SAMPLE).digest('hex'));
    expect(spec.stages).toHaveLength(2);
  });

  test('a missing file is NOT_FOUND, a directory INVALID_ARGUMENT', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipe-spec-'));
    const missing = path.join(dir, 'nope.yml');
    expect(() => loadPipelineSpec(missing)).toThrow(new PipeError('NOT_FOUND', `pipeline file ${missing} not found`));
    expect(() => loadPipelineSpec(dir)).toThrow(`${dir} is a directory; expected a pipeline file`);
    try {
      loadPipelineSpec(dir);
    } catch (e) {
      expect((e as PipeError).code).toBe('INVALID_ARGUMENT');
    }
  });

  test('problems in a loaded file name the file as given', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipe-spec-'));
    const file = path.join(dir, 'bad.yml');
    writeFileSync(file, 'name: p\n');
    expect(() => loadPipelineSpec(file)).toThrow(ValidationError);
    try {
      loadPipelineSpec(file);
    } catch (e) {
      expect((e as ValidationError).problems[0]?.location.file).toBe(file);
      expect((e as ValidationError).code).toBe('INVALID_SPEC');
    }
  });
});

describe('the whole-file shape', () => {
  test('an empty file', () => {
    expect(report('')).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:1:1 the file is empty; expected a mapping with 'name' and 'stages'
          1 | 
            | ^"
    `);
    expect(report('# only a comment\n')).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:1:1 the file is empty; expected a mapping with 'name' and 'stages'
          1 | # only a comment
            | ^"
    `);
  });

  test('a file that is not a mapping', () => {
    expect(report('- name: p\n')).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:1:1 expected a mapping with 'name' and 'stages', got a list
          1 | - name: p
            | ^"
    `);
    expect(report('just text\n')).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:1:1 expected a mapping with 'name' and 'stages', got 'just text'
          1 | just text
            | ^"
    `);
  });

  test('malformed YAML names the line and column', () => {
    expect(report('name: p\nstages: [\n  - name: x\n')).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:3:3 YAML syntax error: missed comma between flow collection entries
          3 |   - name: x
            |   ^"
    `);
    expect(report('name: p\n  bad indent: 1\n')).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:2:13 YAML syntax error: bad indentation of a mapping entry
          2 |   bad indent: 1
            |             ^"
    `);
  });

  test('a duplicate key', () => {
    expect(report('name: p\nname: q\nstages: []\n')).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:2:1 duplicate key 'name' in one mapping
          2 | name: q
            | ^"
    `);
  });

  test('missing name and stages', () => {
    expect(report('variables: []\n')).toMatchInlineSnapshot(`
      "p.yml: 2 problems found
        p.yml:1:1 name: missing required key 'name'
          1 | variables: []
            | ^
        p.yml:1:1 stages: missing required key 'stages'
          1 | variables: []
            | ^"
    `);
  });

  test('unknown top-level keys, with a "did you mean" when one is close', () => {
    expect(report(SOURCE.replace('name: p', 'name: p\nstagse: []\nowner: me'))).toMatchInlineSnapshot(`
      "p.yml: 3 problems found
        p.yml:2:1 stagse: unknown key 'stagse'; did you mean 'stages'?
          2 | stagse: []
            | ^
        p.yml:3:1 owner: unknown key 'owner'; expected one of: name, executionMode, maxParallelActions, deployTimeScale, variables, triggers, stages
          3 | owner: me
            | ^
        p.yml:5:3 stages: a pipeline needs at least two stages (a source stage and one more), got 1
          5 |   - name: Source
            |   ^"
    `);
  });
});

describe('stages', () => {
  test('at least two stages', () => {
    expect(report(SOURCE)).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:3:3 stages: a pipeline needs at least two stages (a source stage and one more), got 1
          3 |   - name: Source
            |   ^"
    `);
    expect(report('name: p\nstages: []\n')).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:2:9 stages: a pipeline needs at least two stages (a source stage and one more), got 0
          2 | stages: []
            |         ^"
    `);
  });

  test('stages and actions must be lists of mappings; a stage needs actions', () => {
    const text = yaml`
      name: p
      stages: 
        - just a name
        - name: Empty
          actions: []
        - name: NoActions
          action: []
        - name: Scalar
          actions: Build
    `;
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 5 problems found
        p.yml:3:5 stages[0]: expected a mapping, got 'just a name'
          3 |   - just a name
            |     ^
        p.yml:5:14 stages[1].actions: a stage needs at least one action
          5 |     actions: []
            |              ^
        p.yml:6:5 stages[2].actions: missing required key 'actions'
          6 |   - name: NoActions
            |     ^
        p.yml:7:5 stages[2].action: unknown key 'action'; did you mean 'actions'?
          7 |     action: []
            |     ^
        p.yml:9:14 stages[3].actions: expected a list, got 'Build'
          9 |     actions: Build
            |              ^"
    `);
  });

  test('unique stage names', () => {
    const text =
      SOURCE +
      yaml`
        - name: Source
          actions:
            - { name: B, type: Build/CodeBuild, inputArtifacts: [Src] }
      `.replace(/^/gm, '  ');
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:10:11 stages[1].name: duplicate stage name 'Source' (first at line 3); stage names must be unique in the pipeline
          10 |   - name: Source
             |           ^"
    `);
  });

  test('source actions only, and all of them, in the first stage', () => {
    const text = yaml`
      name: p
      stages:
        - name: Source
          actions:
            - { name: Checkout, type: Source/Git, configuration: { repository: . }, outputArtifacts: [Src] }
            - { name: Early, type: Build/CodeBuild, runOrder: 2, inputArtifacts: [Src] }
        - name: Build
          actions:
            - { name: Late, type: Source/Git, configuration: { repository: . }, outputArtifacts: [Other] }
    `;
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 2 problems found
        p.yml:6:30 stages[0].actions[1].type: the first stage may hold only source actions; action 'Source.Early' is a Build/CodeBuild action
          6 |       - { name: Early, type: Build/CodeBuild, runOrder: 2, inputArtifacts: [Src] }
            |                              ^
        p.yml:9:29 stages[1].actions[0].type: source actions belong in the first stage; action 'Build.Late' stands in stage 'Build'
          9 |       - { name: Late, type: Source/Git, configuration: { repository: . }, outputArtifacts: [Other] }
            |                             ^"
    `);
  });
});

describe('actions', () => {
  const stage = (actions: string): string => SOURCE + `  - name: Build\n    actions:\n${actions.replace(/^/gm, '      ')}`;

  test('Invoke/Lambda: FunctionName is required, UserParameters optional, other keys and long values refused', () => {
    const text = stage(yaml`
      - { name: A, type: Invoke/Lambda, configuration: { UserParameters: x, Function: f } }
      - { name: B, type: Invoke/Lambda, configuration: { FunctionName: f, UserParameters: ${'u'.repeat(1001)} } }
    `);
    const problems = report(text).split('\n').filter((l) => /^ {2}p\.yml:/.test(l)).map((l) => l.trim());
    expect(problems).toEqual([
      "p.yml:12:56 stages[1].actions[0].configuration.FunctionName: missing required configuration key 'FunctionName' for Invoke/Lambda",
      "p.yml:12:77 stages[1].actions[0].configuration.Function: unknown key 'Function'; expected one of: FunctionName, UserParameters",
      'p.yml:13:91 stages[1].actions[1].configuration.UserParameters: expected at most 1000 characters, got 1001',
    ]);
    const ok = parsePipelineSpec(stage(yaml`
      - { name: A, type: Invoke/Lambda, configuration: { FunctionName: f }, inputArtifacts: [Src], outputArtifacts: [Out] }
    `), 'p.yml');
    expect(ok.stages[1]?.actions[0]?.configuration).toEqual({ FunctionName: 'f' });
  });

  test('missing name and type; an unknown type lists the known ones', () => {
    const text = stage(yaml`
      - inputArtifacts: [Src]
      - { name: A, type: Build/Codebuild, inputArtifacts: [Src] }
      - { name: B, type: Test/Jenkins, inputArtifacts: [Src] }
    `);
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 4 problems found
        p.yml:12:9 stages[1].actions[0].name: missing required key 'name'
          12 |       - inputArtifacts: [Src]
             |         ^
        p.yml:12:9 stages[1].actions[0].type: missing required key 'type'; expected one of: Source/Git, Build/CodeBuild, Deploy/Lambda, Deploy/CloudFormation, Invoke/Lambda, Approval/Manual
          12 |       - inputArtifacts: [Src]
             |         ^
        p.yml:13:26 stages[1].actions[1].type: unknown action type 'Build/Codebuild'; did you mean 'Build/CodeBuild'? known types: Source/Git, Build/CodeBuild, Deploy/Lambda, Deploy/CloudFormation, Invoke/Lambda, Approval/Manual
          13 |       - { name: A, type: Build/Codebuild, inputArtifacts: [Src] }
             |                          ^
        p.yml:14:26 stages[1].actions[2].type: unknown action type 'Test/Jenkins'; known types: Source/Git, Build/CodeBuild, Deploy/Lambda, Deploy/CloudFormation, Invoke/Lambda, Approval/Manual
          14 |       - { name: B, type: Test/Jenkins, inputArtifacts: [Src] }
             |                          ^"
    `);
  });

  test('unknown action keys, with "did you mean"', () => {
    const text = stage(yaml`
      - name: A
        type: Build/CodeBuild
        inputArtifact: [Src]
        run_order: 2
        roleArn: x
    `);
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 4 problems found
        p.yml:12:9 stages[1].actions[0].inputArtifacts: action 'Build.A' (Build/CodeBuild) takes 1-5 input artifacts, got 0
          12 |       - name: A
             |         ^
        p.yml:14:9 stages[1].actions[0].inputArtifact: unknown key 'inputArtifact'; did you mean 'inputArtifacts'?
          14 |         inputArtifact: [Src]
             |         ^
        p.yml:15:9 stages[1].actions[0].run_order: unknown key 'run_order'; did you mean 'runOrder'?
          15 |         run_order: 2
             |         ^
        p.yml:16:9 stages[1].actions[0].roleArn: unknown key 'roleArn'; expected one of: name, type, runOrder, configuration, inputArtifacts, outputArtifacts, namespace
          16 |         roleArn: x
             |         ^"
    `);
  });

  test('unique action names within a stage; the same name in another stage is fine', () => {
    const text = stage(yaml`
      - { name: Checkout, type: Build/CodeBuild, inputArtifacts: [Src] }
      - { name: Twice, type: Build/CodeBuild, inputArtifacts: [Src] }
      - { name: Twice, type: Build/CodeBuild, inputArtifacts: [Src] }
    `);
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:14:17 stages[1].actions[2].name: duplicate action name 'Twice' (first at line 13); action names must be unique within stage 'Build'
          14 |       - { name: Twice, type: Build/CodeBuild, inputArtifacts: [Src] }
             |                 ^"
    `);
  });

  test('runOrder is a positive integer', () => {
    const text = stage(yaml`
      - { name: A, type: Build/CodeBuild, inputArtifacts: [Src], runOrder: 0 }
      - { name: B, type: Build/CodeBuild, inputArtifacts: [Src], runOrder: -1 }
      - { name: C, type: Build/CodeBuild, inputArtifacts: [Src], runOrder: 1.5 }
      - { name: D, type: Build/CodeBuild, inputArtifacts: [Src], runOrder: first }
      - { name: E, type: Build/CodeBuild, inputArtifacts: [Src], runOrder: 1000 }
      - { name: F, type: Build/CodeBuild, inputArtifacts: [Src], runOrder: [1] }
    `);
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 6 problems found
        p.yml:12:76 stages[1].actions[0].runOrder: expected a positive integer (1-999), got '0'
          12 |       - { name: A, type: Build/CodeBuild, inputArtifacts: [Src], runOrder: 0 }
             |                                                                            ^
        p.yml:13:76 stages[1].actions[1].runOrder: expected a positive integer (1-999), got '-1'
          13 |       - { name: B, type: Build/CodeBuild, inputArtifacts: [Src], runOrder: -1 }
             |                                                                            ^
        p.yml:14:76 stages[1].actions[2].runOrder: expected a positive integer (1-999), got '1.5'
          14 |       - { name: C, type: Build/CodeBuild, inputArtifacts: [Src], runOrder: 1.5 }
             |                                                                            ^
        p.yml:15:76 stages[1].actions[3].runOrder: expected a positive integer (1-999), got 'first'
          15 |       - { name: D, type: Build/CodeBuild, inputArtifacts: [Src], runOrder: first }
             |                                                                            ^
        p.yml:16:76 stages[1].actions[4].runOrder: expected a positive integer (1-999), got '1000'
          16 |       - { name: E, type: Build/CodeBuild, inputArtifacts: [Src], runOrder: 1000 }
             |                                                                            ^
        p.yml:17:76 stages[1].actions[5].runOrder: expected a positive integer (1-999), got a list
          17 |       - { name: F, type: Build/CodeBuild, inputArtifacts: [Src], runOrder: [1] }
             |                                                                            ^"
    `);
  });

  test("names follow CodePipeline's patterns and length limits", () => {
    const long = 'x'.repeat(101);
    const text = yaml`
      name: my pipeline
      variables:
        - name: deploy.env
      stages:
        - name: Source/Stage
          actions:
            - name: ${long}
              type: Source/Git
              configuration: { repository: . }
              outputArtifacts: [Source.Output]
              namespace: Source.Vars
        - name: ""
          actions:
            - { name: B, type: Build/CodeBuild, inputArtifacts: [[Src]] }
    `;
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 8 problems found
        p.yml:1:7 name: expected a pipeline name of 1-100 characters from A-Z a-z 0-9 . @ - _, got 'my pipeline'
          1 | name: my pipeline
            |       ^
        p.yml:3:11 variables[0].name: expected a variable name of 1-128 characters from A-Z a-z 0-9 @ - _, got 'deploy.env'
          3 |   - name: deploy.env
            |           ^
        p.yml:5:11 stages[0].name: expected a stage name of 1-100 characters from A-Z a-z 0-9 . @ - _, got 'Source/Stage'
          5 |   - name: Source/Stage
            |           ^
        p.yml:7:15 stages[0].actions[0].name: expected an action name of 1-100 characters from A-Z a-z 0-9 . @ - _, got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
          7 |       - name: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
            |               ^
        p.yml:10:27 stages[0].actions[0].outputArtifacts[0]: expected an artifact name of 1-100 characters from A-Z a-z 0-9 _ -, got 'Source.Output'
          10 |         outputArtifacts: [Source.Output]
             |                           ^
        p.yml:11:20 stages[0].actions[0].namespace: expected a namespace name of 1-100 characters from A-Z a-z 0-9 @ - _, got 'Source.Vars'
          11 |         namespace: Source.Vars
             |                    ^
        p.yml:12:11 stages[1].name: expected a stage name of 1-100 characters from A-Z a-z 0-9 . @ - _, got ''
          12 |   - name: ""
             |           ^
        p.yml:14:60 stages[1].actions[0].inputArtifacts[0]: expected an artifact name or { name: ... }, got a list
          14 |       - { name: B, type: Build/CodeBuild, inputArtifacts: [[Src]] }
             |                                                            ^"
    `);
  });
  test('names made only of dots are refused even where the pattern allows dots: they would be paths', () => {
    const text = yaml`
      name: ..
      stages:
        - name: ...
          actions:
            - name: .
              type: Source/Git
              configuration: { repository: . }
              outputArtifacts: [Src]
        - name: ..
          actions:
            - { name: v1.2, type: Build/CodeBuild, inputArtifacts: [Src] }
    `;
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 4 problems found
        p.yml:1:7 name: '..' is not usable as a pipeline name: a name of only dots reads as a path ('.' or '..'); use a letter, digit, @, - or _ too
          1 | name: ..
            |       ^
        p.yml:3:11 stages[0].name: '...' is not usable as a stage name: a name of only dots reads as a path ('.' or '..'); use a letter, digit, @, - or _ too
          3 |   - name: ...
            |           ^
        p.yml:5:15 stages[0].actions[0].name: '.' is not usable as an action name: a name of only dots reads as a path ('.' or '..'); use a letter, digit, @, - or _ too
          5 |       - name: .
            |               ^
        p.yml:9:11 stages[1].name: '..' is not usable as a stage name: a name of only dots reads as a path ('.' or '..'); use a letter, digit, @, - or _ too
          9 |   - name: ..
            |           ^"
    `);
  });
});

describe('hostile text', () => {
  test('control characters from the file (terminal escapes) are shown as ?, one for one, so the caret still fits', () => {
    const text = `name: "\\e[2Jx\\ty" # \u001b[31m raw\n${SOURCE.split('\n').slice(1).join('\n')}`;
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 2 problems found
        p.yml:1:7 name: expected a pipeline name of 1-100 characters from A-Z a-z 0-9 . @ - _, got '?[2Jx	y'
          1 | name: "\\e[2Jx\\ty" # ?[31m raw
            |       ^
        p.yml:3:3 stages: a pipeline needs at least two stages (a source stage and one more), got 1
          3 |   - name: Source
            |   ^"
    `);
  });
});

describe('artifacts', () => {
  test('output artifact names are unique in the pipeline', () => {
    const text =
      SOURCE +
      yaml`
        - name: Build
          actions:
            - { name: A, type: Build/CodeBuild, inputArtifacts: [Src], outputArtifacts: [Out, Src] }
            - { name: B, type: Build/CodeBuild, inputArtifacts: [Src], outputArtifacts: [Out] }
      `.replace(/^/gm, '  ');
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 2 problems found
        p.yml:12:89 stages[1].actions[0].outputArtifacts[1]: output artifact 'Src' is already produced by action 'Source.Checkout' (line 5); output artifact names must be unique in the pipeline
          12 |       - { name: A, type: Build/CodeBuild, inputArtifacts: [Src], outputArtifacts: [Out, Src] }
             |                                                                                         ^
        p.yml:13:84 stages[1].actions[1].outputArtifacts[0]: output artifact 'Out' is already produced by action 'Build.A' (line 12); output artifact names must be unique in the pipeline
          13 |       - { name: B, type: Build/CodeBuild, inputArtifacts: [Src], outputArtifacts: [Out] }
             |                                                                                    ^"
    `);
  });

  test('every input artifact is produced by an earlier action', () => {
    const text =
      SOURCE +
      yaml`
        - name: Build
          actions:
            - { name: A, type: Build/CodeBuild, inputArtifacts: [Src, Bin, Late], outputArtifacts: [Bin] }
            - { name: B, type: Build/CodeBuild, runOrder: 2, inputArtifacts: [Bin, Src, Src, Srx, Pkg] }
        - name: Test
          actions:
            - { name: C, type: Build/CodeBuild, inputArtifacts: [Bin], outputArtifacts: [Late] }
      `.replace(/^/gm, '  ');
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 5 problems found
        p.yml:12:65 stages[1].actions[0].inputArtifacts[1]: input artifact 'Bin' is produced by action 'Build.A', which does not finish before action 'Build.A'; the producer must stand in an earlier stage, or in the same stage with a lower runOrder
          12 |       - { name: A, type: Build/CodeBuild, inputArtifacts: [Src, Bin, Late], outputArtifacts: [Bin] }
             |                                                                 ^
        p.yml:12:70 stages[1].actions[0].inputArtifacts[2]: input artifact 'Late' is produced by action 'Test.C', which does not finish before action 'Build.A'; the producer must stand in an earlier stage, or in the same stage with a lower runOrder
          12 |       - { name: A, type: Build/CodeBuild, inputArtifacts: [Src, Bin, Late], outputArtifacts: [Bin] }
             |                                                                      ^
        p.yml:13:83 stages[1].actions[1].inputArtifacts[2]: input artifact 'Src' is listed twice
          13 |       - { name: B, type: Build/CodeBuild, runOrder: 2, inputArtifacts: [Bin, Src, Src, Srx, Pkg] }
             |                                                                                   ^
        p.yml:13:88 stages[1].actions[1].inputArtifacts[3]: input artifact 'Srx' is not produced by any action; did you mean 'Src'?
          13 |       - { name: B, type: Build/CodeBuild, runOrder: 2, inputArtifacts: [Bin, Src, Src, Srx, Pkg] }
             |                                                                                        ^
        p.yml:13:93 stages[1].actions[1].inputArtifacts[4]: input artifact 'Pkg' is not produced by any action
          13 |       - { name: B, type: Build/CodeBuild, runOrder: 2, inputArtifacts: [Bin, Src, Src, Srx, Pkg] }
             |                                                                                             ^"
    `);
  });

  test("artifacts in CodePipeline's { name } form take no other key", () => {
    const text =
      SOURCE +
      yaml`
        - name: Build
          actions:
            - { name: A, type: Build/CodeBuild, inputArtifacts: [{ nam: Src }], outputArtifacts: [{ name: Out, files: [x] }] }
      `.replace(/^/gm, '  ');
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 3 problems found
        p.yml:12:60 stages[1].actions[0].inputArtifacts[0].name: missing required key 'name'
          12 |       - { name: A, type: Build/CodeBuild, inputArtifacts: [{ nam: Src }], outputArtifacts: [{ name: Out, files: [x] }] }
             |                                                            ^
        p.yml:12:62 stages[1].actions[0].inputArtifacts[0].nam: unknown key 'nam'; did you mean 'name'?
          12 |       - { name: A, type: Build/CodeBuild, inputArtifacts: [{ nam: Src }], outputArtifacts: [{ name: Out, files: [x] }] }
             |                                                              ^
        p.yml:12:106 stages[1].actions[0].outputArtifacts[0].files: unknown key 'files'; expected one of: name
          12 |       - { name: A, type: Build/CodeBuild, inputArtifacts: [{ nam: Src }], outputArtifacts: [{ name: Out, files: [x] }] }
             |                                                                                                          ^"
    `);
  });

  test('artifact counts per action type', () => {
    const text = yaml`
      name: p
      stages:
        - name: Source
          actions:
            - { name: Checkout, type: Source/Git, configuration: { repository: . }, inputArtifacts: [Zip] }
            - { name: Other, type: Source/Git, configuration: { repository: . }, outputArtifacts: [Src] }
        - name: Build
          actions:
            - { name: B, type: Build/CodeBuild }
            - { name: Make, type: Build/CodeBuild, inputArtifacts: [Src], outputArtifacts: [A, B, C, D, E, F] }
            - { name: C, type: Build/CodeBuild, runOrder: 2, inputArtifacts: [Src, A, B, C, D, E] }
            - { name: D, type: Build/CodeBuild, inputArtifacts: [Src], outputArtifacts: {} }
    `;
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 7 problems found
        p.yml:5:9 stages[0].actions[0].outputArtifacts: action 'Source.Checkout' (Source/Git) takes 1 output artifact, got 0
          5 |       - { name: Checkout, type: Source/Git, configuration: { repository: . }, inputArtifacts: [Zip] }
            |         ^
        p.yml:5:95 stages[0].actions[0].inputArtifacts: action 'Source.Checkout' (Source/Git) takes no input artifacts, got 1
          5 |       - { name: Checkout, type: Source/Git, configuration: { repository: . }, inputArtifacts: [Zip] }
            |                                                                                               ^
        p.yml:5:96 stages[0].actions[0].inputArtifacts[0]: input artifact 'Zip' is not produced by any action
          5 |       - { name: Checkout, type: Source/Git, configuration: { repository: . }, inputArtifacts: [Zip] }
            |                                                                                                ^
        p.yml:9:9 stages[1].actions[0].inputArtifacts: action 'Build.B' (Build/CodeBuild) takes 1-5 input artifacts, got 0
          9 |       - { name: B, type: Build/CodeBuild }
            |         ^
        p.yml:10:86 stages[1].actions[1].outputArtifacts: action 'Build.Make' (Build/CodeBuild) takes 0-5 output artifacts, got 6
          10 |       - { name: Make, type: Build/CodeBuild, inputArtifacts: [Src], outputArtifacts: [A, B, C, D, E, F] }
             |                                                                                      ^
        p.yml:11:72 stages[1].actions[2].inputArtifacts: action 'Build.C' (Build/CodeBuild) takes 1-5 input artifacts, got 6
          11 |       - { name: C, type: Build/CodeBuild, runOrder: 2, inputArtifacts: [Src, A, B, C, D, E] }
             |                                                                        ^
        p.yml:12:83 stages[1].actions[3].outputArtifacts: expected a list, got a mapping
          12 |       - { name: D, type: Build/CodeBuild, inputArtifacts: [Src], outputArtifacts: {} }
             |                                                                                   ^"
    `);
  });
});

describe('namespaces and variable references', () => {
  test('namespaces are unique, not reserved, and differ from artifact names', () => {
    const text =
      SOURCE +
      yaml`
        - name: Build
          actions:
            - { name: A, type: Build/CodeBuild, inputArtifacts: [Src], namespace: SourceVariables }
            - { name: B, type: Build/CodeBuild, inputArtifacts: [Src], namespace: variables }
            - { name: C, type: Build/CodeBuild, inputArtifacts: [Src], namespace: Src }
      `.replace(/^/gm, '  ');
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 3 problems found
        p.yml:12:77 stages[1].actions[0].namespace: namespace 'SourceVariables' is already used by action 'Source.Checkout' (line 5); namespaces must be unique in the pipeline
          12 |       - { name: A, type: Build/CodeBuild, inputArtifacts: [Src], namespace: SourceVariables }
             |                                                                             ^
        p.yml:13:77 stages[1].actions[1].namespace: namespace 'variables' is reserved; choose another name
          13 |       - { name: B, type: Build/CodeBuild, inputArtifacts: [Src], namespace: variables }
             |                                                                             ^
        p.yml:14:77 stages[1].actions[2].namespace: namespace 'Src' is also an artifact name; namespaces and artifact names must differ
          14 |       - { name: C, type: Build/CodeBuild, inputArtifacts: [Src], namespace: Src }
             |                                                                             ^"
    `);
  });

  test('every reference is resolvable from an action that finishes earlier', () => {
    const text = yaml`
      name: p
      variables:
        - { name: DeployEnv, default: dev }
      stages:
        - name: Source
          actions:
            - name: Checkout
              type: Source/Git
              configuration: { repository: ., branch: "#{BuildVars.Branch}" }
              outputArtifacts: [Src]
              namespace: SourceVariables
        - name: Build
          actions:
            - name: Build
              type: Build/CodeBuild
              inputArtifacts: [Src]
              namespace: BuildVars
              configuration:
                image: "#{BuildVars.IMAGE}"
                environmentVariables:
                  A: "#{SourceVariables.CommitID} #{SourceVariables.Nope}"
                  B: "#{SourceVars.CommitId}"
                  C: "#{variables.DeployEnvironment} #{variables.Other}"
                  D: "#{codepipeline.ExecutionId} #{Later.X}"
                  E: "#{nodot} #{SourceVariables.CommitId"
        - name: Deploy
          actions:
            - { name: Fn, type: Deploy/Lambda, namespace: Later, configuration: { FunctionName: f } }
    `;
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 11 problems found
        p.yml:9:50 stages[0].actions[0].configuration.branch: #{BuildVars.Branch}: namespace 'BuildVars' belongs to action 'Build.Build', which does not finish before action 'Source.Checkout'; the producer must stand in an earlier stage, or in the same stage with a lower runOrder
          9 |         configuration: { repository: ., branch: "#{BuildVars.Branch}" }
            |                                                  ^
        p.yml:19:19 stages[1].actions[0].configuration.image: #{BuildVars.IMAGE}: namespace 'BuildVars' belongs to action 'Build.Build', which does not finish before action 'Build.Build'; the producer must stand in an earlier stage, or in the same stage with a lower runOrder
          19 |           image: "#{BuildVars.IMAGE}"
             |                   ^
        p.yml:21:17 stages[1].actions[0].configuration.environmentVariables.A: #{SourceVariables.CommitID}: 'CommitID' is not a variable of action 'Source.Checkout' (Source/Git); did you mean 'CommitId'?
          21 |             A: "#{SourceVariables.CommitID} #{SourceVariables.Nope}"
             |                 ^
        p.yml:21:45 stages[1].actions[0].configuration.environmentVariables.A: #{SourceVariables.Nope}: 'Nope' is not a variable of action 'Source.Checkout' (Source/Git); its variables: CommitId, BranchName, CommitMessage, AuthorDate, CommitterDate, RepositoryName
          21 |             A: "#{SourceVariables.CommitID} #{SourceVariables.Nope}"
             |                                             ^
        p.yml:22:17 stages[1].actions[0].configuration.environmentVariables.B: #{SourceVars.CommitId}: unknown namespace 'SourceVars'; namespaces: SourceVariables, BuildVars, Later
          22 |             B: "#{SourceVars.CommitId}"
             |                 ^
        p.yml:23:17 stages[1].actions[0].configuration.environmentVariables.C: #{variables.DeployEnvironment}: pipeline variable 'DeployEnvironment' is not declared; declared: DeployEnv
          23 |             C: "#{variables.DeployEnvironment} #{variables.Other}"
             |                 ^
        p.yml:23:48 stages[1].actions[0].configuration.environmentVariables.C: #{variables.Other}: pipeline variable 'Other' is not declared; declared: DeployEnv
          23 |             C: "#{variables.DeployEnvironment} #{variables.Other}"
             |                                                ^
        p.yml:24:17 stages[1].actions[0].configuration.environmentVariables.D: #{codepipeline.ExecutionId}: 'ExecutionId' is not an execution variable; known: PipelineExecutionId
          24 |             D: "#{codepipeline.ExecutionId} #{Later.X}"
             |                 ^
        p.yml:24:45 stages[1].actions[0].configuration.environmentVariables.D: #{Later.X}: namespace 'Later' belongs to action 'Deploy.Fn', which does not finish before action 'Build.Build'; the producer must stand in an earlier stage, or in the same stage with a lower runOrder
          24 |             D: "#{codepipeline.ExecutionId} #{Later.X}"
             |                                             ^
        p.yml:25:17 stages[1].actions[0].configuration.environmentVariables.E: malformed variable reference '#{nodot}'; expected #{namespace.key}
          25 |             E: "#{nodot} #{SourceVariables.CommitId"
             |                 ^
        p.yml:25:26 stages[1].actions[0].configuration.environmentVariables.E: malformed variable reference '#{SourceVariables.CommitId'; expected #{namespace.key}
          25 |             E: "#{nodot} #{SourceVariables.CommitId"
             |                          ^"
    `);
  });

  test('without declared variables or namespaces the message says so', () => {
    const text = yaml`
      name: p
      stages:
        - name: Source
          actions:
            - { name: Checkout, type: Source/Git, configuration: { repository: . }, outputArtifacts: [Src] }
        - name: Build
          actions:
            - name: B
              type: Build/CodeBuild
              inputArtifacts: [Src]
              configuration: { buildspec: "#{variables.Spec}", image: "#{Src.Image}" }
    `;
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 2 problems found
        p.yml:11:38 stages[1].actions[0].configuration.buildspec: #{variables.Spec}: pipeline variable 'Spec' is not declared; the pipeline declares no variables
          11 |         configuration: { buildspec: "#{variables.Spec}", image: "#{Src.Image}" }
             |                                      ^
        p.yml:11:66 stages[1].actions[0].configuration.image: #{Src.Image}: unknown namespace 'Src'; no action declares a namespace
          11 |         configuration: { buildspec: "#{variables.Spec}", image: "#{Src.Image}" }
             |                                                                  ^"
    `);
  });

  test('pipeline variables: unique names, one default key, bounded lengths', () => {
    const text = yaml`
      name: p
      variables:
        - { name: Env, default: dev, defaultValue: prod }
        - { name: Env, description: ${'d'.repeat(201)} }
        - { name: Empty, default: "" }
        - { value: x }
        - just-a-name
      stages: []
    `;
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 8 problems found
        p.yml:3:46 variables[0].defaultValue: give either 'default' or 'defaultValue', not both
          3 |   - { name: Env, default: dev, defaultValue: prod }
            |                                              ^
        p.yml:4:13 variables[1].name: duplicate variable name 'Env' (first at line 3); pipeline variable names must be unique
          4 |   - { name: Env, description: ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd }
            |             ^
        p.yml:4:31 variables[1].description: expected 0-200 characters, got 201
          4 |   - { name: Env, description: ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd }
            |                               ^
        p.yml:5:29 variables[2].default: expected 1-1000 characters, got 0
          5 |   - { name: Empty, default: "" }
            |                             ^
        p.yml:6:5 variables[3].name: missing required key 'name'
          6 |   - { value: x }
            |     ^
        p.yml:6:7 variables[3].value: unknown key 'value'; expected one of: name, default, defaultValue, description
          6 |   - { value: x }
            |       ^
        p.yml:7:5 variables[4]: expected a mapping, got 'just-a-name'
          7 |   - just-a-name
            |     ^
        p.yml:8:9 stages: a pipeline needs at least two stages (a source stage and one more), got 0
          8 | stages: []
            |         ^"
    `);
  });
});

describe('configuration per action type', () => {
  test('Source/Git: repository required, branch or commit, no other keys', () => {
    const text = yaml`
      name: p
      stages:
        - name: Source
          actions:
            - { name: A, type: Source/Git, outputArtifacts: [A] }
            - { name: B, type: Source/Git, outputArtifacts: [B], configuration: { repo: ., branch: main } }
            - { name: C, type: Source/Git, outputArtifacts: [C], configuration: { repository: ., branch: main, commit: abc123 } }
            - { name: D, type: Source/Git, outputArtifacts: [D], configuration: { repository: ., commit: HEAD~1 } }
            - { name: E, type: Source/Git, outputArtifacts: [E], configuration: { repository: "", branch: "feature..x" } }
            - { name: F, type: Source/Git, outputArtifacts: [F], configuration: { repository: ., branch: [main] } }
        - name: Build
          actions:
            - { name: B, type: Build/CodeBuild, inputArtifacts: [A] }
    `;
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 8 problems found
        p.yml:5:9 stages[0].actions[0].configuration.repository: missing required configuration key 'repository' for Source/Git
          5 |       - { name: A, type: Source/Git, outputArtifacts: [A] }
            |         ^
        p.yml:6:75 stages[0].actions[1].configuration.repository: missing required configuration key 'repository' for Source/Git
          6 |       - { name: B, type: Source/Git, outputArtifacts: [B], configuration: { repo: ., branch: main } }
            |                                                                           ^
        p.yml:6:77 stages[0].actions[1].configuration.repo: unknown key 'repo'; expected one of: repository, branch, commit
          6 |       - { name: B, type: Source/Git, outputArtifacts: [B], configuration: { repo: ., branch: main } }
            |                                                                             ^
        p.yml:7:114 stages[0].actions[2].configuration.commit: give either 'branch' or 'commit', not both
          7 |       - { name: C, type: Source/Git, outputArtifacts: [C], configuration: { repository: ., branch: main, commit: abc123 } }
            |                                                                                                                  ^
        p.yml:8:100 stages[0].actions[3].configuration.commit: expected a commit id (4-40 hexadecimal digits), got 'HEAD~1'
          8 |       - { name: D, type: Source/Git, outputArtifacts: [D], configuration: { repository: ., commit: HEAD~1 } }
            |                                                                                                    ^
        p.yml:9:89 stages[0].actions[4].configuration.repository: expected a path, got an empty string
          9 |       - { name: E, type: Source/Git, outputArtifacts: [E], configuration: { repository: "", branch: "feature..x" } }
            |                                                                                         ^
        p.yml:9:101 stages[0].actions[4].configuration.branch: expected a branch name, got 'feature..x'
          9 |       - { name: E, type: Source/Git, outputArtifacts: [E], configuration: { repository: "", branch: "feature..x" } }
            |                                                                                                     ^
        p.yml:10:100 stages[0].actions[5].configuration.branch: expected a string, got a list
          10 |       - { name: F, type: Source/Git, outputArtifacts: [F], configuration: { repository: ., branch: [main] } }
             |                                                                                                    ^"
    `);
  });

  test('Build/CodeBuild: timeoutInMinutes 1-480, privilegedMode boolean, image, known keys', () => {
    const text =
      SOURCE +
      yaml`
        - name: Build
          actions:
            - name: B
              type: Build/CodeBuild
              inputArtifacts: [Src]
              configuration:
                buildSpec: x.yml
                image: pipe standard
                timeoutInMinutes: 0
                privilegedMode: sometimes
            - name: C
              type: Build/CodeBuild
              inputArtifacts: [Src]
              configuration: { timeoutInMinutes: 481, buildspec: ~, ProjectName: x }
      `.replace(/^/gm, '  ');
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 7 problems found
        p.yml:16:11 stages[1].actions[0].configuration.buildSpec: unknown key 'buildSpec'; did you mean 'buildspec'?
          16 |           buildSpec: x.yml
             |           ^
        p.yml:17:18 stages[1].actions[0].configuration.image: expected an image name such as pipe/standard:1, got 'pipe standard'
          17 |           image: pipe standard
             |                  ^
        p.yml:18:29 stages[1].actions[0].configuration.timeoutInMinutes: expected an integer from 1 to 480, got '0'
          18 |           timeoutInMinutes: 0
             |                             ^
        p.yml:19:27 stages[1].actions[0].configuration.privilegedMode: expected true or false, got 'sometimes'
          19 |           privilegedMode: sometimes
             |                           ^
        p.yml:23:44 stages[1].actions[1].configuration.timeoutInMinutes: expected an integer from 1 to 480, got '481'
          23 |         configuration: { timeoutInMinutes: 481, buildspec: ~, ProjectName: x }
             |                                            ^
        p.yml:23:60 stages[1].actions[1].configuration.buildspec: expected a string, got nothing (null)
          23 |         configuration: { timeoutInMinutes: 481, buildspec: ~, ProjectName: x }
             |                                                            ^
        p.yml:23:63 stages[1].actions[1].configuration.ProjectName: unknown key 'ProjectName'; expected one of: buildspec, image, environmentVariables, timeoutInMinutes, privilegedMode, passAwsCredentials, batchEnabled, combineArtifacts, batchConcurrency
          23 |         configuration: { timeoutInMinutes: 481, buildspec: ~, ProjectName: x }
             |                                                               ^"
    `);
  });

  test('Build/CodeBuild: environmentVariables in either form, names checked, each given once', () => {
    const text =
      SOURCE +
      yaml`
        - name: Build
          actions:
            - name: B
              type: Build/CodeBuild
              inputArtifacts: [Src]
              configuration:
                environmentVariables: { 1ST: a, MY-VAR: b, CODEBUILD_SRC_DIR: c, EMPTY: ~, OK: d }
            - name: C
              type: Build/CodeBuild
              inputArtifacts: [Src]
              configuration:
                environmentVariables:
                  - { name: A, value: x, type: SECRET_MANAGER }
                  - { name: A, value: y }
                  - { value: z, kind: PLAINTEXT }
                  - [A, b]
                  - { name: TWICE, value: "1" }
                  - { name: TWICE, value: "2" }
            - name: D
              type: Build/CodeBuild
              inputArtifacts: [Src]
              configuration: { environmentVariables: A=b }
      `.replace(/^/gm, '  ');
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 10 problems found
        p.yml:16:35 stages[1].actions[0].configuration.environmentVariables.1ST: expected an environment variable name (letters, digits, _; not starting with a digit), got '1ST'
          16 |           environmentVariables: { 1ST: a, MY-VAR: b, CODEBUILD_SRC_DIR: c, EMPTY: ~, OK: d }
             |                                   ^
        p.yml:16:43 stages[1].actions[0].configuration.environmentVariables.MY-VAR: expected an environment variable name (letters, digits, _; not starting with a digit), got 'MY-VAR'
          16 |           environmentVariables: { 1ST: a, MY-VAR: b, CODEBUILD_SRC_DIR: c, EMPTY: ~, OK: d }
             |                                           ^
        p.yml:16:54 stages[1].actions[0].configuration.environmentVariables.CODEBUILD_SRC_DIR: environment variable names starting with CODEBUILD_ are reserved for CodeBuild, got 'CODEBUILD_SRC_DIR'
          16 |           environmentVariables: { 1ST: a, MY-VAR: b, CODEBUILD_SRC_DIR: c, EMPTY: ~, OK: d }
             |                                                      ^
        p.yml:16:83 stages[1].actions[0].configuration.environmentVariables.EMPTY: expected a string, got nothing (null)
          16 |           environmentVariables: { 1ST: a, MY-VAR: b, CODEBUILD_SRC_DIR: c, EMPTY: ~, OK: d }
             |                                                                                   ^
        p.yml:22:42 stages[1].actions[1].configuration.environmentVariables[0].type: unknown type 'SECRET_MANAGER'; did you mean 'SECRETS_MANAGER'? expected one of: PLAINTEXT, PARAMETER_STORE, SECRETS_MANAGER
          22 |             - { name: A, value: x, type: SECRET_MANAGER }
             |                                          ^
        p.yml:24:15 stages[1].actions[1].configuration.environmentVariables[2].name: missing required key 'name'
          24 |             - { value: z, kind: PLAINTEXT }
             |               ^
        p.yml:24:27 stages[1].actions[1].configuration.environmentVariables[2].kind: unknown key 'kind'; expected one of: name, value, type
          24 |             - { value: z, kind: PLAINTEXT }
             |                           ^
        p.yml:25:15 stages[1].actions[1].configuration.environmentVariables[3]: expected a mapping, got a list
          25 |             - [A, b]
             |               ^
        p.yml:27:15 stages[1].actions[1].configuration.environmentVariables[5]: environment variable 'TWICE' is given twice
          27 |             - { name: TWICE, value: "2" }
             |               ^
        p.yml:31:48 stages[1].actions[2].configuration.environmentVariables: expected a mapping of NAME: value or a list of { name, value, type }, got 'A=b'
          31 |         configuration: { environmentVariables: A=b }
             |                                                ^"
    `);
  });

  test('configuration must be a mapping; Deploy/Lambda rejects null values and keys it does not take', () => {
    const text =
      SOURCE +
      yaml`
        - name: Deploy
          actions:
            - { name: A, type: Build/CodeBuild, inputArtifacts: [Src], configuration: [buildspec.yml] }
            - { name: B, type: Deploy/Lambda, configuration: { FunctionName: ~, Tags: [a, ~] } }
      `.replace(/^/gm, '  ');
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 3 problems found
        p.yml:12:81 stages[1].actions[0].configuration: expected a mapping, got a list
          12 |       - { name: A, type: Build/CodeBuild, inputArtifacts: [Src], configuration: [buildspec.yml] }
             |                                                                                 ^
        p.yml:13:72 stages[1].actions[1].configuration.FunctionName: expected a string, got nothing (null)
          13 |       - { name: B, type: Deploy/Lambda, configuration: { FunctionName: ~, Tags: [a, ~] } }
             |                                                                        ^
        p.yml:13:75 stages[1].actions[1].configuration.Tags: unknown key 'Tags'; expected one of: FunctionName, FunctionAlias, PublishedTargetVersion, DeployStrategy, Alarms
          13 |       - { name: B, type: Deploy/Lambda, configuration: { FunctionName: ~, Tags: [a, ~] } }
             |                                                                           ^"
    `);
  });
});

test('a file with problems of every kind reports all of them at once, in file order', () => {
  const text = yaml`
    name: hello service
    variabls: []
    stages:
      - name: Source
        actions:
          - name: Checkout
            type: Source/Git
            configuration: { repository: .., branch: main, commit: main }
            outputArtifacts: [SourceOutput]
            namespace: SourceVariables
          - name: Checkout
            type: Build/CodeBuild
            inputArtifacts: [SourceOutput]
      - name: Build
        actions:
          - name: Build
            type: Build/Codebuild
            runOrder: 0
          - name: Test
            type: Build/CodeBuild
            configuration:
              timeoutInMinutes: 481
              environmentVariables:
                - { name: A, value: "#{SourceVariables.CommitID}" }
                - { name: B, value: "#{variables.Nope} #{TestVars.Y}", type: PLAIN }
            inputArtifacts: [SourceOutptu]
            outputArtifacts: [SourceOutput]
            namespace: TestVars
  `;
  let error: unknown;
  try {
    parsePipelineSpec(text, 'p.yml');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  const problems = (error as ValidationError).problems;
  const positions = problems.map((p) => [p.location.line, p.location.column]);
  expect(positions).toEqual([...positions].sort(([a = 0, b = 0], [c = 0, d = 0]) => a - c || b - d));
  expect(problems.map((p) => `${p.location.line}:${p.location.column} ${p.path}`)).toMatchInlineSnapshot(`
    [
      "1:7 name",
      "2:1 variabls",
      "8:64 stages[0].actions[0].configuration.commit",
      "8:64 stages[0].actions[0].configuration.commit",
      "11:15 stages[0].actions[1].name",
      "12:15 stages[0].actions[1].type",
      "13:26 stages[0].actions[1].inputArtifacts[0]",
      "17:15 stages[1].actions[0].type",
      "18:19 stages[1].actions[0].runOrder",
      "22:29 stages[1].actions[1].configuration.timeoutInMinutes",
      "24:34 stages[1].actions[1].configuration.environmentVariables[0].value",
      "25:34 stages[1].actions[1].configuration.environmentVariables[1].value",
      "25:52 stages[1].actions[1].configuration.environmentVariables[1].value",
      "25:74 stages[1].actions[1].configuration.environmentVariables[1].type",
      "26:26 stages[1].actions[1].inputArtifacts[0]",
      "27:27 stages[1].actions[1].outputArtifacts[0]",
    ]
  `);
  expect((error as ValidationError).message).toMatchInlineSnapshot(`"p.yml: 16 problems found"`);
});
