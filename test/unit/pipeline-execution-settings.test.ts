// The pipeline file's execution settings: executionMode, maxParallelActions, deployTimeScale, stage onFailure, Approval/Manual
// actions, with every rule's exact message and position.
import { describe, expect, test } from 'vitest';
import { ValidationError } from '../../src/core/index.js';
import { formatProblem } from '../../src/core/index.js';
import { parsePipelineSpec } from '../../src/parse/index.js';
import { buildExecutionPlan } from '../../src/plan/index.js';

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

/** A pipeline with `top` before its stages and `stages` after a valid source stage (lines 1-N of top, then 7 more). */
function pipeline(top: string, stages: string): string {
  return (
    yaml`
      name: p
    ` +
    top +
    yaml`
      stages:
        - name: Source
          actions:
            - { name: Checkout, type: Source/Git, configuration: { repository: . }, outputArtifacts: [Src], namespace: SourceVariables }
    ` +
    stages
  );
}

const BUILD_STAGE = yaml`
  - name: Build
    actions:
      - { name: Compile, type: Build/CodeBuild, inputArtifacts: [Src] }
`.replace(/^/gm, '  ');

describe('a valid file with execution settings', () => {
  test('executionMode, maxParallelActions and onFailure land on the spec; absent ones stay absent', () => {
    const text = pipeline(
      yaml`
        executionMode: QUEUED
        maxParallelActions: 8
      `,
      yaml`
        - name: Build
          onFailure: { result: RETRY, retryConfiguration: { retryMode: ALL_ACTIONS } }
          actions:
            - { name: Compile, type: Build/CodeBuild, inputArtifacts: [Src] }
        - name: Test
          onFailure: { result: RETRY }
          actions:
            - { name: Unit, type: Build/CodeBuild, inputArtifacts: [Src] }
        - name: Deploy
          onFailure:
            result: ROLLBACK
          actions:
            - { name: Fn, type: Deploy/Lambda, configuration: { FunctionName: fn } }
        - name: Smoke
          onFailure: { result: FAIL }
          actions:
            - { name: Check, type: Build/CodeBuild, inputArtifacts: [Src] }
      `.replace(/^/gm, '  '),
    );
    const spec = parsePipelineSpec(text, 'p.yml');
    expect(spec.executionMode).toBe('QUEUED');
    expect(spec.maxParallelActions).toBe(8);
    expect(spec.warnings).toEqual([]);
    expect(spec.stages.map((s) => [s.name, s.onFailure])).toEqual([
      ['Source', undefined],
      ['Build', { result: 'RETRY', retryMode: 'ALL_ACTIONS' }],
      ['Test', { result: 'RETRY' }],
      ['Deploy', { result: 'ROLLBACK' }],
      ['Smoke', { result: 'FAIL' }],
    ]);
    expect(spec.stages[0]).not.toHaveProperty('onFailure');

    const plain = parsePipelineSpec(pipeline('', BUILD_STAGE), 'p.yml');
    expect(plain).not.toHaveProperty('executionMode');
    expect(plain).not.toHaveProperty('maxParallelActions');
  });

  test('each execution mode is accepted, and maxParallelActions 1 and 50', () => {
    for (const mode of ['SUPERSEDED', 'QUEUED', 'PARALLEL'] as const) {
      expect(parsePipelineSpec(pipeline(`executionMode: ${mode}\n`, BUILD_STAGE), 'p.yml').executionMode).toBe(mode);
    }
    for (const n of [1, 50]) {
      expect(parsePipelineSpec(pipeline(`maxParallelActions: ${n}\n`, BUILD_STAGE), 'p.yml').maxParallelActions).toBe(n);
    }
  });

  test('Approval/Manual: CodePipeline keys kept, TimeoutInMinutes defaulted, variables allowed in the link', () => {
    const text = pipeline(
      '',
      yaml`
        - name: Approve
          actions:
            - name: Gate
              type: Approval/Manual
              configuration:
                CustomData: "Deploy #{SourceVariables.CommitId}?"
                ExternalEntityLink: "https://example.test/commit/#{SourceVariables.CommitId}"
            - name: Plain
              type: Approval/Manual
            - name: Long
              type: Approval/Manual
              configuration: { TimeoutInMinutes: 10080, ExternalEntityLink: "#{variables.ReviewUrl}" }
      `.replace(/^/gm, '  '),
    ).replace('name: p\n', 'name: p\nvariables:\n  - { name: ReviewUrl, default: "http://127.0.0.1/review" }\n');
    const spec = parsePipelineSpec(text, 'p.yml');
    const [gate, plain, long] = spec.stages[1]?.actions ?? [];
    expect(gate).toMatchObject({
      type: 'Approval/Manual',
      inputArtifacts: [],
      outputArtifacts: [],
      configuration: {
        CustomData: 'Deploy #{SourceVariables.CommitId}?',
        ExternalEntityLink: 'https://example.test/commit/#{SourceVariables.CommitId}',
        TimeoutInMinutes: '10080',
      },
    });
    expect(plain?.configuration).toEqual({ TimeoutInMinutes: '10080' });
    expect(long?.configuration).toEqual({ TimeoutInMinutes: '10080', ExternalEntityLink: '#{variables.ReviewUrl}' });
  });

  test('NotificationArn is accepted with a warning at its position; the file stays valid', () => {
    const text = pipeline(
      '',
      yaml`
        - name: Approve
          actions:
            - name: Gate
              type: Approval/Manual
              configuration:
                NotificationArn: arn:aws:sns:us-east-1:123456789012:approvals
      `.replace(/^/gm, '  '),
    );
    const spec = parsePipelineSpec(text, 'p.yml');
    expect(spec.stages[1]?.actions[0]?.configuration['NotificationArn']).toBe('arn:aws:sns:us-east-1:123456789012:approvals');
    expect(spec.warnings.map(formatProblem).join('\n')).toMatchInlineSnapshot(`
      "  p.yml:11:28 stages[1].actions[0].configuration.NotificationArn: NotificationArn is not used locally: pipe publishes no SNS notification; the approval waits for a response all the same
          11 |           NotificationArn: arn:aws:sns:us-east-1:123456789012:approvals
             |                            ^"
    `);
  });
});

describe('executionMode and maxParallelActions', () => {
  test('an unknown mode, with "did you mean"; a mode that is not text', () => {
    expect(report(pipeline('executionMode: queued\n', BUILD_STAGE))).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:2:16 executionMode: unknown execution mode 'queued'; did you mean 'QUEUED'? expected one of: SUPERSEDED, QUEUED, PARALLEL
          2 | executionMode: queued
            |                ^"
    `);
    expect(report(pipeline('executionMode: PARALEL\n', BUILD_STAGE))).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:2:16 executionMode: unknown execution mode 'PARALEL'; did you mean 'PARALLEL'? expected one of: SUPERSEDED, QUEUED, PARALLEL
          2 | executionMode: PARALEL
            |                ^"
    `);
    expect(report(pipeline('executionMode: [QUEUED]\n', BUILD_STAGE))).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:2:16 executionMode: expected a string, got a list
          2 | executionMode: [QUEUED]
            |                ^"
    `);
  });

  test('maxParallelActions is a whole number from 1 to 50', () => {
    for (const bad of ['0', '51', '2.5', 'four', '~', '-1']) {
      expect(report(pipeline(`maxParallelActions: ${bad}\n`, BUILD_STAGE)).split('\n')[1]).toBe(
        `  p.yml:2:21 maxParallelActions: expected an integer from 1 to 50, got ${bad === '~' ? 'nothing (null)' : `'${bad}'`}`,
      );
    }
    expect(report(pipeline('maxParallelActions: 51\n', BUILD_STAGE))).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:2:21 maxParallelActions: expected an integer from 1 to 50, got '51'
          2 | maxParallelActions: 51
            |                     ^"
    `);
  });

  test('deployTimeScale is a positive number up to 3600, kept in the plan', () => {
    for (const bad of ['0', '0.0', '3601', 'fast', '~', '-60', '1e3']) {
      expect(report(pipeline(`deployTimeScale: ${bad}\n`, BUILD_STAGE)).split('\n')[1]).toBe(
        `  p.yml:2:18 deployTimeScale: expected a number greater than 0 and at most 3600 (60 makes an AWS minute last a second), got ${bad === '~' ? 'nothing (null)' : `'${bad}'`}`,
      );
    }
    expect(parsePipelineSpec(pipeline('deployTimeScale: 120\n', BUILD_STAGE), 'p.yml').deployTimeScale).toBe(120);
    expect(parsePipelineSpec(pipeline('deployTimeScale: 0.5\n', BUILD_STAGE), 'p.yml').deployTimeScale).toBe(0.5);
    expect(buildExecutionPlan(parsePipelineSpec(pipeline('deployTimeScale: 600\n', BUILD_STAGE), 'p.yml')).deployTimeScale).toBe(600);
    expect(buildExecutionPlan(parsePipelineSpec(pipeline('', BUILD_STAGE), 'p.yml'))).not.toHaveProperty('deployTimeScale');
  });

  test('a near miss of a setting gets "did you mean"', () => {
    expect(report(pipeline('executionmode: QUEUED\nmaxParallelAction: 3\n', BUILD_STAGE))).toMatchInlineSnapshot(`
      "p.yml: 2 problems found
        p.yml:2:1 executionmode: unknown key 'executionmode'; did you mean 'executionMode'?
          2 | executionmode: QUEUED
            | ^
        p.yml:3:1 maxParallelAction: unknown key 'maxParallelAction'; did you mean 'maxParallelActions'?
          3 | maxParallelAction: 3
            | ^"
    `);
  });
});

describe('stage onFailure', () => {
  const stage = (onFailure: string): string =>
    pipeline(
      '',
      yaml`
        - name: Build
          onFailure: ${onFailure}
          actions:
            - { name: Compile, type: Build/CodeBuild, inputArtifacts: [Src] }
      `.replace(/^/gm, '  '),
    );

  test('result is required and one of RETRY, ROLLBACK, FAIL', () => {
    expect(report(stage('{}'))).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:7:16 stages[1].onFailure.result: missing required key 'result'; expected one of: RETRY, ROLLBACK, FAIL
          7 |     onFailure: {}
            |                ^"
    `);
    expect(report(stage('{ result: RETRIES }'))).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:7:26 stages[1].onFailure.result: unknown result 'RETRIES'; expected one of: RETRY, ROLLBACK, FAIL
          7 |     onFailure: { result: RETRIES }
            |                          ^"
    `);
    expect(report(stage('{ result: SKIP }'))).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:7:26 stages[1].onFailure.result: result SKIP belongs to beforeEntry conditions; onFailure takes one of: RETRY, ROLLBACK, FAIL
          7 |     onFailure: { result: SKIP }
            |                          ^"
    `);
    expect(report(stage('RETRY'))).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:7:16 stages[1].onFailure: expected a mapping, got 'RETRY'
          7 |     onFailure: RETRY
            |                ^"
    `);
  });

  test('retryConfiguration only with RETRY; retryMode FAILED_ACTIONS or ALL_ACTIONS; known keys', () => {
    expect(report(stage('{ result: FAIL, retryConfiguration: { retryMode: ALL_ACTIONS } }'))).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:7:32 stages[1].onFailure.retryConfiguration: retryConfiguration applies only with result RETRY, and this onFailure's result is FAIL
          7 |     onFailure: { result: FAIL, retryConfiguration: { retryMode: ALL_ACTIONS } }
            |                                ^"
    `);
    expect(report(stage('{ result: RETRY, retryConfiguration: { retryMode: FAILED } }'))).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:7:66 stages[1].onFailure.retryConfiguration.retryMode: unknown retry mode 'FAILED'; expected one of: FAILED_ACTIONS, ALL_ACTIONS
          7 |     onFailure: { result: RETRY, retryConfiguration: { retryMode: FAILED } }
            |                                                                  ^"
    `);
    expect(report(stage('{ result: RETRY, retryConfiguration: { mode: ALL_ACTIONS } }'))).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:7:55 stages[1].onFailure.retryConfiguration.mode: unknown key 'mode'; expected one of: retryMode
          7 |     onFailure: { result: RETRY, retryConfiguration: { mode: ALL_ACTIONS } }
            |                                                       ^"
    `);
    expect(report(stage('{ result: RETRY, retryConfig: { retryMode: ALL_ACTIONS } }'))).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:7:33 stages[1].onFailure.retryConfig: unknown key 'retryConfig'; expected one of: result, retryConfiguration, conditions
          7 |     onFailure: { result: RETRY, retryConfig: { retryMode: ALL_ACTIONS } }
            |                                 ^"
    `);
  });

  test('onFailure conditions, onSuccess and beforeEntry are refused as not supported, where they stand', () => {
    const text = pipeline(
      '',
      yaml`
        - name: Build
          beforeEntry: { conditions: [{ result: FAIL, rules: [] }] }
          onSuccess: { conditions: [{ result: ROLLBACK, rules: [] }] }
          onFailure:
            result: ROLLBACK
            conditions: [{ result: ROLLBACK, rules: [] }]
          actions:
            - { name: Compile, type: Build/CodeBuild, inputArtifacts: [Src] }
      `.replace(/^/gm, '  '),
    );
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 3 problems found
        p.yml:7:5 stages[1].beforeEntry: stage condition 'beforeEntry' is not supported yet; pipe runs only a stage's onFailure (result RETRY, ROLLBACK or FAIL)
          7 |     beforeEntry: { conditions: [{ result: FAIL, rules: [] }] }
            |     ^
        p.yml:8:5 stages[1].onSuccess: stage condition 'onSuccess' is not supported yet; pipe runs only a stage's onFailure (result RETRY, ROLLBACK or FAIL)
          8 |     onSuccess: { conditions: [{ result: ROLLBACK, rules: [] }] }
            |     ^
        p.yml:11:7 stages[1].onFailure.conditions: onFailure conditions (rules) are not supported yet; without them the result applies whenever the stage fails
          11 |       conditions: [{ result: ROLLBACK, rules: [] }]
             |       ^"
    `);
  });

  test('ROLLBACK is refused in PARALLEL mode and on the source stage', () => {
    const text = pipeline(
      'executionMode: PARALLEL\n',
      yaml`
        - name: Build
          onFailure: { result: ROLLBACK }
          actions:
            - { name: Compile, type: Build/CodeBuild, inputArtifacts: [Src] }
        - name: Deploy
          onFailure: { result: RETRY }
          actions:
            - { name: Fn, type: Deploy/Lambda, configuration: { FunctionName: fn } }
      `.replace(/^/gm, '  '),
    ).replace('  - name: Source\n', '  - name: Source\n    onFailure: { result: ROLLBACK }\n');
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 2 problems found
        p.yml:5:26 stages[0].onFailure.result: stage 'Source' holds only source actions, and a source stage cannot be rolled back; use result RETRY or FAIL
          5 |     onFailure: { result: ROLLBACK }
            |                          ^
        p.yml:9:26 stages[1].onFailure.result: stage 'Build' cannot roll back: rollback is not available in PARALLEL execution mode (executionMode at line 2); use SUPERSEDED or QUEUED, or result RETRY or FAIL
          9 |     onFailure: { result: ROLLBACK }
            |                          ^"
    `);
  });

  test('ROLLBACK in SUPERSEDED and QUEUED mode, and RETRY or FAIL on the source stage, are fine', () => {
    for (const mode of ['', 'executionMode: SUPERSEDED\n', 'executionMode: QUEUED\n']) {
      const text = pipeline(mode, BUILD_STAGE.replace('  - name: Build\n', '  - name: Build\n    onFailure: { result: ROLLBACK }\n'));
      expect(parsePipelineSpec(text, 'p.yml').stages[1]?.onFailure).toEqual({ result: 'ROLLBACK' });
    }
    for (const result of ['RETRY', 'FAIL']) {
      const text = pipeline('', BUILD_STAGE).replace('  - name: Source\n', `  - name: Source\n    onFailure: { result: ${result} }\n`);
      expect(parsePipelineSpec(text, 'p.yml').stages[0]?.onFailure).toEqual({ result });
    }
  });
});

describe('Approval/Manual', () => {
  /** One stage Approve (line 6) whose actions (from line 8) are `actions`, a YAML list. */
  const approval = (actions: string): string => pipeline('', `  - name: Approve\n    actions:\n${actions.replace(/^/gm, '      ')}`);

  test('takes no input and no output artifacts', () => {
    expect(report(approval('- { name: Gate, type: Approval/Manual, inputArtifacts: [Src], outputArtifacts: [Out] }'))).toMatchInlineSnapshot(`
      "p.yml: 2 problems found
        p.yml:8:62 stages[1].actions[0].inputArtifacts: action 'Approve.Gate' (Approval/Manual) takes no input artifacts, got 1
          8 |       - { name: Gate, type: Approval/Manual, inputArtifacts: [Src], outputArtifacts: [Out] }
            |                                                              ^
        p.yml:8:86 stages[1].actions[0].outputArtifacts: action 'Approve.Gate' (Approval/Manual) takes no output artifacts, got 1
          8 |       - { name: Gate, type: Approval/Manual, inputArtifacts: [Src], outputArtifacts: [Out] }
            |                                                                                      ^"
    `);
  });

  test('CustomData up to 500 characters; ExternalEntityLink a URL; NotificationArn an SNS topic ARN', () => {
    const long = 'x'.repeat(501);
    expect(report(approval(`- { name: Gate, type: Approval/Manual, configuration: { CustomData: ${long} } }`)).split('\n')[1]).toMatchInlineSnapshot(`"  p.yml:8:75 stages[1].actions[0].configuration.CustomData: expected at most 500 characters, got 501"`);
    const fits = approval(`- { name: Gate, type: Approval/Manual, configuration: { CustomData: ${'x'.repeat(500)} } }`);
    expect(parsePipelineSpec(fits, 'p.yml').stages[1]?.actions[0]?.configuration['CustomData']).toHaveLength(500);
    const text = approval(yaml`
      - name: Gate
        type: Approval/Manual
        configuration:
          ExternalEntityLink: example.test/review
          NotificationArn: approvals
      - name: Other
        type: Approval/Manual
        configuration: { ExternalEntityLink: "https://", NotificationArn: "arn:aws:sns:us-east-1:1234:t", CustomData: [a] }
      - { name: Third, type: Approval/Manual, configuration: { ExternalEntityLink: "review.test/#{SourceVariables.CommitId}" } }
    `);
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 6 problems found
        p.yml:11:31 stages[1].actions[0].configuration.ExternalEntityLink: expected a URL (http:// or https://), got 'example.test/review'
          11 |           ExternalEntityLink: example.test/review
             |                               ^
        p.yml:12:28 stages[1].actions[0].configuration.NotificationArn: expected an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:TOPIC), got 'approvals'
          12 |           NotificationArn: approvals
             |                            ^
        p.yml:15:46 stages[1].actions[1].configuration.ExternalEntityLink: expected a URL (http:// or https://), got 'https://'
          15 |         configuration: { ExternalEntityLink: "https://", NotificationArn: "arn:aws:sns:us-east-1:1234:t", CustomData: [a] }
             |                                              ^
        p.yml:15:75 stages[1].actions[1].configuration.NotificationArn: expected an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:TOPIC), got 'arn:aws:sns:us-east-1:1234:t'
          15 |         configuration: { ExternalEntityLink: "https://", NotificationArn: "arn:aws:sns:us-east-1:1234:t", CustomData: [a] }
             |                                                                           ^
        p.yml:15:119 stages[1].actions[1].configuration.CustomData: expected a string, got a list
          15 |         configuration: { ExternalEntityLink: "https://", NotificationArn: "arn:aws:sns:us-east-1:1234:t", CustomData: [a] }
             |                                                                                                                       ^
        p.yml:16:84 stages[1].actions[2].configuration.ExternalEntityLink: expected a URL (http:// or https://), got 'review.test/#{SourceVariables.CommitId}'
          16 |       - { name: Third, type: Approval/Manual, configuration: { ExternalEntityLink: "review.test/#{SourceVariables.CommitId}" } }
             |                                                                                    ^"
    `);
  });

  test('TimeoutInMinutes from 1 to 10080 (7 days); unknown keys get "did you mean"', () => {
    const text = approval(yaml`
      - name: Gate
        type: Approval/Manual
        configuration:
          TimeoutInMinutes: 10081
          customData: please
          Summary: x
      - { name: Short, type: Approval/Manual, configuration: { TimeoutInMinutes: 0 } }
    `);
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 4 problems found
        p.yml:11:29 stages[1].actions[0].configuration.TimeoutInMinutes: expected an integer from 1 to 10080, got '10081'
          11 |           TimeoutInMinutes: 10081
             |                             ^
        p.yml:12:11 stages[1].actions[0].configuration.customData: unknown key 'customData'; did you mean 'CustomData'?
          12 |           customData: please
             |           ^
        p.yml:13:11 stages[1].actions[0].configuration.Summary: unknown key 'Summary'; expected one of: CustomData, ExternalEntityLink, NotificationArn, TimeoutInMinutes
          13 |           Summary: x
             |           ^
        p.yml:14:82 stages[1].actions[1].configuration.TimeoutInMinutes: expected an integer from 1 to 10080, got '0'
          14 |       - { name: Short, type: Approval/Manual, configuration: { TimeoutInMinutes: 0 } }
             |                                                                                  ^"
    `);
  });

  test('publishes no variables: a reference to its namespace says so; it cannot stand in the first stage', () => {
    const text = pipeline(
      '',
      yaml`
        - name: Approve
          actions:
            - { name: Gate, type: Approval/Manual, namespace: GateVars }
            - name: Build
              type: Build/CodeBuild
              runOrder: 2
              inputArtifacts: [Src]
              configuration: { environmentVariables: { BY: "#{GateVars.ApprovedBy}" } }
      `.replace(/^/gm, '  '),
    ).replace(
      '  - name: Source\n    actions:\n',
      '  - name: Source\n    actions:\n      - { name: Early, type: Approval/Manual }\n',
    );
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 2 problems found
        p.yml:5:30 stages[0].actions[0].type: the first stage may hold only source actions; action 'Source.Early' is an Approval/Manual action
          5 |       - { name: Early, type: Approval/Manual }
            |                              ^
        p.yml:14:55 stages[1].actions[1].configuration.environmentVariables.BY: #{GateVars.ApprovedBy}: action 'Approve.Gate' (Approval/Manual) publishes no variables
          14 |         configuration: { environmentVariables: { BY: "#{GateVars.ApprovedBy}" } }
             |                                                       ^"
    `);
  });
});

test('a file with problems of every new kind reports all of them at once, in file order', () => {
  const text = yaml`
    name: p
    executionMode: PARALLEL
    maxParallelActions: 0
    stages:
      - name: Source
        onFailure: { result: ROLLBACK }
        actions:
          - { name: Checkout, type: Source/Git, configuration: { repository: . }, outputArtifacts: [Src] }
      - name: Build
        onFailure: { result: ROLLBACK, retryConfiguration: { retryMode: ALL } }
        onSuccess: { conditions: [] }
        actions:
          - { name: Compile, type: Build/CodeBuild, inputArtifacts: [Src] }
      - name: Approve
        beforeEntry: { conditions: [] }
        onFailure: { reslt: RETRY }
        actions:
          - name: Gate
            type: Approval/Manual
            inputArtifacts: [Src]
            configuration: { CustomData: ok, ExternalEntityLink: not-a-url, TimeOutInMinutes: 5 }
  `;
  let error: unknown;
  try {
    parsePipelineSpec(text, 'p.yml');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  const problems = (error as ValidationError).problems;
  expect(problems.map((p) => `${p.location.line}:${p.location.column} ${p.path}: ${p.message}`)).toMatchInlineSnapshot(`
    [
      "3:21 maxParallelActions: expected an integer from 1 to 50, got '0'",
      "6:26 stages[0].onFailure.result: stage 'Source' holds only source actions, and a source stage cannot be rolled back; use result RETRY or FAIL",
      "10:26 stages[1].onFailure.result: stage 'Build' cannot roll back: rollback is not available in PARALLEL execution mode (executionMode at line 2); use SUPERSEDED or QUEUED, or result RETRY or FAIL",
      "10:36 stages[1].onFailure.retryConfiguration: retryConfiguration applies only with result RETRY, and this onFailure's result is ROLLBACK",
      "10:69 stages[1].onFailure.retryConfiguration.retryMode: unknown retry mode 'ALL'; expected one of: FAILED_ACTIONS, ALL_ACTIONS",
      "11:5 stages[1].onSuccess: stage condition 'onSuccess' is not supported yet; pipe runs only a stage's onFailure (result RETRY, ROLLBACK or FAIL)",
      "15:5 stages[2].beforeEntry: stage condition 'beforeEntry' is not supported yet; pipe runs only a stage's onFailure (result RETRY, ROLLBACK or FAIL)",
      "16:16 stages[2].onFailure.result: missing required key 'result'; expected one of: RETRY, ROLLBACK, FAIL",
      "16:18 stages[2].onFailure.reslt: unknown key 'reslt'; did you mean 'result'?",
      "20:25 stages[2].actions[0].inputArtifacts: action 'Approve.Gate' (Approval/Manual) takes no input artifacts, got 1",
      "21:62 stages[2].actions[0].configuration.ExternalEntityLink: expected a URL (http:// or https://), got 'not-a-url'",
      "21:73 stages[2].actions[0].configuration.TimeOutInMinutes: unknown key 'TimeOutInMinutes'; did you mean 'TimeoutInMinutes'?",
    ]
  `);
  expect((error as ValidationError).message).toMatchInlineSnapshot(`"p.yml: 12 problems found"`);
});
