// The plan carries the execution settings with their defaults, the stage failure policies, the spec's warnings,
// a typed Approval/Manual configuration and the structure digest a retry is checked against.
import { describe, expect, test } from 'vitest';
import {
  DEFAULT_APPROVAL_TIMEOUT_MINUTES,
  DEFAULT_EXECUTION_MODE,
  DEFAULT_MAX_PARALLEL_ACTIONS,
} from '../../src/core/index.js';
import { buildExecutionPlan, readApprovalConfiguration, resolveConfiguration } from '../../src/plan/index.js';
import { parsePipelineSpec } from '../../src/parse/index.js';

const BASE = `name: settings
variables:
  - { name: Env, default: dev }
stages:
  - name: Source
    actions:
      - { name: App, type: Source/Git, configuration: { repository: app, branch: main }, outputArtifacts: [AppSrc], namespace: AppVars }
  - name: Build
    actions:
      - { name: Compile, type: Build/CodeBuild, inputArtifacts: [AppSrc], outputArtifacts: [Bin], configuration: { image: "img:#{variables.Env}" } }
      - { name: Lint, type: Build/CodeBuild, inputArtifacts: [AppSrc] }
      - { name: Test, type: Build/CodeBuild, runOrder: 2, inputArtifacts: [Bin], namespace: TestVars }
  - name: Approve
    actions:
      - name: Gate
        type: Approval/Manual
        configuration: { CustomData: "Ship #{AppVars.CommitId}?", ExternalEntityLink: "https://review.test/#{AppVars.CommitId}" }
`;

function planOf(text: string): ReturnType<typeof buildExecutionPlan> {
  return buildExecutionPlan(parsePipelineSpec(text, 'pipelines/settings.yml'));
}

describe('execution settings on the plan', () => {
  test('without settings: SUPERSEDED, 4 actions at once, every stage FAIL, no warnings', () => {
    const p = planOf(BASE);
    expect(p.executionMode).toBe('SUPERSEDED');
    expect(DEFAULT_EXECUTION_MODE).toBe('SUPERSEDED');
    expect(p.maxParallelActions).toBe(4);
    expect(DEFAULT_MAX_PARALLEL_ACTIONS).toBe(4);
    expect(p.stages.map((s) => s.onFailure)).toEqual([{ result: 'FAIL' }, { result: 'FAIL' }, { result: 'FAIL' }]);
    expect(p.warnings).toEqual([]);
  });

  test('the file says: mode, parallelism, and per stage RETRY (retryMode defaults to FAILED_ACTIONS), ROLLBACK, FAIL', () => {
    const text = BASE.replace('variables:', 'executionMode: QUEUED\nmaxParallelActions: 12\nvariables:')
      .replace('  - name: Build\n', '  - name: Build\n    onFailure: { result: RETRY }\n')
      .replace('  - name: Approve\n', '  - name: Approve\n    onFailure: { result: ROLLBACK }\n')
      .replace('  - name: Source\n', '  - name: Source\n    onFailure: { result: FAIL }\n');
    const p = planOf(text);
    expect(p.executionMode).toBe('QUEUED');
    expect(p.maxParallelActions).toBe(12);
    expect(p.stages.map((s) => [s.name, s.onFailure])).toEqual([
      ['Source', { result: 'FAIL' }],
      ['Build', { result: 'RETRY', retryMode: 'FAILED_ACTIONS' }],
      ['Approve', { result: 'ROLLBACK' }],
    ]);
    const all = planOf(BASE.replace('  - name: Build\n', '  - name: Build\n    onFailure: { result: RETRY, retryConfiguration: { retryMode: ALL_ACTIONS } }\n'));
    expect(all.stages[1]?.onFailure).toEqual({ result: 'RETRY', retryMode: 'ALL_ACTIONS' });
  });

  test('PARALLEL mode plans as PARALLEL', () => {
    expect(planOf(BASE.replace('variables:', 'executionMode: PARALLEL\nvariables:')).executionMode).toBe('PARALLEL');
  });

  test("the spec's warnings travel on the plan, with their position", () => {
    const p = planOf(BASE.replace('configuration: { CustomData:', 'configuration: { NotificationArn: "arn:aws:sns:us-east-1:123456789012:t", CustomData:'));
    expect(p.warnings.map((w) => `${w.location.line}:${w.location.column} ${w.path}: ${w.message}`)).toEqual([
      '17:43 stages[2].actions[0].configuration.NotificationArn: NotificationArn is not used locally: pipe publishes no SNS notification; the approval waits for a response all the same',
    ]);
  });

  test('an Approval/Manual action plans in the Approval category, without artifacts', () => {
    const gate = planOf(BASE).stages[2]?.groups[0]?.[0];
    expect(gate).toMatchObject({ id: 'Approve.Gate', type: 'Approval/Manual', category: 'Approval', inputArtifacts: [], outputArtifacts: [] });
    expect(gate?.references.map((r) => r.text)).toEqual(['#{AppVars.CommitId}']);
  });
});

describe('readApprovalConfiguration', () => {
  test('after resolution: custom data and link as text, the timeout as a number (default 7 days)', () => {
    const gate = planOf(BASE).stages[2]?.groups[0]?.[0];
    const resolved = resolveConfiguration(gate?.configuration ?? {}, { AppVars: { CommitId: 'abc123' } });
    expect(readApprovalConfiguration(resolved)).toEqual({
      customData: 'Ship abc123?',
      externalEntityLink: 'https://review.test/abc123',
      timeoutMinutes: 10080,
    });
    expect(DEFAULT_APPROVAL_TIMEOUT_MINUTES).toBe(10080);
  });

  test('a bare approval: only the default timeout; a given timeout is read as a number', () => {
    const bare = BASE.replace(/configuration: \{ CustomData.*\n/, 'configuration: { TimeoutInMinutes: 90 }\n');
    expect(readApprovalConfiguration(planOf(bare).stages[2]?.groups[0]?.[0]?.configuration ?? {})).toEqual({ timeoutMinutes: 90 });
    const none = BASE.replace(/ {8}configuration: \{ CustomData.*\n/, '');
    const config = planOf(none).stages[2]?.groups[0]?.[0]?.configuration ?? {};
    expect(config).toEqual({ TimeoutInMinutes: '10080' });
    expect(readApprovalConfiguration(config)).toEqual({ timeoutMinutes: 10080 });
    expect(readApprovalConfiguration({})).toEqual({ timeoutMinutes: 10080 });
  });
});

describe('structureDigest', () => {
  const digest = (text: string): string => planOf(text).structureDigest;
  const base = digest(BASE);

  test('is a SHA-256 in hex, the same for the same file, and not the file digest', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(digest(BASE)).toBe(base);
    expect(planOf(BASE).digest).not.toBe(base);
  });

  test.each([
    ['a configuration value', BASE.replace('branch: main', 'branch: release')],
    ['an approval text', BASE.replace('Ship #{AppVars.CommitId}?', 'Deploy?')],
    ['a configuration key added', BASE.replace('inputArtifacts: [AppSrc] }', 'inputArtifacts: [AppSrc], configuration: { buildspec: lint.yml } }')],
    ['a variable default', BASE.replace('default: dev', 'default: prod')],
    ['the pipeline name', BASE.replace('name: settings', 'name: other')],
    ['the execution settings', BASE.replace('variables:', 'executionMode: QUEUED\nmaxParallelActions: 9\nvariables:')],
    ['a stage onFailure', BASE.replace('  - name: Build\n', '  - name: Build\n    onFailure: { result: RETRY }\n')],
    ['comments and layout', `# the pipeline\n${BASE.replace('  - name: Approve\n', '\n  - name: Approve # ask first\n')}`],
    [
      'the order of actions within one runOrder group',
      BASE.replace(
        /( {6}- \{ name: Compile.*\n)( {6}- \{ name: Lint.*\n)/,
        (_m, compile: string, lint: string) => lint + compile,
      ),
    ],
  ])('stays the same when only %s changes', (_what, changed) => {
    expect(changed).not.toBe(BASE);
    expect(digest(changed)).toBe(base);
  });

  test.each([
    ['a stage is renamed', BASE.replace('- name: Approve', '- name: Review')],
    [
      'two stages swap places',
      BASE.replace(/( {2}- name: Build\n[\s\S]*?)( {2}- name: Approve\n[\s\S]*)$/, (_m, build: string, approve: string) => `${approve}${build}`),
    ],
    ['an action is renamed', BASE.replace('name: Lint', 'name: Style')],
    ['an action changes type', BASE.replace('{ name: Lint, type: Build/CodeBuild, inputArtifacts: [AppSrc] }', '{ name: Lint, type: Deploy/Lambda, inputArtifacts: [AppSrc], configuration: { FunctionName: lint } }')],
    ['an action changes runOrder', BASE.replace('name: Lint, type: Build/CodeBuild,', 'name: Lint, type: Build/CodeBuild, runOrder: 3,')],
    ['an action is added', BASE.replace('      - name: Gate\n', '      - { name: Second, type: Approval/Manual }\n      - name: Gate\n')],
    ['an input artifact is added', BASE.replace('{ name: Lint, type: Build/CodeBuild, inputArtifacts: [AppSrc] }', '{ name: Lint, type: Build/CodeBuild, inputArtifacts: [AppSrc, Bin], runOrder: 2 }')],
    ['an output artifact is renamed', BASE.replace('outputArtifacts: [Bin]', 'outputArtifacts: [Binary]').replace('inputArtifacts: [Bin]', 'inputArtifacts: [Binary]')],
    ['a namespace is added', BASE.replace('{ name: Lint, type: Build/CodeBuild, inputArtifacts: [AppSrc] }', '{ name: Lint, type: Build/CodeBuild, inputArtifacts: [AppSrc], namespace: LintVars }')],
    ['a namespace is renamed', BASE.replace('namespace: TestVars', 'namespace: TestVariables')],
  ])('changes when %s', (_what, changed) => {
    expect(changed).not.toBe(BASE);
    expect(digest(changed)).not.toBe(base);
  });

  test('input artifact order counts: the first is the primary source', () => {
    const two = BASE.replace('{ name: Test, type: Build/CodeBuild, runOrder: 2, inputArtifacts: [Bin]', '{ name: Test, type: Build/CodeBuild, runOrder: 2, inputArtifacts: [Bin, AppSrc]');
    const swapped = two.replace('inputArtifacts: [Bin, AppSrc]', 'inputArtifacts: [AppSrc, Bin]');
    expect(digest(two)).not.toBe(digest(swapped));
  });
});
