// Masking at the one place events are emitted: a value an executor registers never reaches a listener, the log
// store or the execution store, whatever event carries it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { RunEventBus } from '../../src/core/index.js';
import type { RunEvent } from '../../src/core/index.js';
import { ExecutionStore, LogStore, runExecution } from '../../src/execute/index.js';
import type { ActionExecutor } from '../../src/execute/index.js';
import { openDatabase } from '../../src/infra/sqlite.js';
import { buildExecutionPlan } from '../../src/plan/index.js';
import { ephemeralCipher } from '../../src/secrets/index.js';
import { parsePipelineSpec } from '../../src/parse/index.js';
import { createScriptedExecutor } from '../support/scripted-executor.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const PIPELINE = `name: masked
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration: { repository: . }
        outputArtifacts: [Src]
  - name: Build
    actions:
      - name: Build
        type: Build/CodeBuild
        configuration: {}
        inputArtifacts: [Src]
`;

it('a registered secret is *** in log lines, warnings, phase and action messages, the stored log and the store', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pipe-mask-'));
  dirs.push(root);
  const leaky: ActionExecutor = {
    async run(ctx) {
      ctx.log('stdout', 'before: hunter2 is not registered yet');
      ctx.maskSecrets(['hunter2']);
      ctx.log('stdout', 'password=hunter2');
      ctx.warn('warned about hunter2');
      ctx.phase('BUILD', 'FAILED', 'Error while executing command: echo hunter2');
      return { status: 'Failed', message: 'Build FAILED: hunter2 leaked' };
    },
  };
  const db = openDatabase(':memory:');
  const store = new ExecutionStore(db);
  const logs = new LogStore(root, (id, stage, action, path) => store.setLogPath(id, stage, action, path));
  const bus = new RunEventBus();
  const events: RunEvent[] = [];
  bus.subscribe((e) => store.record(e));
  bus.subscribe((e) => logs.record(e));
  bus.subscribe((e) => events.push(e));
  const plan = buildExecutionPlan(parsePipelineSpec(PIPELINE, join(root, 'p.yml')));
  const result = await runExecution(
    plan,
    { bus, artifactRoot: join(root, 'artifacts'), executors: { Source: createScriptedExecutor(), Build: leaky } },
    { executionId: 'e-1', trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'test' } },
  );
  logs.closeAll();
  expect(result).toEqual({ executionId: 'e-1', status: 'Failed', message: 'Build.Build: Build FAILED: *** leaked' });
  const texts = events.filter((e) => e.type !== 'execution' || e.status !== 'InProgress').map((e) => JSON.stringify(e));
  expect(texts.filter((t) => t.includes('hunter2'))).toEqual([expect.stringContaining('before: hunter2 is not registered yet')]);
  expect(texts.join('\n')).toContain('password=***');
  const log = readFileSync(join(root, 'logs', 'e-1', 'Build.Build.log'), 'utf8');
  expect(log.split('\n').slice(1)).toEqual(['password=***', 'Warning: warned about ***', '']);
  const detail = store.getExecution('e-1');
  expect(detail?.statusMessage).toBe('Build.Build: Build FAILED: *** leaked');
  expect(detail?.actions.find((a) => a.action === 'Build')?.statusMessage).toBe('Build FAILED: *** leaked');
  db.close();
});

const TWO_BUILDS = `name: derived
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration: { repository: . }
        outputArtifacts: [Src]
  - name: Build
    actions:
      - name: First
        type: Build/CodeBuild
        configuration: {}
        inputArtifacts: [Src]
        namespace: BuildVariables
      - name: Second
        type: Build/CodeBuild
        runOrder: 2
        configuration:
          environmentVariables: { GOT: "#{BuildVariables.COPY}", PLAIN: "#{BuildVariables.PLAIN}" }
        inputArtifacts: [Src]
`;

it('a variable exported from a secret reaches the later action in clear, and is *** in its configuration, extra, reports, logs and the store', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pipe-mask-'));
  dirs.push(root);
  const seen: Array<Record<string, unknown>> = [];
  const builds: ActionExecutor = {
    async run(ctx) {
      if (ctx.action.name === 'First') {
        ctx.maskSecrets(['tok-ABC-789']);
        return { status: 'Succeeded', outputVariables: { COPY: 'prefix-tok-ABC-789', PLAIN: 'just-text' }, artifacts: [] };
      }
      seen.push(ctx.configuration);
      const env = ctx.configuration['environmentVariables'] as Array<{ name: string; value: string }>;
      const got = env.find((v) => v.name === 'GOT')?.value ?? '';
      ctx.log('stdout', `GOT=${got}`);
      ctx.log('stdout', `stripped=${got.slice('prefix-'.length)}`);
      const report = { group: `junit ${got}`, cases: [{ name: `case with tok-ABC-789`, status: 'FAILED', message: `expected ${got}` }] };
      return { status: 'Succeeded', outputVariables: {}, artifacts: [], extra: { reports: [report], [`key-${got}`]: true } };
    },
  };
  const db = openDatabase(':memory:');
  const store = new ExecutionStore(db);
  const logs = new LogStore(root, (id, stage, action, path) => store.setLogPath(id, stage, action, path));
  const bus = new RunEventBus();
  const events: RunEvent[] = [];
  bus.subscribe((e) => store.record(e));
  bus.subscribe((e) => logs.record(e));
  bus.subscribe((e) => events.push(e));
  const plan = buildExecutionPlan(parsePipelineSpec(TWO_BUILDS, join(root, 'p.yml')));
  const cipher = ephemeralCipher();
  const result = await runExecution(
    plan,
    { bus, artifactRoot: join(root, 'artifacts'), executors: { Source: createScriptedExecutor(), Build: builds }, cipher },
    { executionId: 'e-2', trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'test' } },
  );
  logs.closeAll();
  expect(result.status).toBe('Succeeded');
  expect(seen[0]?.['environmentVariables']).toEqual([
    { name: 'GOT', value: 'prefix-tok-ABC-789', type: 'PLAINTEXT' },
    { name: 'PLAIN', value: 'just-text', type: 'PLAINTEXT' },
  ]);

  const everything = JSON.stringify(events) + JSON.stringify(store.getExecution('e-2')) + readFileSync(join(root, 'logs', 'e-2', 'Build.Second.log'), 'utf8');
  expect(everything).not.toContain('tok-ABC-789');
  const detail = store.getExecution('e-2');
  const first = detail?.actions.find((a) => a.action === 'First');
  const second = detail?.actions.find((a) => a.action === 'Second');
  expect(first?.outputVariables).toEqual({ COPY: '***', PLAIN: 'just-text' });
  expect(second?.configuration['environmentVariables']).toEqual([
    { name: 'GOT', value: '***', type: 'PLAINTEXT' },
    { name: 'PLAIN', value: 'just-text', type: 'PLAINTEXT' },
  ]);
  expect(second?.extra).toEqual({ reports: [{ group: 'junit ***', cases: [{ name: 'case with ***', status: 'FAILED', message: 'expected ***' }] }], 'key-***': true });
  expect(events.filter((e) => e.type === 'log' && e.action === 'Second').map((e) => (e.type === 'log' ? e.line : ''))).toEqual([
    'GOT=***',
    'stripped=***',
  ]);
  // Kept for a later action, sealed: only the store's reader, with the key, opens it.
  expect(events.find((e) => e.type === 'action' && e.action === 'First' && e.status === 'Succeeded')).toMatchObject({
    details: { outputVariables: { COPY: '***', PLAIN: 'just-text' }, sealedOutputVariables: { COPY: expect.stringMatching(/^aes256gcm:/) } },
  });
  expect(store.outputVariablesOf('e-2', 'Build', 'First', cipher)).toEqual({ COPY: 'prefix-tok-ABC-789', PLAIN: 'just-text' });
  expect(() => store.outputVariablesOf('e-2', 'Build', 'First', ephemeralCipher())).toThrow(/does not decrypt/);
  db.close();
});
