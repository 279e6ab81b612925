// Bad input to the read-side commands through the real CLI: validate, executions, execution, logs, functions,
// layers, parameters and secrets. Each answers exit 2 with its exact message (and hint), never a stack or a 0.
// Executions are recorded in the test's PIPE_HOME by the real orchestrator and store, with a scripted executor.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunEventBus } from '../../src/core/index.js';
import { openPipeContext } from '../../src/app/index.js';
import { runExecution } from '../../src/execute/index.js';
import { buildExecutionPlan } from '../../src/plan/index.js';
import { parsePipelineSpec } from '../../src/parse/index.js';
import { makePipeEnv, pipe } from '../support/cli.js';
import { createScriptedExecutor } from '../support/scripted-executor.js';
import { twoStagePipeline } from '../support/git-fixture.js';

const env = makePipeEnv();
/** Two executions whose ids share the prefix `abcd`. */
const FIRST = 'abcd0001-0000-4000-8000-000000000001';
const SECOND = 'abcd0002-0000-4000-8000-000000000002';

async function recordExecution(executionId: string): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'pipe-cli-fixture-'));
  const plan = buildExecutionPlan(parsePipelineSpec(twoStagePipeline({ repository: '.' }), join(root, 'pipeline.yml')));
  const ctx = openPipeContext({ home: env.home, artifactRoot: env.artifacts });
  const bus = new RunEventBus();
  bus.subscribe((e) => ctx.store.record(e));
  const executor = createScriptedExecutor({ 'Source.Checkout': { variables: { CommitId: 'abc123' } } });
  try {
    const result = await runExecution(
      plan,
      { bus, artifactRoot: env.artifacts, executors: { Source: executor, Build: executor } },
      { executionId, trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'test' } },
    );
    expect(result.status).toBe('Succeeded');
  } finally {
    ctx.db.close();
  }
}

const HINT_EXECUTIONS = "hint: 'pipe executions' lists them";

describe('read-side commands, bad input', () => {
  beforeAll(async () => {
    await recordExecution(FIRST);
    await recordExecution(SECOND);
  });

  it('the fixture: both executions are there, and a unique prefix finds one', async () => {
    const list = await pipe(['executions', '--json'], env);
    expect(list.exitCode).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ executionId: string }>).map((e) => e.executionId).sort()).toEqual([FIRST, SECOND]);
    const one = await pipe(['execution', 'abcd0001', '--json'], env);
    expect(one.exitCode).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ executionId: FIRST, status: 'Succeeded' });
  });

  it('validate: a malformed file, a missing file, no file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-validate-'));
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'name: x\nstages:\n  - name: [unclosed\n');
    const malformed = await pipe(['validate', bad], env);
    expect(malformed.exitCode).toBe(2);
    expect(malformed.stdout).toBe('');
    expect(malformed.stderr).toMatch(new RegExp(`^error: ${escape(bad)}: 1 problem found\\n  ${escape(bad)}:4:1 YAML syntax error: `));

    const missing = await pipe(['validate', join(dir, 'nope.yml')], env);
    expect(missing).toEqual({ exitCode: 2, stdout: '', stderr: `error: pipeline file ${join(dir, 'nope.yml')} not found` });

    const none = await pipe(['validate'], env);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toBe("error: missing required argument 'file'");
  });

  it('executions --limit: not a positive whole number', async () => {
    for (const limit of ['0', '-3', 'x', '1.5']) {
      expect(await pipe(['executions', '--limit', limit], env)).toEqual({
        exitCode: 2,
        stdout: '',
        stderr: `error: --limit takes a positive whole number, got '${limit}'`,
      });
    }
  });

  it('execution and logs: an unknown id, an ambiguous prefix', async () => {
    for (const command of ['execution', 'logs']) {
      const unknown = command === 'logs' ? "error: no execution or build 'ffff'\nhint: 'pipe executions' and 'pipe builds' list them" : `error: no execution 'ffff'\n${HINT_EXECUTIONS}`;
      expect(await pipe([command, 'ffff'], env)).toEqual({ exitCode: 2, stdout: '', stderr: unknown });
      expect(await pipe([command, 'abcd'], env)).toEqual({
        exitCode: 2,
        stdout: '',
        stderr: "error: execution id 'abcd' is ambiguous: 2 executions start with it",
      });
    }
  });

  it('logs: an action the execution does not have, naming the ones it has', async () => {
    for (const action of ['Build.Nope', 'Nope', 'Source.Build']) {
      expect(await pipe(['logs', 'abcd0002', action], env)).toEqual({
        exitCode: 2,
        stdout: '',
        stderr: `error: execution ${SECOND} has no action '${action}'\nhint: actions: Source.Checkout, Build.Build`,
      });
    }
  });

  it('functions and layers: a --region that is not a region name', async () => {
    for (const command of ['functions', 'layers']) {
      for (const region of ['nowhere', 'Mars-1', 'us-east']) {
        expect(await pipe([command, '--region', region], env)).toEqual({
          exitCode: 2,
          stdout: '',
          stderr: `error: ${region} is not a region name (like us-east-1)`,
        });
      }
    }
  });

  it('parameters rm and secrets rm of a name that does not exist', async () => {
    expect(await pipe(['parameters', 'rm', '/missing/name'], env)).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: "error: parameter /missing/name does not exist\nhint: 'pipe parameters ls' lists them",
    });
    expect(await pipe(['secrets', 'rm', 'missing'], env)).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: "error: secret missing does not exist\nhint: 'pipe secrets ls' lists them",
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
