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
