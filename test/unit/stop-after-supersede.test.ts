// A stop that comes right after an execution was superseded (a newer one took its place in front of a locked stage,
// and its driver has not looked yet) leaves it Superseded, as CodePipeline has it: `pipe stop` is refused as for any
// execution no longer in progress, the store keeps the supersede, and a signal to its own process ends it Superseded.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PipeError, newExecutionId } from '../../src/core/index.js';
import { Engine, ExecutionStore, StageGate, requestStop } from '../../src/execute/index.js';
import type { ActionExecutor } from '../../src/execute/index.js';
import { isProcessAlive, openDatabase } from '../../src/infra/index.js';
import { parsePipelineSpec } from '../../src/parse/index.js';
import { buildExecutionPlan } from '../../src/plan/index.js';

const PIPELINE = `name: superseding
stages:
  - name: Source
    actions:
      - { name: Checkout, type: Source/Git, configuration: { repository: . }, outputArtifacts: [Src] }
  - name: Build
    actions:
      - { name: Build, type: Build/CodeBuild, inputArtifacts: [Src] }
`;

const dir = mkdtempSync(join(tmpdir(), 'pipe-supersede-'));
const store = new ExecutionStore(openDatabase(join(dir, 'state.db')));
const neverCalled: ActionExecutor = {
  run: () => {
    throw new Error('no action runs in this test');
  },
};
const engine = new Engine({ store, executors: { Source: neverCalled, Build: neverCalled }, isAlive: isProcessAlive, pollMs: 10 });
const parsed = buildExecutionPlan(parsePipelineSpec(PIPELINE, join(dir, 'pipeline.yml')));
const gate = new StageGate(store.db);
let tests = 0;

/** A, holding Build; B superseded in front of it by C, its driver not having looked yet. */
function supersededWaiter(): { a: string; b: string; c: string } {
  const plan = { ...parsed, pipeline: `superseding-${++tests}` }; // each test's own stage locks
  const [a, b, c] = [newExecutionId(), newExecutionId(), newExecutionId()];
  for (const id of [a, b, c]) engine.create(plan, { executionId: id, trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'test' }, artifactRoot: dir });
  expect(gate.tryEnter(plan.pipeline, 'Build', a, 'SUPERSEDED').kind).toBe('entered');
  expect(gate.tryEnter(plan.pipeline, 'Build', b, 'SUPERSEDED').kind).toBe('waiting');
  expect(gate.tryEnter(plan.pipeline, 'Build', c, 'SUPERSEDED')).toMatchObject({ kind: 'waiting', superseded: [b] });
  return { a, b, c };
}

it('pipe stop of an execution just superseded is refused as for any ended one, and the supersede stays', () => {
  const { b } = supersededWaiter();
  let refused: unknown;
  try {
    requestStop({ store, isAlive: isProcessAlive }, b, { abandon: false });
  } catch (e) {
    refused = e;
  }
  expect(refused).toBeInstanceOf(PipeError);
  expect((refused as PipeError).message).toBe(`execution ${b} is Superseded; only an execution in progress can be stopped`);
  // Nor does a stop request written by another way replace the supersede.
  store.requestStop(b, 'abandon', 'stopped and abandoned');
  expect(store.stopRequestOf(b).request).toBe('superseded');
});

it('a signal to the superseded execution\'s own process, before its driver looked, ends it Superseded, not Stopped', async () => {
  const { b } = supersededWaiter();
  const result = await engine.drive(b, { signal: AbortSignal.abort('stopped by SIGINT') });
  expect(result.status).toBe('Superseded');
  expect(store.getExecution(b)?.status).toBe('Superseded');
});
