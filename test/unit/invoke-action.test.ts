// The Invoke/Lambda executor against a scripted LambdaApi (a fake of the port, no Docker): each "function" answers
// its job through the same job API the server mounts, so the action's rules are checked in milliseconds: several
// continuations, output artifacts that must be written, failure types, a timeout and a report that comes too late.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { ActionPlan } from '../../src/core/index.js';
import { JobStore, createInvokeExecutor } from '../../src/deploy/index.js';
import { putJobFailureResult, putJobSuccessResult } from '../../src/deploy/job-api.js';
import type { ActionContext } from '../../src/execute/index.js';
import { openDatabase } from '../../src/infra/index.js';
import type { Db } from '../../src/infra/index.js';
import type { InvokeInput, InvokeOutput, LambdaApi } from '../../src/registry/index.js';

let dir: string;
let db: Db;
let store: JobStore;
const events: Record<string, unknown>[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pipe-invoke-unit-'));
  db = openDatabase(join(dir, 'state.db'));
  store = new JobStore(db);
  events.length = 0;
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

type Job = { id: string; data: { continuationToken?: string; outputArtifacts: { location: { s3Location: { objectKey: string } } }[] } };
type Script = (job: Job) => void;

/** The port's invoke, running a script per function name; the script answers through the job API. */
function fakeLambda(scripts: Record<string, Script>): LambdaApi {
  const api = {
    async invoke(input: InvokeInput): Promise<InvokeOutput> {
      const event = JSON.parse(input.Payload?.toString('utf8') ?? '{}') as Record<string, unknown>;
      events.push(event);
      const job = event['CodePipeline.job'] as Job;
      await new Promise((r) => setImmediate(r));
      scripts[input.FunctionName]?.(job);
      return { StatusCode: 200, Payload: Buffer.from('null'), ExecutedVersion: '$LATEST', RequestId: 'r' };
    },
  };
  return api as unknown as LambdaApi;
}

function context(functionName: string, outputs: string[] = []): { ctx: ActionContext; logs: string[] } {
  const logs: string[] = [];
  const action = { stage: 'Test', name: 'Run', id: 'Test.Run', type: 'Invoke/Lambda', category: 'Invoke', runOrder: 1, configuration: {}, inputArtifacts: [], outputArtifacts: outputs, references: [] } as ActionPlan;
  const ctx: ActionContext = {
    executionId: 'e-1', pipeline: 'p', action, configuration: { FunctionName: functionName, UserParameters: 'u' }, baseDir: dir,
    inputs: [], outputs: outputs.map((name) => ({ name, path: join(dir, `${name}.zip`) })),
    signal: new AbortController().signal,
    log: (_s, line) => logs.push(line), warn: () => undefined, phase: () => undefined, maskSecrets: () => undefined, labels: {},
  };
  return { ctx, logs };
}

function executor(scripts: Record<string, Script>, timeScale = 1) {
  return createInvokeExecutor({
    db, region: 'us-east-1', account: '000000000000', timeScale,
    openLambda: async () => ({ api: fakeLambda(scripts), close: async () => undefined }),
  });
}

/** What the artifact bucket does for a PutObject: write the zip behind the key. */
function putObject(key: string, bytes: string): void {
  const found = store.artifactAt('codepipeline-us-east-1-000000000000', key);
  if (!found) throw new Error(`no artifact at ${key}`);
  writeFileSync(found.artifact.path, bytes);
}

test('continues as long as tokens come, then publishes the final variables and the written output', async () => {
  const { ctx, logs } = context('steps', ['Out']);
  const outcome = await executor({
    steps: (job) => {
      const step = Number(job.data.continuationToken ?? '0');
      if (step < 3) {
        putJobSuccessResult(store, { jobId: job.id, continuationToken: String(step + 1), executionDetails: { percentComplete: (step + 1) * 25 } });
      } else {
        putObject(job.data.outputArtifacts[0]?.location.s3Location.objectKey ?? '', 'zip bytes');
        putJobSuccessResult(store, { jobId: job.id, outputVariables: { Steps: String(step) } });
      }
    },
  }).run(ctx);
  expect(outcome).toMatchObject({ status: 'Succeeded', outputVariables: { Steps: '3' }, artifacts: [{ name: 'Out', path: join(dir, 'Out.zip'), size: 9 }] });
  const tokens = events.map((e) => (e['CodePipeline.job'] as Job).data.continuationToken ?? null);
  expect(tokens).toEqual([null, '1', '2', '3']);
  const ids = new Set(events.map((e) => (e['CodePipeline.job'] as Job).id));
  expect(ids.size).toBe(4); // a new job for every continuation, as CodePipeline makes
  expect(logs.filter((l) => l.includes('continues')).map((l) => l.replace(/^job \S+: /, ''))).toEqual(['continues (25%)', 'continues (50%)', 'continues (75%)']);
});

test('success without the declared output artifact fails the action, naming it', async () => {
  const { ctx } = context('lazy', ['Report']);
  const outcome = await executor({ lazy: (job) => putJobSuccessResult(store, { jobId: job.id }) }).run(ctx);
  expect(outcome).toEqual({ status: 'Failed', message: 'the function reported success without writing its output artifact(s) Report (PutObject to the location in the job event)' });
  expect(existsSync(join(dir, 'Report.zip'))).toBe(false);
});

test('a failure type other than JobFailed is part of the message', async () => {
  const { ctx } = context('config');
  const outcome = await executor({
    config: (job) => putJobFailureResult(store, { jobId: job.id, failureDetails: { type: 'ConfigurationError', message: 'UserParameters is not JSON' } }),
  }).run(ctx);
  expect(outcome).toMatchObject({ status: 'Failed', message: 'ConfigurationError: UserParameters is not JSON' });
});

test('no answer within the scaled timeout: Failed, the job TimedOut, and a later report is refused', async () => {
  const { ctx } = context('mute');
  let late: Job | undefined;
  const outcome = await executor({ mute: (job) => (late = job) }, 20 * 60 * 1000 / 200).run(ctx); // 200 ms
  expect(outcome).toMatchObject({ status: 'Failed', message: expect.stringMatching(/^job \S+ timed out: mute reported no result within 20 minutes \(200 ms at time scale 6000\)$/) });
  expect(store.get(late?.id ?? '')?.status).toBe('TimedOut');
  expect(() => putJobSuccessResult(store, { jobId: late?.id })).toThrow(/is not in progress: it is TimedOut/);
});
