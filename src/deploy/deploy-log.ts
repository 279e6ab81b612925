// The deploy room's append-only event log: every stack status change and stack event, every change of a
// deployment (status, weight, step, lifecycle hook, alarm state) is appended here by the store that makes the
// change, in the same transaction, with a sequence number. `followDeployLog` is its one reader: another process (the
// dashboard's server) gets every entry after a sequence number as it is appended, and resumes after the last it saw.
import { migrate } from '../infra/index.js';
import type { Db, Migration } from '../infra/index.js';
import { sleepUnlessAborted } from '../core/index.js';
import type { StackStatus } from '../core/index.js';
import type { DeploymentRecord } from './deployment-store.js';
import type { StackEvent } from './stack-store.js';

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'the append-only log of stack and deployment changes',
    sql: `CREATE TABLE deploy_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL);`,
  },
];

/** What moved in a deployment (the entry carries the whole record as it is after the move). */
export const DEPLOYMENT_CHANGES = ['created', 'status', 'weight', 'step', 'hook', 'alarm'] as const;
export type DeploymentChange = (typeof DEPLOYMENT_CHANGES)[number];

export type DeployLogEntry =
  /** A stack's status moved; `removed` once its record is gone (deleted, the name free again). */
  | { kind: 'stack'; name: string; status: StackStatus; reason?: string; removed?: true }
  | { kind: 'stack-event'; name: string; event: StackEvent }
  | { kind: 'deployment'; change: DeploymentChange; deployment: DeploymentRecord };

export interface DeployLogRow {
  seq: number;
  at: number;
  entry: DeployLogEntry;
}

export class DeployLog {
  constructor(private readonly db: Db) {
    migrate(db, 'deploy-log', MIGRATIONS);
  }

  /** Appends one entry; callers do it inside the transaction of the change it records. */
  append(entry: DeployLogEntry, now = Date.now()): number {
    const subject = entry.kind === 'deployment' ? entry.deployment.deploymentId : entry.name;
    return Number(this.db.prepare('INSERT INTO deploy_log (kind, subject, body, at) VALUES (?, ?, ?, ?)').run(entry.kind, subject, JSON.stringify(entry), now).lastInsertRowid);
  }

  /** The entries after `seq`, oldest first, at most `limit`. */
  after(seq: number, limit = 500): DeployLogRow[] {
    return (this.db.prepare('SELECT seq, at, body FROM deploy_log WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit) as { seq: number; at: number; body: string }[])
      .map((r) => ({ seq: r.seq, at: r.at, entry: JSON.parse(r.body) as DeployLogEntry }));
  }

  lastSeq(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM deploy_log').get() as { seq: number }).seq;
  }
}

export interface DeployFollowOptions {
  /** Entries after this sequence number (0: from the start). */
  afterSeq?: number;
  signal?: AbortSignal;
  /** How often the log is read again while nothing is new. */
  pollMs?: number;
}

/** Calls `onEntry` for each entry as it is appended, until `signal` aborts; resolves with the last sequence number read. */
export async function followDeployLog(db: Db, onEntry: (row: DeployLogRow) => void, options: DeployFollowOptions = {}): Promise<number> {
  const log = new DeployLog(db);
  let seq = options.afterSeq ?? 0;
  for (;;) {
    if (options.signal?.aborted) return seq;
    const batch = log.after(seq);
    for (const row of batch) {
      seq = row.seq;
      onEntry(row);
    }
    if (batch.length > 0) continue;
    await sleepUnlessAborted(options.pollMs ?? 150, options.signal);
  }
}
