// Stacks in the state database: the stack record (status, template, parameters, outputs, routes, the operation
// in flight and its owner), its resources with what was deployed, the append-only stack events, and the intent
// journal that recovery reads after a crash. Tables of the 'stacks' migration set. Every status change and stack event
// is also appended to the deploy room's log (deploy-log.ts) in the same transaction.
import { randomUUID } from 'node:crypto';
import { migrate } from '../infra/index.js';
import type { Db } from '../infra/index.js';
import { transitionStack } from '../core/index.js';
import type { GatewayRoute, ResourceStatus, StackStatus } from '../core/index.js';
import type { ResolvedParameter } from './template-parameters.js';
import type { DeployedState } from './stack-state.js';
import { DeployLog } from './deploy-log.js';

const STACK_MIGRATIONS = [
  {
    version: 1,
    name: 'stacks, stack resources, stack events, the operation journal',
    sql: `
      CREATE TABLE stacks (
        name TEXT PRIMARY KEY,
        stack_id TEXT NOT NULL,
        status TEXT NOT NULL,
        status_reason TEXT,
        description TEXT,
        template_body TEXT NOT NULL,
        template_digest TEXT NOT NULL,
        parameters TEXT NOT NULL,
        outputs TEXT NOT NULL,
        routes TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        owner_pid INTEGER,
        operation TEXT
      );
      CREATE TABLE stack_resources (
        stack_name TEXT NOT NULL,
        logical_id TEXT NOT NULL,
        type TEXT NOT NULL,
        physical_id TEXT,
        status TEXT NOT NULL,
        status_reason TEXT,
        state TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (stack_name, logical_id)
      );
      CREATE TABLE stack_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        stack_name TEXT NOT NULL,
        stack_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        logical_id TEXT NOT NULL,
        physical_id TEXT,
        resource_type TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        timestamp TEXT NOT NULL
      );
      CREATE INDEX stack_events_by_stack ON stack_events (stack_name, seq);
      CREATE TABLE stack_journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        stack_name TEXT NOT NULL,
        logical_id TEXT NOT NULL,
        intent TEXT NOT NULL,
        at TEXT NOT NULL
      );
    `,
  },
];

export interface StackOutput { OutputKey: string; OutputValue: string; Description?: string; ExportName?: string }

export interface StackRecord {
  name: string;
  stackId: string;
  status: StackStatus;
  statusReason?: string;
  description?: string;
  templateBody: string;
  templateDigest: string;
  parameters: ResolvedParameter[];
  outputs: StackOutput[];
  routes: GatewayRoute[];
  createdAt: string;
  updatedAt: string;
  ownerPid?: number;
  /** The operation in flight: kind, and every resource as it was before it started (what a rollback restores). */
  operation?: StackOperation;
}

export interface StackOperation {
  kind: 'create' | 'update' | 'delete';
  previous: StackResourceRecord[];
  previousOutputs: StackOutput[];
  previousRoutes: GatewayRoute[];
  previousTemplate: { body: string; digest: string; parameters: ResolvedParameter[] };
  /** Set once every resource is applied: the logical ids the new template holds (the cleanup removes the others). */
  keep?: string[];
}

export interface StackResourceRecord {
  logicalId: string;
  type: string;
  physicalId?: string;
  status: ResourceStatus;
  statusReason?: string;
  state?: DeployedState;
  updatedAt: string;
}

export interface StackEvent {
  StackEventId: string;
  StackId: string;
  StackName: string;
  LogicalResourceId: string;
  PhysicalResourceId: string;
  ResourceType: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  Timestamp: string;
}

/** An intent recorded before a registry call: recovery undoes or finishes it. */
export type JournalIntent =
  | { op: 'createFunction'; functionName: string }
  | { op: 'updateFunction'; functionName: string }
  | { op: 'publishVersion'; functionName: string }
  | { op: 'alias'; functionName: string; alias: string }
  | { op: 'shiftTraffic'; functionName: string; alias: string }
  | { op: 'publishLayerVersion'; layerName: string; latestBefore: number }
  | { op: 'delete'; what: string };

interface StackRow {
  name: string; stack_id: string; status: string; status_reason: string | null; description: string | null;
  template_body: string; template_digest: string; parameters: string; outputs: string; routes: string;
  created_at: string; updated_at: string; owner_pid: number | null; operation: string | null;
}

interface ResourceRow {
  logical_id: string; type: string; physical_id: string | null; status: string; status_reason: string | null; state: string | null; updated_at: string;
}

export class StackStore {
  private readonly log: DeployLog;

  constructor(readonly db: Db) {
    migrate(db, 'stacks', STACK_MIGRATIONS);
    this.log = new DeployLog(db);
  }

  get(name: string): StackRecord | undefined {
    const row = this.db.prepare('SELECT * FROM stacks WHERE name = ?').get(name) as StackRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  list(): StackRecord[] {
    return (this.db.prepare('SELECT * FROM stacks ORDER BY name').all() as StackRow[]).map(toRecord);
  }

  /** A new stack record, in `status` (CREATE_IN_PROGRESS). */
  insert(r: Omit<StackRecord, 'stackId' | 'createdAt' | 'updatedAt'>, stackId: string): StackRecord {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      this.db.prepare(`INSERT INTO stacks (name, stack_id, status, status_reason, description, template_body, template_digest, parameters,
        outputs, routes, created_at, updated_at, owner_pid, operation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        r.name, stackId, r.status, r.statusReason ?? null, r.description ?? null, r.templateBody, r.templateDigest, JSON.stringify(r.parameters),
        JSON.stringify(r.outputs), JSON.stringify(r.routes), now, now, r.ownerPid ?? null, r.operation ? JSON.stringify(r.operation) : null,
      );
      this.log.append({ kind: 'stack', name: r.name, status: r.status, ...(r.statusReason ? { reason: r.statusReason } : {}) });
    }).immediate();
    return this.get(r.name)!;
  }

  /** Moves the stack to `to` (checked against the transition table) and records the stack event. */
  setStatus(name: string, to: StackStatus, reason?: string): void {
    this.db.transaction(() => {
      const s = this.get(name);
      if (!s) return;
      transitionStack(s.status, to);
      this.db.prepare('UPDATE stacks SET status = ?, status_reason = ?, updated_at = ? WHERE name = ?').run(to, reason ?? null, new Date().toISOString(), name);
      this.log.append({ kind: 'stack', name, status: to, ...(reason ? { reason } : {}) });
      this.event(s, { logicalId: name, physicalId: s.stackId, type: 'AWS::CloudFormation::Stack', status: to, ...(reason ? { reason } : {}) });
    }).immediate();
  }

  update(name: string, fields: Partial<Pick<StackRecord, 'templateBody' | 'templateDigest' | 'parameters' | 'outputs' | 'routes' | 'description'>> & { ownerPid?: number | null; operation?: StackOperation | null }): void {
    const sets: string[] = [];
    const values: unknown[] = [];
    const put = (col: string, v: unknown) => {
      sets.push(`${col} = ?`);
      values.push(v);
    };
    if (fields.templateBody !== undefined) put('template_body', fields.templateBody);
    if (fields.templateDigest !== undefined) put('template_digest', fields.templateDigest);
    if (fields.parameters !== undefined) put('parameters', JSON.stringify(fields.parameters));
    if (fields.outputs !== undefined) put('outputs', JSON.stringify(fields.outputs));
    if (fields.routes !== undefined) put('routes', JSON.stringify(fields.routes));
    if (fields.description !== undefined) put('description', fields.description);
    if (fields.ownerPid !== undefined) put('owner_pid', fields.ownerPid);
    if (fields.operation !== undefined) put('operation', fields.operation === null ? null : JSON.stringify(fields.operation));
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE stacks SET ${sets.join(', ')} WHERE name = ?`).run(...values, name);
  }

  resources(name: string): StackResourceRecord[] {
    const rows = this.db.prepare('SELECT * FROM stack_resources WHERE stack_name = ? ORDER BY rowid').all(name) as ResourceRow[];
    return rows.map((r) => {
      const rec: StackResourceRecord = { logicalId: r.logical_id, type: r.type, status: r.status as ResourceStatus, updatedAt: r.updated_at };
      if (r.physical_id !== null) rec.physicalId = r.physical_id;
      if (r.status_reason !== null) rec.statusReason = r.status_reason;
      if (r.state !== null) rec.state = JSON.parse(r.state) as DeployedState;
      return rec;
    });
  }

  /** Writes a resource's row and its stack event. `state: null` keeps the stored state. */
  setResource(stack: string, r: { logicalId: string; type: string; physicalId?: string; status: ResourceStatus; reason?: string; state?: DeployedState | null }): void {
    this.db.transaction(() => this.writeResource(stack, r)).immediate();
  }

  private writeResource(stack: string, r: { logicalId: string; type: string; physicalId?: string; status: ResourceStatus; reason?: string; state?: DeployedState | null }): void {
    const s = this.get(stack);
    if (!s) return;
    const now = new Date().toISOString();
    this.db.prepare(`INSERT INTO stack_resources (stack_name, logical_id, type, physical_id, status, status_reason, state, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stack_name, logical_id) DO UPDATE SET type = excluded.type,
      physical_id = COALESCE(excluded.physical_id, physical_id), status = excluded.status, status_reason = excluded.status_reason,
      state = CASE WHEN ? THEN state ELSE excluded.state END, updated_at = excluded.updated_at`).run(
      stack, r.logicalId, r.type, r.physicalId ?? null, r.status, r.reason ?? null, r.state ? JSON.stringify(r.state) : null, now, r.state === null ? 1 : 0,
    );
    this.event(s, { logicalId: r.logicalId, physicalId: r.physicalId ?? this.resources(stack).find((x) => x.logicalId === r.logicalId)?.physicalId ?? '', type: r.type, status: r.status, ...(r.reason ? { reason: r.reason } : {}) });
  }

  /** Puts the resource rows back as they were (a rollback's end). */
  restoreResources(stack: string, rows: StackResourceRecord[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM stack_resources WHERE stack_name = ?').run(stack);
      const insert = this.db.prepare(`INSERT INTO stack_resources (stack_name, logical_id, type, physical_id, status, status_reason, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const r of rows) insert.run(stack, r.logicalId, r.type, r.physicalId ?? null, r.status, r.statusReason ?? null, r.state ? JSON.stringify(r.state) : null, r.updatedAt);
    }).immediate();
  }

  removeResource(stack: string, logicalId: string): void {
    this.db.prepare('DELETE FROM stack_resources WHERE stack_name = ? AND logical_id = ?').run(stack, logicalId);
  }

  events(name: string): StackEvent[] {
    const rows = this.db.prepare('SELECT * FROM stack_events WHERE stack_name = ? ORDER BY seq DESC').all(name) as {
      stack_id: string; event_id: string; logical_id: string; physical_id: string | null; resource_type: string; status: string; reason: string | null; timestamp: string;
    }[];
    return rows.map((r) => {
      const e: StackEvent = {
        StackEventId: r.event_id, StackId: r.stack_id, StackName: name, LogicalResourceId: r.logical_id, PhysicalResourceId: r.physical_id ?? '',
        ResourceType: r.resource_type, ResourceStatus: r.status, Timestamp: r.timestamp,
      };
      if (r.reason !== null) e.ResourceStatusReason = r.reason;
      return e;
    });
  }

  /** Records a stack event and appends it to the deploy log (the caller holds the transaction). */
  private event(s: StackRecord, e: { logicalId: string; physicalId: string; type: string; status: string; reason?: string }): void {
    const event: StackEvent = {
      StackEventId: randomUUID(), StackId: s.stackId, StackName: s.name, LogicalResourceId: e.logicalId, PhysicalResourceId: e.physicalId,
      ResourceType: e.type, ResourceStatus: e.status, Timestamp: new Date().toISOString(), ...(e.reason ? { ResourceStatusReason: e.reason } : {}),
    };
    this.db.prepare(`INSERT INTO stack_events (stack_name, stack_id, event_id, logical_id, physical_id, resource_type, status, reason, timestamp)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(s.name, s.stackId, event.StackEventId, e.logicalId, e.physicalId, e.type, e.status, e.reason ?? null, event.Timestamp);
    this.log.append({ kind: 'stack-event', name: s.name, event });
  }

  journal(stack: string, logicalId: string, intent: JournalIntent): void {
    this.db.prepare('INSERT INTO stack_journal (stack_name, logical_id, intent, at) VALUES (?, ?, ?, ?)').run(stack, logicalId, JSON.stringify(intent), new Date().toISOString());
  }

  journalOf(stack: string): { logicalId: string; intent: JournalIntent }[] {
    return (this.db.prepare('SELECT logical_id, intent FROM stack_journal WHERE stack_name = ? ORDER BY seq').all(stack) as { logical_id: string; intent: string }[])
      .map((r) => ({ logicalId: r.logical_id, intent: JSON.parse(r.intent) as JournalIntent }));
  }

  clearJournal(stack: string): void {
    this.db.prepare('DELETE FROM stack_journal WHERE stack_name = ?').run(stack);
  }

  /** The stack and everything recorded of it, once it is deleted (its events go too: the name may be reused). */
  drop(name: string): void {
    this.db.transaction(() => {
      for (const t of ['stack_resources', 'stack_journal', 'stack_events']) this.db.prepare(`DELETE FROM ${t} WHERE stack_name = ?`).run(name);
      if (this.db.prepare('DELETE FROM stacks WHERE name = ?').run(name).changes > 0) this.log.append({ kind: 'stack', name, status: 'DELETE_COMPLETE', removed: true });
    }).immediate();
  }

  /** Every route of every stack (what the local API Gateway serves). */
  routes(): GatewayRoute[] {
    return (this.db.prepare('SELECT routes FROM stacks ORDER BY name').all() as { routes: string }[]).flatMap((r) => JSON.parse(r.routes) as GatewayRoute[]);
  }
}

function toRecord(row: StackRow): StackRecord {
  const r: StackRecord = {
    name: row.name, stackId: row.stack_id, status: row.status as StackStatus, templateBody: row.template_body, templateDigest: row.template_digest,
    parameters: JSON.parse(row.parameters) as ResolvedParameter[], outputs: JSON.parse(row.outputs) as StackOutput[],
    routes: JSON.parse(row.routes) as GatewayRoute[], createdAt: row.created_at, updatedAt: row.updated_at,
  };
  if (row.status_reason !== null) r.statusReason = row.status_reason;
  if (row.description !== null) r.description = row.description;
  if (row.owner_pid !== null) r.ownerPid = row.owner_pid;
  if (row.operation !== null) r.operation = JSON.parse(row.operation) as StackOperation;
  return r;
}
