// The execution store: executions, stage and action executions in SQLite, written from RunEvents, read by the
// CLI and the dashboard. It also marks executions whose process died (SIGKILL) as Failed.
import { hostname } from 'node:os';
import type { Db } from '../infra/sqlite.js';
import { migrate } from '../infra/sqlite.js';
import type { ActionStatus, ArtifactRef, ExecutionStatus, RunEvent, StageStatus } from '../core/index.js';
import type { SecretCipher } from '../secrets/index.js';
import { STATE_MIGRATIONS } from './store-migrations.js';

export interface ExecutionSummary {
  executionId: string;
  pipeline: string;
  pipelineFile: string;
  fileDigest: string;
  status: ExecutionStatus;
  statusMessage?: string;
  trigger: { triggerType: string; triggerDetail: string };
  startTime: string;
  endTime?: string;
  variables: Record<string, string>;
}

export interface StageExecutionRecord {
  stage: string;
  status: StageStatus;
  startTime: string;
  endTime?: string;
}

export interface ActionExecutionRecord {
  stage: string;
  action: string;
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
  stages: StageExecutionRecord[];
  actions: ActionExecutionRecord[];
}

type Row = Record<string, unknown>;

const json = (v: unknown) => JSON.stringify(v ?? null);
const parse = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? ((JSON.parse(v) as T | null) ?? fallback) : fallback);
const opt = <K extends string>(key: K, v: unknown): Partial<Record<K, string>> =>
  typeof v === 'string' && v !== '' ? ({ [key]: v } as Record<K, string>) : {};

export class ExecutionStore {
  constructor(private readonly db: Db) {
    migrate(db, 'state', STATE_MIGRATIONS);
  }

  /** Records one event. Called for every event of a run, from the bus. */
  record(e: RunEvent): void {
    switch (e.type) {
      case 'execution':
        if (e.start) {
          this.db
            .prepare(
              `INSERT INTO executions (id, pipeline, pipeline_file, file_digest, status, trigger_type, trigger_detail,
               owner_pid, owner_host, start_time, variables_json) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
            )
            .run(e.executionId, e.pipeline, e.start.file, e.start.digest, e.status, e.start.trigger.triggerType,
              e.start.trigger.triggerDetail, process.pid, hostname(), e.time, json(e.start.variables));
        } else {
          const ended = e.status === 'Stopping' ? null : e.time;
          this.db
            .prepare('UPDATE executions SET status = ?, status_message = COALESCE(?, status_message), end_time = ? WHERE id = ?')
            .run(e.status, e.message ?? null, ended, e.executionId);
        }
        return;
      case 'stage':
        this.db
          .prepare(
            `INSERT INTO stage_executions (execution_id, stage, status, start_time) VALUES (?,?,?,?)
             ON CONFLICT (execution_id, stage) DO UPDATE SET status = excluded.status,
             end_time = CASE WHEN excluded.status IN ('InProgress','Stopping') THEN NULL ELSE ? END`,
          )
          .run(e.executionId, e.stage, e.status, e.time, e.time);
        return;
      case 'action': {
        const d = e.details ?? {};
        const terminal = e.status !== 'InProgress';
        this.db
          .prepare(
            `INSERT INTO action_executions (execution_id, stage, action, action_type, run_order, status, status_message,
               start_time, configuration_json, input_artifacts_json, output_artifacts_json, output_variables_json,
               external_id, extra_json, sealed_variables_json)
             VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
             ON CONFLICT (execution_id, stage, action) DO UPDATE SET
               status = excluded.status,
               status_message = COALESCE(excluded.status_message, status_message),
               end_time = ?,
               output_artifacts_json = COALESCE(?, output_artifacts_json),
               output_variables_json = COALESCE(?, output_variables_json),
               external_id = COALESCE(excluded.external_id, external_id),
               extra_json = COALESCE(?, extra_json),
               sealed_variables_json = COALESCE(?, sealed_variables_json)`,
          )
          .run(e.executionId, e.stage, e.action, d.actionType ?? '', d.runOrder ?? 1, e.status, e.message ?? null, e.time,
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

  setLogPath(executionId: string, stage: string, action: string, logPath: string): void {
    this.db
      .prepare('UPDATE action_executions SET log_path = ? WHERE execution_id = ? AND stage = ? AND action = ?')
      .run(logPath, executionId, stage, action);
  }

  /** Marks as Failed every execution left InProgress or Stopping by a process that no longer runs. */
  recoverInterrupted(isAlive: (pid: number) => boolean = isProcessAlive): string[] {
    const host = hostname();
    const stale = (this.db
      .prepare(`SELECT id, owner_pid, owner_host FROM executions WHERE status IN ('InProgress','Stopping')`)
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

  listExecutions(options: { pipeline?: string; limit?: number } = {}): ExecutionSummary[] {
    const rows = (options.pipeline
      ? this.db.prepare('SELECT * FROM executions WHERE pipeline = ? ORDER BY start_time DESC LIMIT ?').all(options.pipeline, options.limit ?? 50)
      : this.db.prepare('SELECT * FROM executions ORDER BY start_time DESC LIMIT ?').all(options.limit ?? 50)) as Row[];
    return rows.map(toSummary);
  }

  /** An execution by id or unique id prefix. */
  getExecution(idOrPrefix: string): ExecutionDetail | undefined {
    const rows = this.db.prepare('SELECT * FROM executions WHERE id LIKE ? ORDER BY start_time DESC LIMIT 2').all(`${idOrPrefix}%`) as Row[];
    const row = rows.length === 1 || rows[0]?.['id'] === idOrPrefix ? rows[0] : undefined;
    if (!row) return undefined;
    const id = String(row['id']);
    const stages = (this.db.prepare('SELECT * FROM stage_executions WHERE execution_id = ? ORDER BY start_time, rowid').all(id) as Row[]).map(
      (r): StageExecutionRecord => ({
        stage: String(r['stage']),
        status: r['status'] as StageStatus,
        startTime: String(r['start_time']),
        ...opt('endTime', r['end_time']),
      }),
    );
    const actions = (this.db.prepare('SELECT * FROM action_executions WHERE execution_id = ? ORDER BY start_time, rowid').all(id) as Row[]).map(toAction);
    return { ...toSummary(row), stages, actions };
  }

  /**
   * An action execution's output variables as a later action needs them: those that carry a secret, stored sealed
   * (and shown as *** everywhere), opened with PIPE_HOME's key; undefined when there is no such action execution.
   */
  outputVariablesOf(executionId: string, stage: string, action: string, cipher: SecretCipher): Record<string, string> | undefined {
    const row = this.db
      .prepare('SELECT output_variables_json, sealed_variables_json FROM action_executions WHERE execution_id = ? AND stage = ? AND action = ?')
      .get(executionId, stage, action) as Row | undefined;
    if (!row) return undefined;
    const sealed = parse<Record<string, string>>(row['sealed_variables_json'], {});
    const opened = Object.entries(sealed).map(([k, v]) => [k, cipher.open(v, sealedVariableContext(executionId, stage, action, k))]);
    return { ...parse<Record<string, string>>(row['output_variables_json'], {}), ...Object.fromEntries(opened) };
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

function toSummary(r: Row): ExecutionSummary {
  return {
    executionId: String(r['id']),
    pipeline: String(r['pipeline']),
    pipelineFile: String(r['pipeline_file']),
    fileDigest: String(r['file_digest']),
    status: r['status'] as ExecutionStatus,
    ...opt('statusMessage', r['status_message']),
    trigger: { triggerType: String(r['trigger_type']), triggerDetail: String(r['trigger_detail']) },
    startTime: String(r['start_time']),
    ...opt('endTime', r['end_time']),
    variables: parse(r['variables_json'], {}),
  };
}

function toAction(r: Row): ActionExecutionRecord {
  return {
    stage: String(r['stage']),
    action: String(r['action']),
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

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
