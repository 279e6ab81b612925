// Scenario tests: pipeline files run through the real orchestrator with a scripted executor.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunEventBus } from '../../src/core/index.js';
import type { RunEvent } from '../../src/core/index.js';
import { runExecution } from '../../src/execute/index.js';
import { buildExecutionPlan } from '../../src/plan/index.js';
import { parsePipelineSpec } from '../../src/parse/index.js';
import { createScriptedExecutor } from '../support/scripted-executor.js';
import type { ScriptStep } from '../support/scripted-executor.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const PIPELINE = `name: demo
variables:
  - { name: Env, default: dev }
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration: { repository: . }
        outputArtifacts: [Src]
        namespace: SourceVariables
  - name: Build
    actions:
      - name: Test
        type: Build/CodeBuild
        runOrder: 1
        configuration:
          environmentVariables: { COMMIT: "#{SourceVariables.CommitId}", ENV: "#{variables.Env}" }
        inputArtifacts: [Src]
        outputArtifacts: [TestOut]
        namespace: TestVars
      - name: Lint
        type: Build/CodeBuild
        runOrder: 1
        configuration: {}
        inputArtifacts: [Src]
      - name: Package
        type: Build/CodeBuild
        runOrder: 2
        configuration:
          environmentVariables: { TAG: "#{TestVars.TAG}" }
        inputArtifacts: [TestOut]
        outputArtifacts: [Pkg]
`;

async function run(
  script: Record<string, ScriptStep>,
  opts: { abortWhen?: (e: RunEvent) => boolean; variables?: Record<string, string> } = {},
) {
  const root = mkdtempSync(join(tmpdir(), 'pipe-orch-'));
  dirs.push(root);
  const plan = buildExecutionPlan(parsePipelineSpec(PIPELINE, join(root, 'demo.yml')));
  const executor = createScriptedExecutor({
    'Source.Checkout': { variables: { CommitId: 'abc123' } },
    ...script,
    'Build.Test': { variables: { TAG: 'v1' }, ...script['Build.Test'] },
  });
  const events: RunEvent[] = [];
  const bus = new RunEventBus();
  bus.subscribe((e) => events.push(e));
  const controller = new AbortController();
  const { abortWhen } = opts;
  if (abortWhen) bus.subscribe((e) => { if (abortWhen(e)) controller.abort(); });
  const result = await runExecution(
    plan,
    { bus, artifactRoot: join(root, 'artifacts'), executors: { Source: executor, Build: executor } },
    { executionId: 'exec-1', trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'test' }, signal: controller.signal, ...(opts.variables ? { variables: opts.variables } : {}) },
  );
  const statuses = events
    .filter((e) => e.type === 'execution' || e.type === 'stage' || e.type === 'action')
    .map((e) => (e.type === 'execution' ? `execution ${e.status}` : e.type === 'stage' ? `stage ${e.stage} ${e.status}` : `action ${e.stage}.${e.action} ${e.status}`));
  return { result, executor, events, statuses, root };
}

describe('orchestrator', () => {
  it('runs stages in order, runOrder groups in sequence, and passes variables and artifacts along', async () => {
    const { result, executor, statuses, root } = await run({
      'Source.Checkout': { variables: { CommitId: 'abc123' } },
      'Build.Test': { variables: { TAG: 'v1' }, delayMs: 20 },
    });
    expect(result.status).toBe('Succeeded');
    expect(executor.calls.map((c) => c.action.id)).toEqual(['Source.Checkout', 'Build.Test', 'Build.Lint', 'Build.Package']);
    const test = executor.calls.find((c) => c.action.id === 'Build.Test');
    expect(test?.configuration['environmentVariables']).toEqual([
      { name: 'COMMIT', value: 'abc123', type: 'PLAINTEXT' },
      { name: 'ENV', value: 'dev', type: 'PLAINTEXT' },
    ]);
    const pkg = executor.calls.find((c) => c.action.id === 'Build.Package');
    expect(pkg?.configuration['environmentVariables']).toEqual([{ name: 'TAG', value: 'v1', type: 'PLAINTEXT' }]);
    expect(pkg?.inputs).toEqual([{ name: 'TestOut', path: join(root, 'artifacts', 'demo', 'exec-1', 'TestOut.zip') }]);
    expect(statuses).toEqual([
      'execution InProgress',
      'stage Source InProgress',
      'action Source.Checkout InProgress',
      'action Source.Checkout Succeeded',
      'stage Source Succeeded',
      'stage Build InProgress',
      'action Build.Test InProgress',
      'action Build.Lint InProgress',
      'action Build.Lint Succeeded',
      'action Build.Test Succeeded',
      'action Build.Package InProgress',
      'action Build.Package Succeeded',
      'stage Build Succeeded',
      'execution Succeeded',
    ]);
  });

  it('fails the stage after the whole runOrder group finishes, and runs nothing after it', async () => {
    const { result, statuses } = await run({ 'Build.Lint': { fail: 'lint errors' }, 'Build.Test': { delayMs: 30 } });
    expect(result.status).toBe('Failed');
    expect(result.message).toBe('Build.Lint: lint errors');
    expect(statuses.slice(-5)).toEqual([
      'action Build.Lint InProgress',
      'action Build.Lint Failed',
      'action Build.Test Succeeded',
      'stage Build Failed',
      'execution Failed',
    ]);
    expect(statuses).not.toContain('action Build.Package InProgress');
  });

  it('fails an action that does not produce its declared output artifact', async () => {
    const { result } = await run({ 'Build.Test': { skipOutputs: true } });
    expect(result.status).toBe('Failed');
    expect(result.message).toBe('Build.Test: the action did not produce its output artifact TestOut');
  });

  it('stops: the running action is Abandoned, the stage Stopped, the execution Stopping then Stopped', async () => {
    // Stopped once Build.Test's executor has started (its first log line), not after a guessed delay.
    const started = (e: RunEvent) => e.type === 'log' && e.stage === 'Build' && e.action === 'Test';
    const { result, statuses } = await run({ 'Build.Test': { hang: true } }, { abortWhen: started });
    expect(result.status).toBe('Stopped');
    expect(statuses).toContain('execution Stopping');
    expect(statuses).toContain('action Build.Test Abandoned');
    expect(statuses.slice(-2)).toEqual(['stage Build Stopped', 'execution Stopped']);
    expect(statuses).not.toContain('action Build.Package InProgress');
  });

  it('takes pipeline variable overrides and rejects undeclared ones', async () => {
    const ok = await run({}, { variables: { Env: 'prod' } });
    const test = ok.executor.calls.find((c) => c.action.id === 'Build.Test');
    expect(test?.configuration['environmentVariables']).toContainEqual({ name: 'ENV', value: 'prod', type: 'PLAINTEXT' });
    await expect(run({}, { variables: { Nope: 'x' } })).rejects.toThrow('pipeline demo declares no variable Nope');
  });
});
