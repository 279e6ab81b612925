// The execution store: events in, executions out; versioned migrations; recovery of interrupted executions.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/core/index.js';
import { ExecutionStore } from '../../src/execute/index.js';
import { openDatabase } from '../../src/infra/sqlite.js';

const base = { executionId: 'e1' };
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

function events(): RunEvent[] {
  return [
    { ...base, time: at(0), type: 'execution', pipeline: 'p', status: 'InProgress', start: { file: '/x/p.yml', digest: 'd', trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'test' }, variables: { Env: 'dev' } } },
    { ...base, time: at(1), type: 'stage', stage: 'Source', status: 'InProgress' },
    { ...base, time: at(1), type: 'action', stage: 'Source', action: 'Checkout', status: 'InProgress', details: { actionType: 'Source/Git', runOrder: 1, configuration: { repository: '.' } } },
    { ...base, time: at(3), type: 'action', stage: 'Source', action: 'Checkout', status: 'Succeeded', details: { outputArtifacts: [{ name: 'Src', path: '/a/Src.zip', sha256: 'abc' }], outputVariables: { CommitId: 'c1' } } },
    { ...base, time: at(3), type: 'stage', stage: 'Source', status: 'Succeeded' },
  ];
}

describe('execution store', () => {
  it('records executions, stages and actions from events', () => {
    const store = new ExecutionStore(openDatabase(':memory:'));
    for (const e of events()) store.record(e);
    store.record({ ...base, time: at(4), type: 'execution', pipeline: 'p', status: 'Succeeded' });
    const d = store.getExecution('e1');
    expect(d).toMatchObject({
      executionId: 'e1', pipeline: 'p', status: 'Succeeded', startTime: at(0), endTime: at(4), variables: { Env: 'dev' },
      stages: [{ stage: 'Source', status: 'Succeeded', startTime: at(1), endTime: at(3) }],
    });
    expect(d?.actions).toEqual([
      expect.objectContaining({
        stage: 'Source', action: 'Checkout', actionType: 'Source/Git', status: 'Succeeded', startTime: at(1), endTime: at(3),
        configuration: { repository: '.' }, outputArtifacts: [{ name: 'Src', path: '/a/Src.zip', sha256: 'abc' }], outputVariables: { CommitId: 'c1' },
      }),
    ]);
    expect(store.getExecution('e')?.executionId).toBe('e1');
    expect(store.listExecutions({ pipeline: 'other' })).toEqual([]);
  });

  it('marks executions of a dead process Failed (interrupted), leaves live ones alone, and survives reopening', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pipe-store-')), 'state.db');
    const store = new ExecutionStore(openDatabase(file));
    for (const e of events()) store.record(e);
    store.record({ ...base, time: at(5), type: 'action', stage: 'Source', action: 'Build', status: 'InProgress', details: {} });
    expect(store.recoverInterrupted(() => true)).toEqual([]);
    const reopened = new ExecutionStore(openDatabase(file));
    expect(reopened.recoverInterrupted(() => false)).toEqual(['e1']);
    const d = reopened.getExecution('e1');
    expect(d?.status).toBe('Failed');
    expect(d?.statusMessage).toBe('interrupted: the process running this execution ended without finishing it');
    expect(d?.actions.find((a) => a.action === 'Build')?.status).toBe('Failed');
    expect(d?.actions.find((a) => a.action === 'Checkout')?.status).toBe('Succeeded');
  });

  it('counts build numbers per project', () => {
    const store = new ExecutionStore(openDatabase(':memory:'));
    expect([store.nextBuildNumber('a'), store.nextBuildNumber('a'), store.nextBuildNumber('b')]).toEqual([1, 2, 1]);
  });
});

describe('log lines recorded in batches', () => {
  const log = (i: number): RunEvent => ({ ...base, time: at(4), type: 'log', stage: 'Source', action: 'Checkout', stream: 'stdout', line: `line ${i}` });
  const lines = (store: ExecutionStore) => store.eventsAfter(0, 'e1', 10_000).map((r) => (r.event.type === 'log' ? r.event.line : r.event.type));

  it('writes a burst of log lines at the end of the task, in order, and before the next other event', async () => {
    const store = new ExecutionStore(openDatabase(':memory:'));
    const [start, stage, ...rest] = events();
    store.recordBatched(start!);
    store.recordBatched(stage!);
    for (let i = 0; i < 3; i++) store.recordBatched(log(i));
    expect(lines(store)).toEqual(['execution', 'stage']);
    await Promise.resolve();
    expect(lines(store)).toEqual(['execution', 'stage', 'line 0', 'line 1', 'line 2']);
    store.recordBatched(log(3));
    store.recordBatched(rest[0]!); // the action starts: the pending line goes first, in the same transaction
    expect(lines(store)).toEqual(['execution', 'stage', 'line 0', 'line 1', 'line 2', 'line 3', 'action']);
    expect(store.getExecution('e1')?.actions.map((a) => a.status)).toEqual(['InProgress']);
  });

  it('flushLogs writes what is pending; a closed database takes nothing more and throws nothing', async () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'pipe-batch-')), 'state.db'));
    const store = new ExecutionStore(db);
    store.record(events()[0]!);
    store.recordBatched(log(0));
    store.flushLogs();
    expect(lines(store)).toEqual(['execution', 'line 0']);
    store.recordBatched(log(1));
    db.close();
    await Promise.resolve(); // the microtask finds the database closed
    const reopened = new ExecutionStore(openDatabase(db.name));
    expect(lines(reopened)).toEqual(['execution', 'line 0']);
  });
});
