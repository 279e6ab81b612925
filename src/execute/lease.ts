// Who runs an execution: a lease (owner id, expiry) on its row, renewed by a heartbeat, instead of a pid. Any pipe
// process may take an execution whose lease is free or whose owner is gone; one on this machine is gone as soon as
// its process is, one elsewhere when its lease expires.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../infra/index.js';

/** How long a lease lasts without a heartbeat, and how often the owner renews it. */
export const LEASE_MS = 15_000;
export const HEARTBEAT_MS = 1_000;

export interface Owner {
  id: string;
  host: string;
  pid: number;
}

/** This process's owner identity: host, pid and a nonce (a reused pid is another owner). */
export function newOwner(nonce: string = newOwnerNonce()): Owner {
  const host = hostname();
  return { id: ownerId(host, process.pid, nonce), host, pid: process.pid };
}

export function newOwnerNonce(): string {
  return randomUUID().slice(0, 8);
}

/** The owner id of the process `pid` on `host` that runs with `nonce` (hex). */
export function ownerId(host: string, pid: number, nonce: string): string {
  return `${host}:${pid}:${nonce}`;
}

export function parseOwner(id: string): Owner | undefined {
  const m = /^(.*):(\d+):[0-9a-f]+$/.exec(id);
  return m ? { id, host: m[1] ?? '', pid: Number(m[2]) } : undefined;
}

/** Whether the owner of a lease is gone: its process ended (same machine), or its lease ran out. */
export function isOwnerGone(ownerId: string, leaseExpires: number, isAlive: (pid: number) => boolean, nowMs = Date.now()): boolean {
  const owner = parseOwner(ownerId);
  if (owner && owner.host === hostname()) return owner.pid !== process.pid ? !isAlive(owner.pid) : false;
  return leaseExpires < nowMs;
}

export class LeaseStore {
  constructor(
    private readonly db: Db,
    private readonly isAlive: (pid: number) => boolean,
  ) {}

  /** Takes the lease of an execution if it is free or its owner is gone; false when a live owner holds it. */
  acquire(executionId: string, owner: Owner): boolean {
    return this.db
      .transaction(() => {
        const row = this.db.prepare('SELECT owner_id, lease_expires FROM executions WHERE id = ?').get(executionId) as
          | { owner_id: string | null; lease_expires: number | null }
          | undefined;
        if (!row) return false;
        if (row.owner_id && row.owner_id !== owner.id && !isOwnerGone(row.owner_id, row.lease_expires ?? 0, this.isAlive)) return false;
        this.db
          .prepare('UPDATE executions SET owner_id = ?, lease_expires = ?, owner_pid = ?, owner_host = ? WHERE id = ?')
          .run(owner.id, Date.now() + LEASE_MS, owner.pid, owner.host, executionId);
        return true;
      })
      .immediate();
  }

  /**
   * Gives the lease to the owner id another process will run as (a worker just started, before it is up): from its
   * holder `from`, or when it is free or its owner is gone. The execution is never without an owner in between, so a
   * worker that dies before it takes over leaves an execution whose owner is dead (recovered), not one with none.
   */
  handOver(executionId: string, from: Owner | undefined, to: string): boolean {
    const target = parseOwner(to);
    if (!target) return false;
    return this.db
      .transaction(() => {
        const row = this.db.prepare('SELECT owner_id, lease_expires FROM executions WHERE id = ?').get(executionId) as
          | { owner_id: string | null; lease_expires: number | null }
          | undefined;
        if (!row) return false;
        const held = row.owner_id;
        if (held && held !== to && held !== from?.id && !isOwnerGone(held, row.lease_expires ?? 0, this.isAlive)) return false;
        this.db
          .prepare('UPDATE executions SET owner_id = ?, lease_expires = ?, owner_pid = ?, owner_host = ? WHERE id = ?')
          .run(to, Date.now() + LEASE_MS, target.pid, target.host, executionId);
        return true;
      })
      .immediate();
  }

  /** Renews the lease; false if another owner has taken it meanwhile. */
  renew(executionId: string, owner: Owner): boolean {
    const r = this.db.prepare('UPDATE executions SET lease_expires = ? WHERE id = ? AND owner_id = ?').run(Date.now() + LEASE_MS, executionId, owner.id);
    return r.changes === 1;
  }

  release(executionId: string, owner: Owner): void {
    this.db.prepare('UPDATE executions SET owner_id = NULL, lease_expires = NULL WHERE id = ? AND owner_id = ?').run(executionId, owner.id);
  }

  /** Whether an execution not finished has an owner that is gone (recovery has work to do). */
  hasDeadOwner(): boolean {
    return this.unowned().some((u) => !u.parked);
  }

  /** Executions not finished whose owner is gone (or that have none: parked, waiting for an approval). */
  unowned(): { executionId: string; parked: boolean }[] {
    const rows = this.db
      .prepare(`SELECT id, owner_id, lease_expires FROM executions WHERE status IN ('InProgress','Stopping')`)
      .all() as { id: string; owner_id: string | null; lease_expires: number | null }[];
    return rows
      .filter((r) => !r.owner_id || isOwnerGone(r.owner_id, r.lease_expires ?? 0, this.isAlive))
      .map((r) => ({ executionId: r.id, parked: !r.owner_id }));
  }
}
