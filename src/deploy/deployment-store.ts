// Deployments in the state database: the record (who asked, from which version to which, how), its status with the
// reason it ended, the weight steps with their times, and the lifecycle events with their hooks' reports. Written
// as the deployment goes, so another process can show it, answer its hooks, or finish it when its owner died; every
// change is appended to the deploy room's log (deploy-log.ts) in its transaction, with the record as it is after it.
import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { PipeError, transitionDeployment, transitionLifecycleEvent, LIFECYCLE_EVENTS } from '../core/index.js';
import type { DeploymentErrorCode, DeploymentStatus, LifecycleEventName, LifecycleEventStatus } from '../core/index.js';
import { isProcessAlive, migrate } from '../infra/index.js';
import type { Db, Migration } from '../infra/index.js';
import type { Owner } from '../execute/index.js';
import type { AlarmSpec } from './traffic-types.js';
import type { AlarmState } from './alarm-evaluate.js';
import { DeployLog } from './deploy-log.js';
import type { DeploymentChange } from './deploy-log.js';

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'deployments, their weight steps and lifecycle events',
    sql: `
      CREATE TABLE deployments (
        id TEXT PRIMARY KEY,
        function_name TEXT NOT NULL,
        alias TEXT NOT NULL,
        current_version TEXT NOT NULL,
        target_version TEXT NOT NULL,
        deployment_type TEXT NOT NULL,
        status TEXT NOT NULL,
        error_code TEXT,
        reason TEXT,
        weight REAL NOT NULL DEFAULT 0,
        time_scale REAL NOT NULL,
        hooks TEXT NOT NULL,
        alarms TEXT NOT NULL,
        stack_name TEXT,
        logical_id TEXT,
        execution_id TEXT,
        owner_id TEXT,
        owner_pid INTEGER,
        owner_host TEXT,
        lease_expires INTEGER,
        created_at INTEGER NOT NULL,
        completed_at INTEGER
      );
      CREATE INDEX deployments_open ON deployments (status);
      CREATE TABLE deployment_steps (
        deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        weight REAL NOT NULL,
        planned_minutes REAL NOT NULL,
        at INTEGER,
        PRIMARY KEY (deployment_id, seq)
      );
      CREATE TABLE deployment_lifecycle_events (
        deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        hook_function TEXT,
        hook_execution_id TEXT,
        started_at INTEGER,
        ended_at INTEGER,
        message TEXT,
        PRIMARY KEY (deployment_id, name)
      );
      CREATE UNIQUE INDEX deployment_hook_executions ON deployment_lifecycle_events (hook_execution_id);`,
  },
  {
    version: 2,
    name: 'the state each alarm of a deployment was last evaluated in',
    sql: `ALTER TABLE deployments ADD COLUMN alarm_states TEXT NOT NULL DEFAULT '{}';`,
  },
];

/** An alarm's state as the deployment last evaluated it (CloudWatch's semantics, alarm-evaluate.ts), and why. */
export interface DeploymentAlarmState {
  state: AlarmState;
  reason: string;
  /** Epoch ms of the evaluation that moved it to this state. */
  at: number;
}

/** How long a deployment's lease lasts without a renewal (an owner on another host is gone after it). */
export const DEPLOYMENT_LEASE_MS = 15_000;

export interface DeploymentStep {
  seq: number;
  weight: number;
  plannedMinutes: number;
  /** Epoch ms when the alias was moved to this step, undefined until then. */
  at: number | undefined;
}

export interface LifecycleEventRecord {
  name: LifecycleEventName;
  status: LifecycleEventStatus;
  hookFunction: string | undefined;
  hookExecutionId: string | undefined;
  startedAt: number | undefined;
  endedAt: number | undefined;
  message: string | undefined;
}

export interface DeploymentRecord {
  deploymentId: string;
  functionName: string;
  alias: string;
  currentVersion: string;
  targetVersion: string;
  deploymentType: string;
  status: DeploymentStatus;
  errorCode: DeploymentErrorCode | undefined;
  reason: string | undefined;
  /** The target version's share of the alias's traffic now (1 once the alias points at it). */
  weight: number;
  timeScale: number;
  hooks: { preTraffic?: string; postTraffic?: string };
  alarms: AlarmSpec[];
  /** By alarm name; an alarm not evaluated yet (before AllowTraffic) is absent: INSUFFICIENT_DATA. */
  alarmStates: Record<string, DeploymentAlarmState>;
  stackName: string | undefined;
  logicalId: string | undefined;
  executionId: string | undefined;
  ownerPid: number | undefined;
  createdAt: number;
  completedAt: number | undefined;
  steps: DeploymentStep[];
  lifecycleEvents: LifecycleEventRecord[];
}

export interface NewDeployment {
  functionName: string;
  alias: string;
  currentVersion: string;
  targetVersion: string;
  deploymentType: string;
  timeScale: number;
  hooks: { preTraffic?: string; postTraffic?: string };
  alarms: AlarmSpec[];
  steps: { weight: number; atMinutes: number }[];
  stackName?: string;
  logicalId?: string;
  executionId?: string;
}

interface Row {
  id: string; function_name: string; alias: string; current_version: string; target_version: string; deployment_type: string;
  status: DeploymentStatus; error_code: DeploymentErrorCode | null; reason: string | null; weight: number; time_scale: number;
  hooks: string; alarms: string; alarm_states: string; stack_name: string | null; logical_id: string | null; execution_id: string | null;
  owner_id: string | null; owner_pid: number | null; owner_host: string | null; lease_expires: number | null; created_at: number; completed_at: number | null;
}

/** `d-` and nine of [A-Z0-9], as CodeDeploy's ids. */
export function newDeploymentId(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let id = 'd-';
  for (let i = 0; i < 9; i++) id += chars[randomInt(chars.length)];
  return id;
}

export class DeploymentStore {
  private readonly log: DeployLog;

  constructor(private readonly db: Db) {
    migrate(db, 'deploy-deployments', MIGRATIONS);
    this.log = new DeployLog(db);
  }

  /** Appends the deployment as it is now to the deploy log (the caller holds the transaction of the change). */
  private logged(id: string, change: DeploymentChange): void {
    const deployment = this.get(id);
    if (deployment) this.log.append({ kind: 'deployment', change, deployment });
  }

  /**
   * Records a deployment owned by `owner`, status Created, every lifecycle event Pending and every step planned; in
   * the same transaction as the check that no live deployment holds the alias (two processes cannot both start one).
   */
  create(d: NewDeployment, owner: Owner, now = Date.now()): string {
    const id = newDeploymentId();
    this.db.transaction(() => {
      const live = this.liveOn(d.functionName, d.alias);
      if (live) {
        throw new PipeError('INVALID_ARGUMENT', `${d.functionName}:${d.alias} is being deployed by ${live.deploymentId} (pid ${live.ownerPid ?? '?'})`, {
          hint: `wait for it to end: pipe deployment ${live.deploymentId}`,
        });
      }
      this.db.prepare(`INSERT INTO deployments (id, function_name, alias, current_version, target_version, deployment_type, status, time_scale, hooks, alarms,
        stack_name, logical_id, execution_id, owner_id, owner_pid, owner_host, lease_expires, created_at) VALUES (?, ?, ?, ?, ?, ?, 'Created', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(id, d.functionName, d.alias, d.currentVersion, d.targetVersion, d.deploymentType, d.timeScale, JSON.stringify(d.hooks), JSON.stringify(d.alarms),
          d.stackName ?? null, d.logicalId ?? null, d.executionId ?? null, owner.id, owner.pid, owner.host, now + DEPLOYMENT_LEASE_MS, now);
      const step = this.db.prepare('INSERT INTO deployment_steps (deployment_id, seq, weight, planned_minutes) VALUES (?, ?, ?, ?)');
      d.steps.forEach((s, i) => step.run(id, i + 1, s.weight, s.atMinutes));
      const event = this.db.prepare(`INSERT INTO deployment_lifecycle_events (deployment_id, seq, name, status) VALUES (?, ?, ?, 'Pending')`);
      LIFECYCLE_EVENTS.forEach((name, i) => event.run(id, i + 1, name));
      this.logged(id, 'created');
    }).immediate();
    return id;
  }

  get(id: string): DeploymentRecord | undefined {
    const row = this.db.prepare('SELECT * FROM deployments WHERE id = ?').get(id) as Row | undefined;
    return row && this.toRecord(row);
  }

  /** Newest first. */
  list(limit = 100): DeploymentRecord[] {
    const rows = this.db.prepare('SELECT * FROM deployments ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit) as Row[];
    return rows.map((r) => this.toRecord(r));
  }

  /** Moves the status (guarded by the transition table); a terminal one records the reason and the time. */
  setStatus(id: string, to: DeploymentStatus, end: { errorCode?: DeploymentErrorCode; reason?: string } = {}, now = Date.now()): void {
    this.db.transaction(() => {
      const row = this.db.prepare('SELECT status FROM deployments WHERE id = ?').get(id) as { status: DeploymentStatus } | undefined;
      if (!row) throw new Error(`deployment ${id} is not recorded`);
      transitionDeployment(row.status, to);
      const terminal = to === 'Succeeded' || to === 'Failed' || to === 'Stopped';
      this.db.prepare('UPDATE deployments SET status = ?, error_code = ?, reason = ?, completed_at = ?, owner_id = CASE WHEN ? THEN NULL ELSE owner_id END WHERE id = ?')
        .run(to, end.errorCode ?? null, end.reason ?? null, terminal ? now : null, terminal ? 1 : 0, id);
      this.logged(id, 'status');
    }).immediate();
  }

  setWeight(id: string, weight: number): void {
    this.db.transaction(() => {
      if (this.db.prepare('UPDATE deployments SET weight = ? WHERE id = ? AND weight != ?').run(weight, id, weight).changes > 0) this.logged(id, 'weight');
    }).immediate();
  }

  stepDone(id: string, seq: number, now = Date.now()): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE deployment_steps SET at = ? WHERE deployment_id = ? AND seq = ?').run(now, id, seq);
      this.logged(id, 'step');
    }).immediate();
  }

  /** Records an alarm's evaluated state when it differs from the one recorded (the first evaluation always does). */
  setAlarmState(id: string, name: string, state: AlarmState, reason: string, now = Date.now()): void {
    this.db.transaction(() => {
      const row = this.db.prepare('SELECT alarm_states FROM deployments WHERE id = ?').get(id) as { alarm_states: string } | undefined;
      if (!row) return;
      const states = JSON.parse(row.alarm_states) as Record<string, DeploymentAlarmState>;
      if (states[name]?.state === state) return;
      states[name] = { state, reason, at: now };
      this.db.prepare('UPDATE deployments SET alarm_states = ? WHERE id = ?').run(JSON.stringify(states), id);
      this.logged(id, 'alarm');
    }).immediate();
  }

  /** Moves a lifecycle event (guarded); InProgress records the start, a terminal status the end. */
  setEvent(id: string, name: LifecycleEventName, to: LifecycleEventStatus, more: { hookFunction?: string; hookExecutionId?: string; message?: string } = {}, now = Date.now()): void {
    this.db.transaction(() => {
      const row = this.db.prepare('SELECT status FROM deployment_lifecycle_events WHERE deployment_id = ? AND name = ?').get(id, name) as { status: LifecycleEventStatus } | undefined;
      if (!row) throw new Error(`deployment ${id} has no lifecycle event ${name}`);
      transitionLifecycleEvent(row.status, to);
      this.db.prepare(`UPDATE deployment_lifecycle_events SET status = ?,
          hook_function = COALESCE(?, hook_function), hook_execution_id = COALESCE(?, hook_execution_id), message = COALESCE(?, message),
          started_at = CASE WHEN ? = 'InProgress' THEN ? ELSE started_at END,
          ended_at = CASE WHEN ? IN ('Succeeded', 'Failed', 'Skipped', 'Unknown') THEN ? ELSE ended_at END
        WHERE deployment_id = ? AND name = ?`)
        .run(to, more.hookFunction ?? null, more.hookExecutionId ?? null, more.message ?? null, to, now, to, now, id, name);
      this.logged(id, 'hook');
    }).immediate();
  }

  event(id: string, name: LifecycleEventName): LifecycleEventRecord | undefined {
    return this.get(id)?.lifecycleEvents.find((e) => e.name === name);
  }

  /**
   * A hook's report (PutLifecycleEventHookExecutionStatus), as CodeDeploy checks it: the deployment must exist, the
   * execution id be one of its hooks', the status Succeeded or Failed, and the event not already finished.
   */
  reportHook(deploymentId: string, hookExecutionId: string, status: string, now = Date.now()): HookReportResult {
    return this.db.transaction((): HookReportResult => {
      if (!this.db.prepare('SELECT 1 FROM deployments WHERE id = ?').get(deploymentId)) return { error: 'DeploymentDoesNotExistException' };
      const ev = this.db.prepare('SELECT name, status FROM deployment_lifecycle_events WHERE deployment_id = ? AND hook_execution_id = ?')
        .get(deploymentId, hookExecutionId) as { name: LifecycleEventName; status: LifecycleEventStatus } | undefined;
      if (!ev) return { error: 'InvalidLifecycleEventHookExecutionIdException' };
      if (status !== 'Succeeded' && status !== 'Failed') return { error: 'InvalidLifecycleEventHookExecutionStatusException' };
      if (ev.status !== 'InProgress') return { error: 'LifecycleEventAlreadyCompletedException' };
      this.db.prepare('UPDATE deployment_lifecycle_events SET status = ?, ended_at = ?, message = ? WHERE deployment_id = ? AND name = ?')
        .run(status, now, `the hook reported ${status}`, deploymentId, ev.name);
      this.logged(deploymentId, 'hook');
      return { ok: true };
    }).immediate();
  }

  /** Renews the owner's lease; false if the deployment is no longer its own (finished, or recovered by another). */
  renew(id: string, owner: Owner, now = Date.now()): boolean {
    return this.db.prepare('UPDATE deployments SET lease_expires = ? WHERE id = ? AND owner_id = ?').run(now + DEPLOYMENT_LEASE_MS, id, owner.id).changes === 1;
  }

  /** A live deployment (not finished, owner alive) of the same alias, if one runs. */
  liveOn(functionName: string, alias: string): DeploymentRecord | undefined {
    const rows = this.db.prepare(`SELECT * FROM deployments WHERE function_name = ? AND alias = ? AND status IN ('Created', 'Queued', 'InProgress', 'Baking', 'Ready')`)
      .all(functionName, alias) as Row[];
    const live = rows.find((r) => !isOwnerGone(r));
    return live && this.toRecord(live);
  }

  /** Whether an unfinished deployment's owner is gone (recovery has work to do). */
  hasOrphans(now = Date.now()): boolean {
    const rows = this.db.prepare(`SELECT * FROM deployments WHERE status IN ('Created', 'Queued', 'InProgress', 'Baking', 'Ready')`).all() as Row[];
    return rows.some((r) => isOwnerGone(r, now));
  }

  /** Takes every unfinished deployment whose owner is gone, for `owner` to finish: [] when there is none. */
  claimOrphans(owner: Owner, now = Date.now()): DeploymentRecord[] {
    return this.db.transaction(() => {
      const rows = this.db.prepare(`SELECT * FROM deployments WHERE status IN ('Created', 'Queued', 'InProgress', 'Baking', 'Ready')`).all() as Row[];
      const orphans = rows.filter((r) => isOwnerGone(r, now));
      const take = this.db.prepare('UPDATE deployments SET owner_id = ?, owner_pid = ?, owner_host = ?, lease_expires = ? WHERE id = ?');
      for (const r of orphans) take.run(owner.id, owner.pid, owner.host, now + DEPLOYMENT_LEASE_MS, r.id);
      return orphans.map((r) => this.toRecord(r));
    }).immediate();
  }

  private toRecord(r: Row): DeploymentRecord {
    const steps = (this.db.prepare('SELECT seq, weight, planned_minutes, at FROM deployment_steps WHERE deployment_id = ? ORDER BY seq').all(r.id) as
      { seq: number; weight: number; planned_minutes: number; at: number | null }[])
      .map((s) => ({ seq: s.seq, weight: s.weight, plannedMinutes: s.planned_minutes, at: s.at ?? undefined }));
    const lifecycleEvents = (this.db.prepare('SELECT * FROM deployment_lifecycle_events WHERE deployment_id = ? ORDER BY seq').all(r.id) as
      { name: LifecycleEventName; status: LifecycleEventStatus; hook_function: string | null; hook_execution_id: string | null; started_at: number | null; ended_at: number | null; message: string | null }[])
      .map((e) => ({
        name: e.name, status: e.status, hookFunction: e.hook_function ?? undefined, hookExecutionId: e.hook_execution_id ?? undefined,
        startedAt: e.started_at ?? undefined, endedAt: e.ended_at ?? undefined, message: e.message ?? undefined,
      }));
    return {
      deploymentId: r.id, functionName: r.function_name, alias: r.alias, currentVersion: r.current_version, targetVersion: r.target_version,
      deploymentType: r.deployment_type, status: r.status, errorCode: r.error_code ?? undefined, reason: r.reason ?? undefined, weight: r.weight,
      timeScale: r.time_scale, hooks: JSON.parse(r.hooks) as DeploymentRecord['hooks'], alarms: JSON.parse(r.alarms) as AlarmSpec[],
      alarmStates: JSON.parse(r.alarm_states) as Record<string, DeploymentAlarmState>,
      stackName: r.stack_name ?? undefined, logicalId: r.logical_id ?? undefined, executionId: r.execution_id ?? undefined,
      ownerPid: r.owner_pid ?? undefined, createdAt: r.created_at, completedAt: r.completed_at ?? undefined, steps, lifecycleEvents,
    };
  }
}

export type HookReportResult =
  | { ok: true }
  | { error: 'DeploymentDoesNotExistException' | 'InvalidLifecycleEventHookExecutionIdException' | 'InvalidLifecycleEventHookExecutionStatusException' | 'LifecycleEventAlreadyCompletedException' };

/** An owner on this host is gone when its process is; one elsewhere when its lease ran out. This process is never gone. */
function isOwnerGone(r: Row, now = Date.now()): boolean {
  if (!r.owner_id) return true;
  if (r.owner_host === hostname()) return r.owner_pid !== process.pid && !isProcessAlive(r.owner_pid ?? -1);
  return (r.lease_expires ?? 0) < now;
}
