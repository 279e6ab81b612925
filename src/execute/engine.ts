// The engine: executions live in the store, so any pipe process can start one, continue one (after an approval, a
// retry, a dead owner), stop one, or follow its events. One bus per engine: the store (state tables and the
// append-only event log) and the log files subscribe first, renderers after.
import { PipeError, RunEventBus, now } from '../core/index.js';
import type { ActionCategory, ExecutionPlan, ExecutionTrigger, ExecutionType, RunEvent, RunEventListener } from '../core/index.js';
import type { SecretCipher } from '../secrets/index.js';
import type { ActionExecutor } from './action-executor.js';
import { ExecutionDriver } from './execution-driver.js';
import type { DriveResult } from './execution-driver.js';
import type { ExecutionKind, ExecutionStore } from './execution-store.js';
import { LeaseStore, newOwner } from './lease.js';
import type { Owner } from './lease.js';
import { LogStore } from './log-store.js';

export interface EngineOptions {
  store: ExecutionStore;
  /** PIPE_HOME: action logs go under it (none kept without it). */
  home?: string;
  /** Where an action's log goes (default `<home>/logs/<execution-id>/<Stage>.<Action>.log`). */
  logPath?: (executionId: string, stage: string, action: string) => string;
  executors?: Partial<Record<ActionCategory, ActionExecutor>>;
  cipher?: SecretCipher;
  isAlive: (pid: number) => boolean;
  pollMs?: number;
  /** A background worker gives an execution back while it only waits for approvals. */
  parkOnApproval?: boolean;
  /** Who drives executions (default: a new owner of this process); a worker runs as the owner it was handed. */
  owner?: Owner;
  /** Finishes executions whose owner died, as opening the store does; an execution waiting at a stage calls it. */
  recoverDeadOwners?: () => Promise<void>;
}

export interface CreateOptions {
  executionId: string;
  trigger: ExecutionTrigger;
  /** Pipeline-level variable overrides (name -> value); for a rollback, the target's variables. */
  variables?: Record<string, string>;
  /** Root of the artifact store: zips go to <root>/<pipeline>/<execution-id>/<Artifact>.zip. */
  artifactRoot: string;
  /** What the executors need to run this execution in another process (e.g. the resolved source revisions). */
  sources?: unknown;
  executionType?: ExecutionType;
  rollbackTarget?: string;
  /** For a rollback: the one stage it runs. */
  rollbackStage?: string;
  /** A pipeline execution (the default), or a build `pipe build` runs: `pipe builds` lists those. */
  kind?: ExecutionKind;
}

export type { DriveResult } from './execution-driver.js';

/** A RunEvent before its time is stamped. */
export type UntimedEvent = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'time'> : never) : never;

export class Engine {
  readonly bus = new RunEventBus();
  readonly owner: Owner;
  private readonly logs: LogStore | undefined;
  private executors: Partial<Record<ActionCategory, ActionExecutor>>;

  constructor(private readonly options: EngineOptions) {
    const { store } = options;
    this.owner = options.owner ?? newOwner();
    const logs = options.home === undefined ? undefined : new LogStore(options.home, (id, stage, action, path) => store.setLogPath(id, stage, action, path), undefined, options.logPath);
    this.logs = logs;
    this.bus.subscribe((e) => store.recordBatched(e));
    if (logs) this.bus.subscribe((e) => logs.record(e));
    this.executors = options.executors ?? {};
  }

  get store(): ExecutionStore {
    return this.options.store;
  }

  subscribe(listener: RunEventListener): () => void {
    return this.bus.subscribe(listener);
  }

  setExecutors(executors: Partial<Record<ActionCategory, ActionExecutor>>): void {
    this.executors = executors;
  }

  /** Emits an event of an execution through this engine's bus (the store and the logs record it). */
  emit(event: UntimedEvent): void {
    this.bus.emit({ ...event, time: now() } as RunEvent);
  }

  /**
   * Records a new execution: its start event, and the plan and sources any process continues it from. It runs
   * nothing; `drive` does.
   */
  create(plan: ExecutionPlan, o: CreateOptions): void {
    const variables = pipelineVariables(plan, o.variables ?? {});
    this.emit({
      type: 'execution',
      executionId: o.executionId,
      pipeline: plan.pipeline,
      status: 'InProgress',
      start: {
        file: plan.file,
        digest: plan.digest,
        trigger: o.trigger,
        variables,
        executionMode: plan.executionMode,
        executionType: o.executionType ?? 'STANDARD',
        ...(o.rollbackTarget ? { rollbackTarget: o.rollbackTarget } : {}),
      },
    });
    const stored = o.rollbackStage ? { ...plan, rollbackStage: o.rollbackStage } : plan;
    this.options.store.attachRunState(o.executionId, { plan: stored, sources: o.sources ?? {}, artifactRoot: o.artifactRoot, ...(o.kind ? { kind: o.kind } : {}) });
  }

  /** Takes the execution's lease and runs it until it ends or parks; refused while a live process runs it. */
  async drive(executionId: string, options: { signal?: AbortSignal } = {}): Promise<DriveResult> {
    const leases = new LeaseStore(this.options.store.db, this.options.isAlive);
    if (!leases.acquire(executionId, this.owner)) {
      throw new PipeError('INVALID_ARGUMENT', `execution ${executionId} is being run by another pipe process`, {
        hint: `'pipe logs ${executionId.slice(0, 8)} --follow' follows it; 'pipe stop ${executionId.slice(0, 8)}' stops it`,
      });
    }
    for (;;) {
      const driver = new ExecutionDriver(
        {
          store: this.options.store,
          bus: this.bus,
          executors: this.executors,
          ...(this.options.cipher ? { cipher: this.options.cipher } : {}),
          isAlive: this.options.isAlive,
          pollMs: this.options.pollMs ?? 200,
          parkOnApproval: this.options.parkOnApproval ?? false,
          ...(this.options.recoverDeadOwners ? { recoverDeadOwners: this.options.recoverDeadOwners } : {}),
        },
        executionId,
        this.owner,
        options.signal,
      );
      const result = await driver.drive();
      // Parked, the lease given back: an answer (or a stop) that came while it was parking found a live owner and
      // started no worker, so look once more, and carry on here if one came and nobody else took the execution.
      if (!result.parked || !this.changedWhileParking(executionId) || !leases.acquire(executionId, this.owner)) return result;
    }
  }

  /** An approval of the execution answered or expired, or a stop asked for, since its driver last looked. */
  private changedWhileParking(executionId: string): boolean {
    const detail = this.options.store.getExecution(executionId);
    if (!detail) return false;
    const running = detail.actions.filter((a) => a.status === 'InProgress').map((a) => `${a.stage}.${a.action}`);
    const settled = detail.approvals.some((a) => running.includes(`${a.stage}.${a.action}`) && (a.status !== 'Waiting' || Date.parse(a.expiresAt) <= Date.now()));
    return settled || this.options.store.stopRequestOf(executionId).request !== undefined;
  }

  close(): void {
    this.options.store.flushLogs();
    this.logs?.closeAll();
  }
}

/** The execution's pipeline variables: each declared one's given value or default; an undeclared name is refused. */
export function pipelineVariables(plan: ExecutionPlan, given: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of plan.variables) {
    const value = given[v.name] ?? v.defaultValue;
    if (value === undefined) {
      throw new PipeError('INVALID_ARGUMENT', `pipeline variable ${v.name} has no default and no value was given`, {
        hint: `pass --variable ${v.name}=VALUE`,
      });
    }
    out[v.name] = value;
  }
  for (const name of Object.keys(given)) {
    if (!plan.variables.some((v) => v.name === name)) {
      throw new PipeError('INVALID_ARGUMENT', `pipeline ${plan.pipeline} declares no variable ${name}`, {
        hint: `declared: ${plan.variables.map((v) => v.name).join(', ') || 'none'}`,
      });
    }
  }
  return out;
}
