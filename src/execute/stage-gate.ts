// Entering a stage, as CodePipeline's execution modes say: a stage processes one execution at a time (its lock);
// others wait in front of it. SUPERSEDED keeps one waiter, the newest arrival (the one it replaces ends
// Superseded); QUEUED lets waiters in by arrival; PARALLEL has no locks. A disabled inbound transition holds every
// arrival in front of it. Every decision is one IMMEDIATE transaction, so locks hold across processes.
import type { ExecutionMode } from '../core/index.js';
import type { Db } from '../infra/index.js';

export type GateResult =
  | { kind: 'entered' }
  | { kind: 'waiting'; reason: string; superseded: string[] }
  /** Another execution arrived after this one and took its place in front of the stage. */
  | { kind: 'superseded' };

export class StageGate {
  constructor(private readonly db: Db) {}

  /**
   * Tries to enter `stage` for `executionId`: enters (taking the lock), or leaves it waiting in front of the stage
   * (and supersedes older waiters in SUPERSEDED mode). Call again while it waits.
   */
  tryEnter(pipeline: string, stage: string, executionId: string, mode: ExecutionMode): GateResult {
    return this.db
      .transaction((): GateResult => {
        const now = new Date().toISOString();
        const mine = this.db.prepare('SELECT arrival FROM stage_waits WHERE execution_id = ?').get(executionId) as { arrival: number } | undefined;
        const flagged = this.db.prepare("SELECT stop_request FROM executions WHERE id = ?").get(executionId) as { stop_request: string | null } | undefined;
        if (flagged?.stop_request === 'superseded') {
          this.db.prepare('DELETE FROM stage_waits WHERE execution_id = ?').run(executionId);
          return { kind: 'superseded' };
        }
        const transition = this.db.prepare('SELECT reason FROM transitions WHERE pipeline = ? AND stage = ?').get(pipeline, stage) as { reason: string } | undefined;
        const lock = mode === 'PARALLEL' ? undefined : (this.db.prepare('SELECT execution_id FROM stage_locks WHERE pipeline = ? AND stage = ?').get(pipeline, stage) as { execution_id: string } | undefined);
        const lockedByOther = lock !== undefined && lock.execution_id !== executionId;
        const ahead = mode === 'QUEUED' && mine
          ? (this.db.prepare('SELECT COUNT(*) AS n FROM stage_waits WHERE pipeline = ? AND stage = ? AND arrival < ?').get(pipeline, stage, mine.arrival) as { n: number }).n
          : mode === 'QUEUED'
            ? (this.db.prepare('SELECT COUNT(*) AS n FROM stage_waits WHERE pipeline = ? AND stage = ?').get(pipeline, stage) as { n: number }).n
            : 0;
        if (!transition && !lockedByOther && ahead === 0) {
          if (mode !== 'PARALLEL') {
            this.db.prepare('INSERT INTO stage_locks (pipeline, stage, execution_id, since) VALUES (?,?,?,?) ON CONFLICT (pipeline, stage) DO NOTHING').run(pipeline, stage, executionId, now);
          }
          this.db.prepare('DELETE FROM stage_waits WHERE execution_id = ?').run(executionId);
          return { kind: 'entered' };
        }
        const superseded: string[] = [];
        if (!mine) {
          const arrival = (this.db.prepare('SELECT COALESCE(MAX(arrival), 0) + 1 AS n FROM stage_waits').get() as { n: number }).n;
          if (mode === 'SUPERSEDED') {
            // Only one execution waits in front of a stage: the newest arrival replaces the one waiting.
            const older = this.db.prepare('SELECT execution_id FROM stage_waits WHERE pipeline = ? AND stage = ?').all(pipeline, stage) as { execution_id: string }[];
            for (const o of older) {
              this.db.prepare("UPDATE executions SET stop_request = 'superseded' WHERE id = ?").run(o.execution_id);
              this.db.prepare('DELETE FROM stage_waits WHERE execution_id = ?').run(o.execution_id);
              superseded.push(o.execution_id);
            }
          }
          this.db.prepare('INSERT INTO stage_waits (execution_id, pipeline, stage, since, arrival) VALUES (?,?,?,?,?)').run(executionId, pipeline, stage, now, arrival);
        }
        const reason = transition
          ? `the transition into ${stage} is disabled: ${transition.reason}`
          : lockedByOther
            ? `stage ${stage} is locked by execution ${lock.execution_id}`
            : `${ahead} execution(s) queued ahead of it for ${stage}`;
        return { kind: 'waiting', reason, superseded };
      })
      .immediate();
  }

  /** Frees the stage's lock if this execution holds it (its stage ended: succeeded, failed or stopped). */
  release(pipeline: string, stage: string, executionId: string): void {
    this.db.prepare('DELETE FROM stage_locks WHERE pipeline = ? AND stage = ? AND execution_id = ?').run(pipeline, stage, executionId);
  }

  /** Every lock and wait of an execution, gone (it ended). */
  releaseAll(executionId: string): void {
    this.db.prepare('DELETE FROM stage_locks WHERE execution_id = ?').run(executionId);
    this.db.prepare('DELETE FROM stage_waits WHERE execution_id = ?').run(executionId);
  }

  /** Takes the lock of a stage again for a retry; false when another execution holds it. */
  retake(pipeline: string, stage: string, executionId: string): boolean {
    return this.db
      .transaction(() => {
        const lock = this.db.prepare('SELECT execution_id FROM stage_locks WHERE pipeline = ? AND stage = ?').get(pipeline, stage) as { execution_id: string } | undefined;
        if (lock && lock.execution_id !== executionId) return false;
        this.db.prepare('INSERT INTO stage_locks (pipeline, stage, execution_id, since) VALUES (?,?,?,?) ON CONFLICT (pipeline, stage) DO NOTHING').run(pipeline, stage, executionId, new Date().toISOString());
        return true;
      })
      .immediate();
  }

  holder(pipeline: string, stage: string): string | undefined {
    const lock = this.db.prepare('SELECT execution_id FROM stage_locks WHERE pipeline = ? AND stage = ?').get(pipeline, stage) as { execution_id: string } | undefined;
    return lock?.execution_id;
  }

  disable(pipeline: string, stage: string, reason: string): void {
    this.db
      .prepare('INSERT INTO transitions (pipeline, stage, reason, disabled_at) VALUES (?,?,?,?) ON CONFLICT (pipeline, stage) DO UPDATE SET reason = excluded.reason')
      .run(pipeline, stage, reason, new Date().toISOString());
  }

  /** Enables the transition; true if it was disabled. */
  enable(pipeline: string, stage: string): boolean {
    return this.db.prepare('DELETE FROM transitions WHERE pipeline = ? AND stage = ?').run(pipeline, stage).changes > 0;
  }

  disabledTransitions(pipeline: string): { stage: string; reason: string; disabledAt: string }[] {
    return (this.db.prepare('SELECT stage, reason, disabled_at FROM transitions WHERE pipeline = ?').all(pipeline) as { stage: string; reason: string; disabled_at: string }[]).map((r) => ({
      stage: r.stage,
      reason: r.reason,
      disabledAt: r.disabled_at,
    }));
  }
}
