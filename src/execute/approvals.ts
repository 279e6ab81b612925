// Manual approvals (Approval/Manual): a request waits in the store for an answer from any process (`pipe approve`,
// the dashboard), for at most its timeout (7 days by default, as on AWS); the answer, its summary and its time
// are kept.
import { randomUUID } from 'node:crypto';
import { PipeError, transitionApproval } from '../core/index.js';
import type { ApprovalStatus } from '../core/index.js';
import type { Db } from '../infra/index.js';

export const DEFAULT_APPROVAL_TIMEOUT_MINUTES = 7 * 24 * 60;

export interface ApprovalKey {
  executionId: string;
  stage: string;
  action: string;
  attempt: number;
}

export interface ApprovalState {
  status: ApprovalStatus;
  token: string;
  summary?: string;
  expiresAt: string;
  respondedAt?: string;
}

export class ApprovalStore {
  constructor(private readonly db: Db) {}

  /** Opens the request (once: a resumed execution finds the one it opened). */
  request(key: ApprovalKey, options: { customData?: string; externalEntityLink?: string; timeoutMinutes: number }): ApprovalState {
    const existing = this.get(key);
    if (existing) return existing;
    const now = new Date();
    const expires = new Date(now.getTime() + options.timeoutMinutes * 60_000);
    this.db
      .prepare(
        `INSERT INTO approvals (execution_id, stage, action, attempt, token, status, custom_data, external_link, requested_at, expires_at)
         VALUES (?,?,?,?,?,'Waiting',?,?,?,?)`,
      )
      .run(key.executionId, key.stage, key.action, key.attempt, randomUUID(), options.customData ?? null, options.externalEntityLink ?? null, now.toISOString(), expires.toISOString());
    return this.get(key) as ApprovalState;
  }

  get(key: ApprovalKey): ApprovalState | undefined {
    const r = this.db
      .prepare('SELECT status, token, summary, expires_at, responded_at FROM approvals WHERE execution_id = ? AND stage = ? AND action = ? AND attempt = ?')
      .get(key.executionId, key.stage, key.action, key.attempt) as Record<string, string | null> | undefined;
    if (!r) return undefined;
    return {
      status: r['status'] as ApprovalStatus,
      token: String(r['token']),
      ...(r['summary'] ? { summary: r['summary'] } : {}),
      expiresAt: String(r['expires_at']),
      ...(r['responded_at'] ? { respondedAt: r['responded_at'] } : {}),
    };
  }

  /** The waiting request of an action, in its latest attempt. */
  waiting(executionId: string, stage: string, action: string): ApprovalKey | undefined {
    const r = this.db
      .prepare("SELECT attempt FROM approvals WHERE execution_id = ? AND stage = ? AND action = ? AND status = 'Waiting' ORDER BY attempt DESC LIMIT 1")
      .get(executionId, stage, action) as { attempt: number } | undefined;
    return r ? { executionId, stage, action, attempt: r.attempt } : undefined;
  }

  /** Records an answer; a request that is no longer waiting cannot be answered. */
  respond(key: ApprovalKey, status: 'Approved' | 'Rejected', summary: string | undefined): void {
    this.settle(key, status, summary);
  }

  /** Settles a waiting request without an answer: it expired, or a stop abandoned it. */
  settle(key: ApprovalKey, status: Exclude<ApprovalStatus, 'Waiting'>, summary?: string): void {
    this.db
      .transaction(() => {
        const current = this.get(key);
        if (!current) throw new PipeError('NOT_FOUND', `no approval request for ${key.stage}.${key.action}`);
        if (current.status !== 'Waiting') {
          throw new PipeError('INVALID_ARGUMENT', `${key.stage}.${key.action} is no longer waiting for approval: it was ${current.status.toLowerCase()}${current.respondedAt ? ` at ${current.respondedAt}` : ''}`);
        }
        transitionApproval(current.status, status);
        this.db
          .prepare('UPDATE approvals SET status = ?, summary = ?, responded_at = ? WHERE execution_id = ? AND stage = ? AND action = ? AND attempt = ?')
          .run(status, summary ?? null, new Date().toISOString(), key.executionId, key.stage, key.action, key.attempt);
      })
      .immediate();
  }

  /** Executions with an answered request whose action has not taken the answer yet (nobody continued them). */
  answeredPending(): string[] {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT p.execution_id FROM approvals p JOIN action_executions a
           ON a.execution_id = p.execution_id AND a.stage = p.stage AND a.action = p.action AND a.attempt = p.attempt
         WHERE p.status IN ('Approved', 'Rejected') AND a.status = 'InProgress'`,
      )
      .all() as { execution_id: string }[];
    return rows.map((r) => r.execution_id);
  }

  /** Waiting requests whose time is up, across all executions. */
  expired(nowIso = new Date().toISOString()): ApprovalKey[] {
    return (this.db.prepare("SELECT execution_id, stage, action, attempt FROM approvals WHERE status = 'Waiting' AND expires_at <= ?").all(nowIso) as Record<string, string | number>[]).map((r) => ({
      executionId: String(r['execution_id']),
      stage: String(r['stage']),
      action: String(r['action']),
      attempt: Number(r['attempt']),
    }));
  }
}
