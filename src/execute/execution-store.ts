// The execution store: executions, stage and action executions in SQLite, written from RunEvents, read by the
// CLI and the dashboard. It also marks executions whose process died (SIGKILL) as Failed.
import { hostname } from 'node:os';
import type { Db } from '../infra/index.js';
import { migrate } from '../infra/index.js';
import { isProcessAlive } from '../infra/index.js';
import type { GitHookTrigger, SourceRevision } from '../core/index.js';
import type { ActionStatus, ApprovalStatus, ArtifactRef, ExecutionMode, ExecutionStatus, ExecutionType, RunEvent, StageStatus } from '../core/index.js';
import type { SecretCipher } from '../secrets/index.js';
import { STATE_MIGRATIONS } from './store-migrations.js';

export interface ExecutionSummary {
  executionId: string;
  pipeline: string;
  pipelineFile: string;
  fileDigest: string;
  status: ExecutionStatus;
  statusMessage?: string;
  trigger: { triggerType: string; triggerDetail: string; gitHook?: GitHookTrigger; sourceRevisions?: SourceRevision[] };
  startTime: string;
  endTime?: string;
  variables: Record<string, string>;
  executionMode: ExecutionMode;
  executionType: ExecutionType;
  /** For a rollback: the execution whose artifacts and variables it ran the stage with. */
  rollbackTarget?: string;
}

export interface StageExecutionRecord {
  stage: string;
  status: StageStatus;
  attempt: number;
  retryTrigger?: string;
  startTime: string;
  endTime?: string;
}

export interface ActionExecutionRecord {
  stage: string;
  action: string;
  /** The attempt of its stage this action execution belongs to. */
  attempt: number;
  actionType: string;
  runOrder: number;
  status: ActionStatus;
  statusMessage?: string;
  startTime: string;
  endTime?: string;
  configuration: Record<string, unknown>;
  inputArtifacts: ArtifactRef[];
  outputArtifacts: ArtifactRef[];
  outputVariables: Record<string, string>;
  externalExecutionId?: string;
  logPath?: string;
  extra: Record<string, unknown>;
}

export interface ExecutionDetail extends ExecutionSummary {
  /** Each stage's latest attempt, in the order they ran. */
  stages: StageExecutionRecord[];
  /** Each action's execution in its stage's latest attempt. */
  actions: ActionExecutionRecord[];
  /** Every attempt of every action, oldest first (more than `actions` once a stage was retried). */
  actionAttempts: ActionExecutionRecord[];
  /** Manual approvals: waiting, or how and when they were answered. */
  approvals: ApprovalRecord[];
  /** The stage this execution waits in front of (locked by another execution, or its transition disabled). */
  waitingFor?: { stage: string; since: string; reason: string };
}

/** What an execution runs: a pipeline (`pipe run`), or one build of a directory (`pipe build`), listed apart. */
export type ExecutionKind = 'pipeline' | 'build';

/** What an execution's owner is asked to do: stop and wait, stop and abandon, or give way (superseded). */
export type StopRequest = 'wait' | 'abandon' | 'superseded';

export interface RunState {
  summary: ExecutionSummary;
  plan: unknown;
  sources: unknown;
  artifactRoot: string;
  stopRequest?: StopRequest;
  stopReason?: string;
}

export interface ApprovalRecord {
  stage: string;
  action: string;
  attempt: number;
  status: ApprovalStatus;
  summary?: string;
  customData?: string;
  externalEntityLink?: string;
  requestedAt: string;
  expiresAt: string;
  respondedAt?: string;
}

type Row = Record<string, unknown>;

const json = (v: unknown) => JSON.stringify(v ?? null);
const parse = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? ((JSON.parse(v) as T | null) ?? fallback) : fallback);
const opt = <K extends string>(key: K, v: unknown): Partial<Record<K, string>> =>
  typeof v === 'string' && v !== '' ? ({ [key]: v } as Record<K, string>) : {};

export class ExecutionStore {
  /** Built once (after the migrations): better-sqlite3 makes a new wrapper per call of db.transaction. */
  private readonly recordTx: (events: readonly RunEvent[]) => void;
  /** Log lines recordBatched holds until the end of the current task or the next other event. */
  private pendingLogs: RunEvent[] = [];

  constructor(readonly db: Db) {
    migrate(db, 'state', STATE_MIGRATIONS);
    const appendEvent = db.prepare('INSERT INTO events (execution_id, body) VALUES (?, ?)');
    // IMMEDIATE: applying an event reads rows before it writes, and a deferred transaction that read and then wrote
    // after another process's commit would fail at once with "database is locked" instead of waiting its turn.
    const recordTx = db.transaction((events: readonly RunEvent[]) => {
      for (const ev of events) {
        this.applyToState(ev);
        appendEvent.run(ev.executionId, JSON.stringify(ev));
      }
    });
    this.recordTx = (events) => recordTx.immediate(events);
  }

  /** Records one event: the state tables, and the append-only event log every other process reads. */
  record(e: RunEvent): void {
    this.recordTx([e]);
  }

  /**
   * Records events as record does, a burst of log lines (a build's output chunk) in one transaction: a log line is
   * written at the end of the current task (a microtask), or with the next event of another type, whichever comes
   * first, so the log keeps the order of emission and the state tables are written when the event comes (log lines
   * change no state). One transaction costs about three log lines' worth of separate ones. The engine records so;
   * flushLogs writes what is pending (the engine's close calls it).
   */
  recordBatched(e: RunEvent): void {
    if (e.type === 'log') {
      this.pendingLogs.push(e);
      if (this.pendingLogs.length === 1) queueMicrotask(() => this.flushLogs());
      return;
    }
    this.recordTx([...this.pendingLogs.splice(0), e]);
  }

  /** Writes the log lines recordBatched holds; a closed database (its owner is done with it) takes nothing more. */
  flushLogs(): void {
    if (this.pendingLogs.length === 0 || !this.db.open) return;
    const events = this.pendingLogs.splice(0);
    try {
      this.recordTx(events);
    } catch {
      // As a failed record is for the event bus: the run goes on without those lines in the log.
    }
  }

  private applyToState(e: RunEvent): void {
    switch (e.type) {
      case 'execution':
        if (e.start) {
          this.db
            .prepare(
              `INSERT INTO executions (id, pipeline, pipeline_file, file_digest, status, trigger_type, trigger_detail,
               owner_pid, owner_host, start_time, variables_json, execution_mode, execution_type, rollback_target, trigger_json)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT (id) DO UPDATE SET status = excluded.status, end_time = NULL`,
            )
            .run(e.executionId, e.pipeline, e.start.file, e.start.digest, e.status, e.start.trigger.triggerType,
              e.start.trigger.triggerDetail, process.pid, hostname(), e.time, json(e.start.variables),
              e.start.executionMode ?? 'SUPERSEDED', e.start.executionType ?? 'STANDARD', e.start.rollbackTarget ?? null, triggerFacts(e.start.trigger));
        } else {
          const ended = e.status === 'Stopping' || e.status === 'InProgress' ? null : e.time;
          this.db
            .prepare('UPDATE executions SET status = ?, status_message = COALESCE(?, status_message), end_time = ? WHERE id = ?')
            .run(e.status, e.message ?? null, ended, e.executionId);
        }
        return;
      case 'stage': {
        const attempt = e.attempt ?? 1;
        this.db
          .prepare(
            `INSERT INTO stage_executions (execution_id, stage, attempt, status, start_time, retry_trigger) VALUES (?,?,?,?,?,?)
             ON CONFLICT (execution_id, stage, attempt) DO UPDATE SET status = excluded.status,
             end_time = CASE WHEN excluded.status IN ('InProgress','Stopping') THEN NULL ELSE ? END`,
          )
          .run(e.executionId, e.stage, attempt, e.status, e.time, e.retryTrigger ?? null, e.time);
        return;
      }
      case 'action': {
        const d = e.details ?? {};
        const terminal = e.status !== 'InProgress';
        this.db
          .prepare(
            `INSERT INTO action_executions (execution_id, stage, action, attempt, action_type, run_order, status, status_message,
               start_time, configuration_json, input_artifacts_json, output_artifacts_json, output_variables_json,
               external_id, extra_json, sealed_variables_json)
             VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
             ON CONFLICT (execution_id, stage, action, attempt) DO UPDATE SET
               status = excluded.status,
               status_message = COALESCE(excluded.status_message, status_message),
               end_time = ?,
               output_artifacts_json = COALESCE(?, output_artifacts_json),
               output_variables_json = COALESCE(?, output_variables_json),
               external_id = COALESCE(excluded.external_id, external_id),
               extra_json = COALESCE(?, extra_json),
               sealed_variables_json = COALESCE(?, sealed_variables_json)`,
          )
          .run(e.executionId, e.stage, e.action, e.attempt ?? 1, d.actionType ?? '', d.runOrder ?? 1, e.status, e.message ?? null, e.time,
            json(d.configuration ?? {}), json(d.inputArtifacts ?? []), json(d.outputArtifacts ?? []),
            json(d.outputVariables ?? {}), d.externalExecutionId ?? null, json(d.extra ?? {}), json(d.sealedOutputVariables ?? {}),
            terminal ? e.time : null,
            d.outputArtifacts ? json(d.outputArtifacts) : null,
            d.outputVariables ? json(d.outputVariables) : null,
            d.extra ? json(d.extra) : null,
            d.sealedOutputVariables ? json(d.sealedOutputVariables) : null);
        return;
      }
      case 'phase':
      case 'log':
      case 'warning':
      case 'artifact':
      case 'variables':
        return;
    }
  }

  /** Events of the log after `afterSeq`, oldest first: of one execution, or of all. */
  eventsAfter(afterSeq: number, executionId?: string, limit = 1000): { seq: number; event: RunEvent }[] {
    const rows = (executionId
      ? this.db.prepare('SELECT seq, body FROM events WHERE execution_id = ? AND seq > ? ORDER BY seq LIMIT ?').all(executionId, afterSeq, limit)
      : this.db.prepare('SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit)) as Row[];
    return rows.map((r) => ({ seq: Number(r['seq']), event: JSON.parse(String(r['body'])) as RunEvent }));
  }

  setLogPath(executionId: string, stage: string, action: string, logPath: string): void {
    this.db
      .prepare(
        `UPDATE action_executions SET log_path = ? WHERE execution_id = ? AND stage = ? AND action = ?
         AND attempt = (SELECT MAX(attempt) FROM action_executions WHERE execution_id = ? AND stage = ? AND action = ?)`,
      )
      .run(logPath, executionId, stage, action, executionId, stage, action);
  }

  /**
   * Marks as Failed every execution an older pipe (one that kept no plan and no lease) left InProgress or Stopping
   * in a process that no longer runs; executions of this engine are recovered by lease (recovery.ts).
   */
  recoverInterrupted(isAlive: (pid: number) => boolean = isProcessAlive): string[] {
    const host = hostname();
    const stale = (this.db
      .prepare(`SELECT id, owner_pid, owner_host FROM executions WHERE status IN ('InProgress','Stopping') AND plan_json IS NULL`)
      .all() as Row[]).filter((r) => r['owner_host'] !== host || !isAlive(Number(r['owner_pid'])));
    const time = new Date().toISOString();
    const tx = this.db.transaction((ids: string[]) => {
      for (const id of ids) {
        const msg = 'interrupted: the process running this execution ended without finishing it';
        this.db.prepare(`UPDATE executions SET status = 'Failed', status_message = ?, end_time = ? WHERE id = ?`).run(msg, time, id);
        this.db.prepare(`UPDATE stage_executions SET status = 'Failed', end_time = ? WHERE execution_id = ? AND status IN ('InProgress','Stopping')`).run(time, id);
        this.db.prepare(`UPDATE action_executions SET status = 'Failed', status_message = ?, end_time = ? WHERE execution_id = ? AND status = 'InProgress'`).run(msg, time, id);
      }
    });
    const ids = stale.filter((r) => r['owner_host'] === host).map((r) => String(r['id']));
    tx(ids);
    return ids;
  }

  /**
   * Executions of one kind (pipelines by default), newest first: of one pipeline, with one status, started by one
   * kind of trigger (each optional).
   */
  listExecutions(options: { pipeline?: string; status?: string; triggerType?: string; limit?: number; kind?: ExecutionKind } = {}): ExecutionSummary[] {
    const where: string[] = ['kind = ?'];
    const args: unknown[] = [options.kind ?? 'pipeline'];
    if (options.pipeline !== undefined) (where.push('pipeline = ?'), args.push(options.pipeline));
    if (options.status !== undefined) (where.push('status = ?'), args.push(options.status));
    if (options.triggerType !== undefined) (where.push('trigger_type = ?'), args.push(options.triggerType));
    const sql = `SELECT * FROM executions WHERE ${where.join(' AND ')} ORDER BY start_time DESC, rowid DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, options.limit ?? 50) as Row[]).map(toSummary);
  }

  /** Every pipeline that ran here, with the file of its latest execution. */
  pipelines(): { pipeline: string; pipelineFile: string; lastStart: string }[] {
    const rows = this.db
      .prepare("SELECT e.pipeline, e.pipeline_file, e.start_time FROM executions e JOIN (SELECT pipeline, MAX(start_time) AS t FROM executions WHERE kind = 'pipeline' GROUP BY pipeline) m ON m.pipeline = e.pipeline AND m.t = e.start_time WHERE e.kind = 'pipeline' ORDER BY e.pipeline")
      .all() as Row[];
    return rows.map((r) => ({ pipeline: String(r['pipeline']), pipelineFile: String(r['pipeline_file']), lastStart: String(r['start_time']) }));
  }

  /** The newest sequence number of the event log (0 when empty): a follower that starts from now starts after it. */
  lastSeq(): number {
    const row = this.db.prepare('SELECT MAX(seq) AS seq FROM events').get() as { seq: number | null };
    return row.seq ?? 0;
  }

  /** Executions waiting to enter a stage of the pipeline, first in line first. */
  stageWaits(pipeline: string): { executionId: string; stage: string; since: string }[] {
    const rows = this.db.prepare('SELECT execution_id, stage, since FROM stage_waits WHERE pipeline = ? ORDER BY arrival').all(pipeline) as Row[];
    return rows.map((r) => ({ executionId: String(r['execution_id']), stage: String(r['stage']), since: String(r['since']) }));
  }

  /** How many approvals wait for an answer in the pipeline's executions in progress. */
  waitingApprovalCount(pipeline: string): number {
    const row = this.db
      .prepare(`SELECT COUNT(*) AS n FROM approvals a JOIN executions e ON e.id = a.execution_id WHERE e.pipeline = ? AND a.status = 'Waiting' AND e.status IN ('InProgress','Stopping')`)
      .get(pipeline) as { n: number };
    return row.n;
  }

  /** The output variables of the actions of these executions that output a `CommitId` (source actions), in one query. */
  sourceOutputs(executionIds: readonly string[]): { executionId: string; outputVariables: Record<string, string> }[] {
    if (executionIds.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT execution_id, output_variables_json FROM action_executions WHERE execution_id IN (SELECT value FROM json_each(?)) AND output_variables_json LIKE '%"CommitId"%' ORDER BY start_time, rowid`)
      .all(JSON.stringify(executionIds)) as Row[];
    return rows.map((r) => ({ executionId: String(r['execution_id']), outputVariables: parse<Record<string, string>>(r['output_variables_json'], {}) }));
  }

  /** Ids of executions of this kind that start with `prefix` (at most `limit`, to tell a unique prefix). */
  idsWithPrefix(prefix: string, kind: ExecutionKind, limit = 2): string[] {
    const like = `${prefix.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    const rows = this.db.prepare("SELECT id FROM executions WHERE kind = ? AND id LIKE ? ESCAPE '\\' LIMIT ?").all(kind, like, limit) as Row[];
    return rows.map((r) => String(r['id']));
  }

  kindOf(executionId: string): ExecutionKind | undefined {
    const r = this.db.prepare('SELECT kind FROM executions WHERE id = ?').get(executionId) as Row | undefined;
    return r ? (r['kind'] as ExecutionKind) : undefined;
  }

  /** An execution by id or unique id prefix. */
  getExecution(idOrPrefix: string): ExecutionDetail | undefined {
    const rows = this.db.prepare('SELECT * FROM executions WHERE id LIKE ? ORDER BY start_time DESC LIMIT 2').all(`${idOrPrefix}%`) as Row[];
    const row = rows.length === 1 || rows[0]?.['id'] === idOrPrefix ? rows[0] : undefined;
    if (!row) return undefined;
    const id = String(row['id']);
    const stageRows = (this.db.prepare('SELECT * FROM stage_executions WHERE execution_id = ? ORDER BY start_time, rowid').all(id) as Row[]).map(
      (r): StageExecutionRecord => ({
        stage: String(r['stage']),
        status: r['status'] as StageStatus,
        attempt: Number(r['attempt']),
        ...opt('retryTrigger', r['retry_trigger']),
        startTime: String(r['start_time']),
        ...opt('endTime', r['end_time']),
      }),
    );
    const latestAttempt = new Map<string, number>();
    for (const st of stageRows) latestAttempt.set(st.stage, Math.max(latestAttempt.get(st.stage) ?? 0, st.attempt));
    const stages = stageRows.filter((st) => st.attempt === latestAttempt.get(st.stage));
    const actionAttempts = (this.db.prepare('SELECT * FROM action_executions WHERE execution_id = ? ORDER BY attempt, start_time, rowid').all(id) as Row[]).map(toAction);
    const actions = actionAttempts.filter((a) => a.attempt === (latestAttempt.get(a.stage) ?? a.attempt));
    const approvals = (this.db.prepare('SELECT * FROM approvals WHERE execution_id = ? ORDER BY requested_at').all(id) as Row[]).map(toApproval);
    const wait = this.db.prepare('SELECT w.stage, w.since, l.execution_id AS holder, t.reason FROM stage_waits w LEFT JOIN stage_locks l ON l.pipeline = w.pipeline AND l.stage = w.stage LEFT JOIN transitions t ON t.pipeline = w.pipeline AND t.stage = w.stage WHERE w.execution_id = ?').get(id) as Row | undefined;
    const waitingFor = wait
      ? {
          stage: String(wait['stage']),
          since: String(wait['since']),
          reason: wait['reason'] != null ? `the transition into ${String(wait['stage'])} is disabled: ${String(wait['reason'])}` : wait['holder'] != null ? `stage ${String(wait['stage'])} is locked by execution ${String(wait['holder'])}` : `executions ahead of it enter ${String(wait['stage'])} first`,
        }
      : undefined;
    return { ...toSummary(row), stages, actions, actionAttempts, approvals, ...(waitingFor ? { waitingFor } : {}) };
  }

  /**
   * An action execution's output variables as a later action needs them: those that carry a secret, stored sealed
   * (and shown as *** everywhere), opened with PIPE_HOME's key; undefined when there is no such action execution.
   */
  outputVariablesOf(executionId: string, stage: string, action: string, cipher: SecretCipher): Record<string, string> | undefined {
    const row = this.db
      .prepare('SELECT output_variables_json, sealed_variables_json FROM action_executions WHERE execution_id = ? AND stage = ? AND action = ? ORDER BY attempt DESC LIMIT 1')
      .get(executionId, stage, action) as Row | undefined;
    if (!row) return undefined;
    const sealed = parse<Record<string, string>>(row['sealed_variables_json'], {});
    const opened = Object.entries(sealed).map(([k, v]) => [k, cipher.open(v, sealedVariableContext(executionId, stage, action, k))]);
    return { ...parse<Record<string, string>>(row['output_variables_json'], {}), ...Object.fromEntries(opened) };
  }

  /** What a process needs to continue an execution: its plan, resolved sources and artifact root, kept at its start. */
  attachRunState(executionId: string, state: { plan: unknown; sources: unknown; artifactRoot: string; kind?: ExecutionKind }): void {
    this.db
      .prepare('UPDATE executions SET plan_json = ?, sources_json = ?, artifact_root = ?, kind = ? WHERE id = ?')
      .run(JSON.stringify(state.plan), JSON.stringify(state.sources ?? {}), state.artifactRoot, state.kind ?? 'pipeline', executionId);
  }

  runState(executionId: string): RunState | undefined {
    const r = this.db.prepare('SELECT * FROM executions WHERE id = ?').get(executionId) as Row | undefined;
    if (!r || typeof r['plan_json'] !== 'string') return undefined;
    return {
      summary: toSummary(r),
      plan: JSON.parse(r['plan_json']) as unknown,
      sources: parse(r['sources_json'], {}),
      artifactRoot: String(r['artifact_root'] ?? ''),
      ...(typeof r['stop_request'] === 'string' ? { stopRequest: r['stop_request'] as StopRequest } : {}),
      ...opt('stopReason', r['stop_reason']),
    };
  }

  /** Asks the execution's owner to stop (it polls this), or marks a waiting execution superseded; a superseded one stays so. */
  requestStop(executionId: string, request: StopRequest, reason?: string): void {
    this.db
      .prepare("UPDATE executions SET stop_request = ?, stop_reason = COALESCE(?, stop_reason) WHERE id = ? AND COALESCE(stop_request, '') != 'superseded'")
      .run(request, reason ?? null, executionId);
  }

  stopRequestOf(executionId: string): { request?: StopRequest; reason?: string } {
    const r = this.db.prepare('SELECT stop_request, stop_reason FROM executions WHERE id = ?').get(executionId) as Row | undefined;
    return {
      ...(typeof r?.['stop_request'] === 'string' ? { request: r['stop_request'] as StopRequest } : {}),
      ...opt('reason', r?.['stop_reason']),
    };
  }

  clearStopRequest(executionId: string): void {
    this.db.prepare('UPDATE executions SET stop_request = NULL, stop_reason = NULL WHERE id = ?').run(executionId);
  }

  /** A stage's latest attempt in an execution, if it ran. */
  latestStageAttempt(executionId: string, stage: string): { attempt: number; status: StageStatus } | undefined {
    const r = this.db
      .prepare('SELECT attempt, status FROM stage_executions WHERE execution_id = ? AND stage = ? ORDER BY attempt DESC LIMIT 1')
      .get(executionId, stage) as Row | undefined;
    return r ? { attempt: Number(r['attempt']), status: r['status'] as StageStatus } : undefined;
  }

  /** The status of each action execution of one stage attempt. */
  actionStatuses(executionId: string, stage: string, attempt: number): Map<string, ActionStatus> {
    const rows = this.db.prepare('SELECT action, status FROM action_executions WHERE execution_id = ? AND stage = ? AND attempt = ?').all(executionId, stage, attempt) as Row[];
    return new Map(rows.map((r) => [String(r['action']), r['status'] as ActionStatus]));
  }

  /** Every action that succeeded in its stage's latest attempt, with its output artifacts and variables (sealed ones opened). */
  succeededActions(executionId: string, cipher: SecretCipher | undefined): { stage: string; action: string; outputArtifacts: ArtifactRef[]; outputVariables: Record<string, string>; sealedNames: string[] }[] {
    const rows = this.db
      .prepare(
        `SELECT a.* FROM action_executions a
         WHERE a.execution_id = ? AND a.status = 'Succeeded'
           AND a.attempt = (SELECT MAX(s.attempt) FROM stage_executions s WHERE s.execution_id = a.execution_id AND s.stage = a.stage)`,
      )
      .all(executionId) as Row[];
    return rows.map((r) => {
      const stage = String(r['stage']);
      const action = String(r['action']);
      const sealed = parse<Record<string, string>>(r['sealed_variables_json'], {});
      const opened = cipher ? Object.fromEntries(Object.entries(sealed).map(([k, v]) => [k, cipher.open(v, sealedVariableContext(executionId, stage, action, k))])) : {};
      return {
        stage,
        action,
        outputArtifacts: parse<ArtifactRef[]>(r['output_artifacts_json'], []),
        outputVariables: { ...parse<Record<string, string>>(r['output_variables_json'], {}), ...opened },
        sealedNames: Object.keys(opened),
      };
    });
  }

  /** Copies action executions of one attempt into the next (a retry of failed actions keeps those that succeeded). */
  carryActions(executionId: string, stage: string, fromAttempt: number, toAttempt: number, actions: readonly string[]): void {
    const copy = this.db.prepare(
      `INSERT INTO action_executions (execution_id, stage, action, attempt, action_type, run_order, status, status_message, start_time,
         end_time, configuration_json, input_artifacts_json, output_artifacts_json, output_variables_json, external_id, log_path,
         extra_json, sealed_variables_json)
       SELECT execution_id, stage, action, ?, action_type, run_order, status, status_message, start_time, end_time,
         configuration_json, input_artifacts_json, output_artifacts_json, output_variables_json, external_id, log_path,
         extra_json, sealed_variables_json
       FROM action_executions WHERE execution_id = ? AND stage = ? AND action = ? AND attempt = ?`,
    );
    for (const a of actions) copy.run(toAttempt, executionId, stage, a, fromAttempt);
  }

  /** Executions of a pipeline newer than `executionId` that ran `stage` (a retry of it is then refused). */
  newerInStage(pipeline: string, executionId: string, stage: string): string[] {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT e.id FROM executions e JOIN stage_executions s ON s.execution_id = e.id
         WHERE e.pipeline = ? AND e.kind = 'pipeline' AND s.stage = ? AND e.id != ?
           AND e.start_time > (SELECT start_time FROM executions WHERE id = ?)`,
      )
      .all(pipeline, stage, executionId, executionId) as Row[];
    return rows.map((r) => String(r['id']));
  }

  /** Executions of a pipeline, newest first, whose latest attempt of `stage` succeeded (rollback targets). */
  succeededInStage(pipeline: string, stage: string): { executionId: string; executionType: ExecutionType }[] {
    const rows = this.db
      .prepare(
        `SELECT e.id, e.execution_type FROM executions e JOIN stage_executions s ON s.execution_id = e.id
         WHERE e.pipeline = ? AND e.kind = 'pipeline' AND s.stage = ? AND s.status = 'Succeeded'
           AND s.attempt = (SELECT MAX(attempt) FROM stage_executions WHERE execution_id = e.id AND stage = s.stage)
         ORDER BY e.start_time DESC`,
      )
      .all(pipeline, stage) as Row[];
    return rows.map((r) => ({ executionId: String(r['id']), executionType: (r['execution_type'] ?? 'STANDARD') as ExecutionType }));
  }

  /** How many ids start with this prefix (for "ambiguous id" messages). */
  countPrefix(prefix: string): number {
    return Number((this.db.prepare('SELECT COUNT(*) AS n FROM executions WHERE id LIKE ?').get(`${prefix}%`) as Row)['n']);
  }

  /** The next CodeBuild build number of a project (1, 2, ...). */
  nextBuildNumber(project: string): number {
    const row = this.db
      .prepare(
        `INSERT INTO build_counters (project, last_number) VALUES (?, 1)
         ON CONFLICT (project) DO UPDATE SET last_number = last_number + 1 RETURNING last_number`,
      )
      .get(project) as Row;
    return Number(row['last_number']);
  }
}

/** The trigger's facts beyond its type and detail, as JSON; null when there are none. */
function triggerFacts(t: { gitHook?: GitHookTrigger; sourceRevisions?: SourceRevision[] }): string | null {
  const facts = { ...(t.gitHook ? { gitHook: t.gitHook } : {}), ...(t.sourceRevisions ? { sourceRevisions: t.sourceRevisions } : {}) };
  return Object.keys(facts).length > 0 ? JSON.stringify(facts) : null;
}

function toSummary(r: Row): ExecutionSummary {
  return {
    executionId: String(r['id']),
    pipeline: String(r['pipeline']),
    pipelineFile: String(r['pipeline_file']),
    fileDigest: String(r['file_digest']),
    status: r['status'] as ExecutionStatus,
    ...opt('statusMessage', r['status_message']),
    trigger: { triggerType: String(r['trigger_type']), triggerDetail: String(r['trigger_detail']), ...parse<object>(r['trigger_json'], {}) },
    startTime: String(r['start_time']),
    ...opt('endTime', r['end_time']),
    variables: parse(r['variables_json'], {}),
    executionMode: (r['execution_mode'] ?? 'SUPERSEDED') as ExecutionMode,
    executionType: (r['execution_type'] ?? 'STANDARD') as ExecutionType,
    ...opt('rollbackTarget', r['rollback_target']),
  };
}

function toApproval(r: Row): ApprovalRecord {
  return {
    stage: String(r['stage']),
    action: String(r['action']),
    attempt: Number(r['attempt']),
    status: r['status'] as ApprovalStatus,
    ...opt('summary', r['summary']),
    ...opt('customData', r['custom_data']),
    ...opt('externalEntityLink', r['external_link']),
    requestedAt: String(r['requested_at']),
    expiresAt: String(r['expires_at']),
    ...opt('respondedAt', r['responded_at']),
  };
}

function toAction(r: Row): ActionExecutionRecord {
  return {
    stage: String(r['stage']),
    action: String(r['action']),
    attempt: Number(r['attempt'] ?? 1),
    actionType: String(r['action_type']),
    runOrder: Number(r['run_order']),
    status: r['status'] as ActionStatus,
    ...opt('statusMessage', r['status_message']),
    startTime: String(r['start_time']),
    ...opt('endTime', r['end_time']),
    configuration: parse(r['configuration_json'], {}),
    inputArtifacts: parse(r['input_artifacts_json'], []),
    outputArtifacts: parse(r['output_artifacts_json'], []),
    outputVariables: parse(r['output_variables_json'], {}),
    ...opt('externalExecutionId', r['external_id']),
    ...opt('logPath', r['log_path']),
    extra: parse(r['extra_json'], {}),
  };
}

/** What a sealed output variable is bound to: it opens only as that variable of that action execution. */
export function sealedVariableContext(executionId: string, stage: string, action: string, name: string): string {
  return `variable ${executionId} ${stage}.${action} ${name}`;
}
