// Drives one execution from the store: stage by stage through the stage gate (locks, waits, superseding, disabled
// transitions), runOrder group by group with at most maxParallelActions actions at once, each stage attempt
// resumable (actions that succeeded in it are not run again), approvals waited for in the store, stop requests
// and onFailure results honoured. Holds the execution's lease while it runs; emits RunEvents, prints nothing.
import { join } from 'node:path';
import PQueue from 'p-queue';
import { LABELS, PipeError, describeError, isTerminalExecutionStatus, now, transitionExecution } from '../core/index.js';
import type {
  ActionCategory, ActionPlan, ArtifactRef, ConfigValue, ExecutionMode, ExecutionPlan, ExecutionStatus, RunEvent,
  RunEventBus, StagePlan,
} from '../core/index.js';
import { readApprovalConfiguration, resolveConfiguration } from '../plan/index.js';
import { SecretMasker } from '../secrets/index.js';
import type { SecretCipher } from '../secrets/index.js';
import type { ActionContext, ActionExecutor, ActionOutcome } from './action-executor.js';
import { ApprovalStore } from './approvals.js';
import { sealedVariableContext } from './execution-store.js';
import type { ExecutionStore, StopRequest } from './execution-store.js';
import { HEARTBEAT_MS, LeaseStore } from './lease.js';
import type { Owner } from './lease.js';
import { StageGate } from './stage-gate.js';

export const DEFAULT_MAX_PARALLEL_ACTIONS = 4;

export interface DriverDeps {
  store: ExecutionStore;
  bus: RunEventBus;
  executors: Partial<Record<ActionCategory, ActionExecutor>>;
  /** Seals output variables that carry a secret for the store; without it they are kept only as ***. */
  cipher?: SecretCipher;
  isAlive: (pid: number) => boolean;
  /** How often a waiting execution looks at the store again (a lock, an approval, a stop request). */
  pollMs: number;
  /** Give the execution back (release the lease and return) when nothing but approvals is waiting: a worker does. */
  parkOnApproval: boolean;
  /**
   * Finishes executions whose owner died (and removes what they left), and starts a driver for each parked one
   * that needs one (its approval expired): called while this execution runs or waits, when another needs it.
   */
  recoverDeadOwners?: () => Promise<void>;
}

export interface DriveResult {
  executionId: string;
  status: ExecutionStatus;
  message?: string;
  /** Left InProgress without an owner, waiting for an approval; `pipe approve` continues it. */
  parked?: boolean;
  /** Stage that failed with `onFailure: ROLLBACK`: the caller starts the rollback execution. */
  rollbackStage?: string;
}

type EventBody = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'executionId' | 'time'> : never) : never;

type StageOutcome = { kind: 'succeeded' } | { kind: 'failed'; message: string } | { kind: 'stopped' } | { kind: 'parked' };
type ActionResult = { kind: 'succeeded' } | { kind: 'failed'; message: string } | { kind: 'abandoned' } | { kind: 'parked' };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The engine's settings a plan carries, with CodePipeline's defaults. */
export function settingsOf(plan: ExecutionPlan): { mode: ExecutionMode; maxParallelActions: number } {
  return { mode: plan.executionMode ?? 'SUPERSEDED', maxParallelActions: plan.maxParallelActions ?? DEFAULT_MAX_PARALLEL_ACTIONS };
}

export function isApprovalAction(action: ActionPlan): boolean {
  return action.category === 'Approval';
}

export class ExecutionDriver {
  private status: ExecutionStatus = 'InProgress';
  private readonly namespaces: Record<string, Record<string, string>> = {};
  private readonly artifacts = new Map<string, ArtifactRef>();
  /** Aborts running actions: a stop-and-abandon, or the caller's signal (Ctrl-C). */
  private readonly abort = new AbortController();
  private stopping: StopRequest | undefined;
  private stopReason: string | undefined;
  private parking = false;
  /** A recovery of other executions (recoverDeadOwners) is under way. */
  private settling: Promise<void> | undefined;
  private inFlight = 0;
  private waitingApprovals = 0;
  private readonly masker = new SecretMasker();
  private readonly gate: StageGate;
  private readonly approvals: ApprovalStore;
  private readonly leases: LeaseStore;
  private plan!: ExecutionPlan;
  /** Where this execution's artifacts go: read once from the store, with the plan. */
  private artifactRoot = '';
  private mode: ExecutionMode = 'SUPERSEDED';

  constructor(
    private readonly deps: DriverDeps,
    private readonly executionId: string,
    private readonly owner: Owner,
    private readonly signal?: AbortSignal,
  ) {
    this.gate = new StageGate(deps.store.db);
    this.approvals = new ApprovalStore(deps.store.db);
    this.leases = new LeaseStore(deps.store.db, deps.isAlive);
  }

  private emit(body: EventBody, sealedOutputVariables?: Record<string, string>): void {
    const masked = this.masker.maskEvent(body);
    const event = sealedOutputVariables && masked.type === 'action' ? { ...masked, details: { ...masked.details, sealedOutputVariables } } : masked;
    this.deps.bus.emit({ ...event, executionId: this.executionId, time: now() } as RunEvent);
  }

  private setStatus(to: ExecutionStatus, message?: string): void {
    if (this.status === to) return;
    this.status = transitionExecution(this.status, to);
    this.emit({ type: 'execution', pipeline: this.plan.pipeline, status: to, ...(message ? { message } : {}) });
  }

  /** Runs the execution until it ends, or parks waiting for an approval. The caller holds the lease. */
  async drive(): Promise<DriveResult> {
    const state = this.deps.store.runState(this.executionId);
    if (!state) throw new PipeError('NOT_FOUND', `execution ${this.executionId} has no plan to continue from`);
    if (isTerminalExecutionStatus(state.summary.status)) {
      // Ended before this process got to it (a second worker, a stop settled meanwhile): there is nothing to run.
      this.leases.release(this.executionId, this.owner);
      return { executionId: this.executionId, status: state.summary.status, ...(state.summary.statusMessage ? { message: state.summary.statusMessage } : {}) };
    }
    this.plan = state.plan as ExecutionPlan;
    this.artifactRoot = state.artifactRoot;
    this.mode = settingsOf(this.plan).mode;
    this.status = state.summary.status === 'Stopping' ? 'Stopping' : 'InProgress';
    this.loadOutputs(state.summary.variables, state.summary.rollbackTarget);
    const heartbeat = setInterval(() => this.beat(), Math.min(HEARTBEAT_MS, this.deps.pollMs * 5));
    heartbeat.unref();
    const onSignal = () => this.requestStop('abandon', typeof this.signal?.reason === 'string' ? this.signal.reason : 'stopped');
    this.signal?.addEventListener('abort', onSignal, { once: true });
    if (this.signal?.aborted) onSignal();
    this.beat();
    try {
      return await this.run(state.summary.executionType === 'ROLLBACK' ? this.rollbackStages() : this.plan.stages);
    } catch (e) {
      const message = `internal error: ${describeError(e)}`;
      this.finish('Failed', message);
      return this.result(message);
    } finally {
      clearInterval(heartbeat);
      await this.settling; // a recovery of others this driver started ends before the caller closes the store
      this.signal?.removeEventListener('abort', onSignal);
      if (this.status !== 'InProgress' && this.status !== 'Stopping') this.gate.releaseAll(this.executionId);
      this.leases.release(this.executionId, this.owner);
    }
  }

  private async run(stages: readonly StagePlan[]): Promise<DriveResult> {
    for (const stage of stages) {
      this.readStopRequest();
      const latest = this.deps.store.latestStageAttempt(this.executionId, stage.name);
      if (latest?.status === 'Succeeded') continue;
      // A stage in progress (resumed after a park) is stopped in runStage, which settles what waits in it.
      const resumed = latest?.status === 'InProgress' || latest?.status === 'Stopping';
      // A stop ends it here, unless it was superseded first (enter says so).
      if (!resumed && (this.stopping === 'wait' || this.stopping === 'abandon') && !this.isSupersededBeforeStop()) break;
      let attempt: number;
      if (!latest) {
        const entry = await this.enter(stage.name);
        if (entry === 'superseded') {
          this.finish('Superseded', `a newer execution took its place in front of stage ${stage.name}`);
          return this.result(`superseded in front of stage ${stage.name}`);
        }
        if (entry === 'stopped') break;
        attempt = 1;
        this.emit({ type: 'stage', stage: stage.name, status: 'InProgress', attempt });
      } else if (latest.status === 'InProgress' || latest.status === 'Stopping') {
        attempt = latest.attempt; // resumed: an approval answered, or a retry prepared; the lock is this execution's
        this.gate.retake(this.plan.pipeline, stage.name, this.executionId);
      } else {
        const message = `stage ${stage.name} ended ${latest.status} and was not retried`;
        this.finish('Failed', message);
        return this.result(message);
      }
      for (;;) {
        const outcome = await this.runStage(stage, attempt);
        if (outcome.kind === 'parked') return { ...this.result(), parked: true };
        if (outcome.kind === 'succeeded') {
          this.emit({ type: 'stage', stage: stage.name, status: 'Succeeded', attempt });
          this.gate.release(this.plan.pipeline, stage.name, this.executionId);
          break;
        }
        if (outcome.kind === 'stopped') {
          this.emit({ type: 'stage', stage: stage.name, status: 'Stopped', attempt });
          this.gate.release(this.plan.pipeline, stage.name, this.executionId);
          this.finish('Stopped', this.stopReason ?? 'stopped');
          return this.result(this.stopReason ?? 'stopped');
        }
        this.emit({ type: 'stage', stage: stage.name, status: 'Failed', attempt });
        const onFailure = stage.onFailure;
        if (onFailure.result === 'RETRY' && attempt === 1 && !this.stopping) {
          // CodePipeline V2 retries a failed stage by itself once, as a new attempt.
          const next = attempt + 1;
          const statuses = this.deps.store.actionStatuses(this.executionId, stage.name, attempt);
          const keep = onFailure.retryMode === 'ALL_ACTIONS' ? [] : [...statuses].filter(([, st]) => st === 'Succeeded').map(([a]) => a);
          this.deps.store.carryActions(this.executionId, stage.name, attempt, next, keep);
          attempt = next;
          this.emit({ type: 'stage', stage: stage.name, status: 'InProgress', attempt, retryTrigger: 'AutomatedStageRetry' });
          continue;
        }
        this.gate.release(this.plan.pipeline, stage.name, this.executionId);
        this.finish('Failed', outcome.message);
        return { ...this.result(outcome.message), ...(onFailure.result === 'ROLLBACK' ? { rollbackStage: stage.name } : {}) };
      }
    }
    if (this.stopping === 'wait' || this.stopping === 'abandon') {
      this.finish('Stopped', this.stopReason ?? 'stopped');
      return this.result(this.stopReason ?? 'stopped');
    }
    this.finish('Succeeded');
    return this.result();
  }

  /** Waits at the stage gate until the execution enters, is superseded, or is stopped while it waits. */
  private async enter(stage: string): Promise<'entered' | 'superseded' | 'stopped'> {
    let told = '';
    for (;;) {
      if (this.stopping === 'wait' || this.stopping === 'abandon') {
        this.gate.releaseAll(this.executionId);
        return this.isSupersededBeforeStop() ? 'superseded' : 'stopped';
      }
      const r = this.gate.tryEnter(this.plan.pipeline, stage, this.executionId, this.mode);
      if (r.kind === 'entered') {
        if (told) this.emit({ type: 'execution', pipeline: this.plan.pipeline, status: this.status, message: `entered stage ${stage}` });
        return 'entered';
      }
      if (r.kind === 'superseded') return 'superseded';
      if (r.reason !== told) {
        told = r.reason;
        this.emit({ type: 'execution', pipeline: this.plan.pipeline, status: this.status, message: `waiting in front of stage ${stage}: ${r.reason}` });
      }
      await sleep(this.deps.pollMs);
      this.beat();
      // A holder of the lock (or a waiter ahead) whose process died, or that is parked on an approval that expired,
      // would block the stage until some other command ran: the waiting execution's process settles it itself.
      await this.settleOthers();
    }
  }

  private async runStage(stage: StagePlan, attempt: number): Promise<StageOutcome> {
    const statuses = this.deps.store.actionStatuses(this.executionId, stage.name, attempt);
    const queue = new PQueue({ concurrency: settingsOf(this.plan).maxParallelActions });
    for (const group of stage.groups) {
      this.readStopRequest();
      const todo = group.filter((a) => statuses.get(a.name) !== 'Succeeded');
      if (this.stopping === 'wait' || this.stopping === 'abandon') {
        // Approvals a parked execution left waiting end Abandoned (runApproval settles them), not InProgress forever.
        await Promise.all(todo.filter((a) => isApprovalAction(a) && statuses.get(a.name) === 'InProgress').map((a) => this.runApproval(a, attempt)));
        return { kind: 'stopped' };
      }
      const results = await Promise.all(todo.map((a) => queue.add(() => this.runAction(a, attempt)) as Promise<ActionResult>));
      if (this.parking || results.some((r) => r.kind === 'parked')) return { kind: 'parked' };
      const failed = results.find((r): r is { kind: 'failed'; message: string } => r.kind === 'failed');
      if (failed) return { kind: 'failed', message: failed.message };
      if (results.some((r) => r.kind === 'abandoned')) return { kind: 'stopped' };
    }
    // A stop that came while the stage ran stops it, even when its running actions all succeeded: as on
    // CodePipeline, the stage shows Stopped and a retry of it takes the execution on.
    this.readStopRequest();
    return this.stopping === 'wait' || this.stopping === 'abandon' ? { kind: 'stopped' } : { kind: 'succeeded' };
  }

  private async runAction(action: ActionPlan, attempt: number): Promise<ActionResult> {
    if (this.parking) return { kind: 'parked' };
    this.readStopRequest();
    if (this.stopping === 'wait' || this.stopping === 'abandon') return { kind: 'abandoned' };
    this.inFlight++;
    try {
      return isApprovalAction(action) ? await this.runApproval(action, attempt) : await this.runWork(action, attempt);
    } finally {
      this.inFlight--;
    }
  }

  private emitAction(action: ActionPlan, attempt: number, status: 'InProgress' | 'Succeeded' | 'Failed' | 'Abandoned', message?: string, details?: Record<string, unknown>, sealed?: Record<string, string>): void {
    this.emit({ type: 'action', stage: action.stage, action: action.name, attempt, status, ...(message ? { message } : {}), ...(details ? { details } : {}) }, sealed);
  }

  private resolve(action: ActionPlan): Record<string, ConfigValue> {
    return resolveConfiguration(action.configuration, this.namespaces);
  }

  /** An Approval/Manual action: a request in the store, waited for until answered, expired or stopped. */
  private async runApproval(action: ActionPlan, attempt: number): Promise<ActionResult> {
    let configuration: Record<string, ConfigValue>;
    try {
      configuration = this.resolve(action);
    } catch (e) {
      this.emitAction(action, attempt, 'Failed', describeError(e), { actionType: action.type, runOrder: action.runOrder });
      return { kind: 'failed', message: `${action.id}: ${describeError(e)}` };
    }
    const approval = readApprovalConfiguration(configuration);
    const key = { executionId: this.executionId, stage: action.stage, action: action.name, attempt };
    const fresh = !this.approvals.get(key);
    const request = this.approvals.request(key, {
      ...(approval.customData !== undefined ? { customData: approval.customData } : {}),
      ...(approval.externalEntityLink !== undefined ? { externalEntityLink: approval.externalEntityLink } : {}),
      timeoutMinutes: approval.timeoutMinutes,
    });
    if (fresh) {
      this.emitAction(action, attempt, 'InProgress', 'waiting for approval', {
        actionType: action.type,
        runOrder: action.runOrder,
        configuration,
        extra: { approval: { status: 'Waiting', expiresAt: request.expiresAt, customData: approval.customData, externalEntityLink: approval.externalEntityLink } },
      });
      this.emit({ type: 'log', stage: action.stage, action: action.name, stream: 'system', line: `Waiting for approval until ${request.expiresAt}: pipe approve ${this.executionId} ${action.id} [--reject] [--summary TEXT]` });
    }
    this.waitingApprovals++;
    try {
      for (;;) {
        const st = this.approvals.get(key);
        if (!st) throw new PipeError('INTERNAL', `the approval request of ${action.id} is gone`);
        if (st.status === 'Approved' || st.status === 'Rejected') {
          const extra = { approval: { status: st.status, summary: st.summary, respondedAt: st.respondedAt } };
          if (st.status === 'Approved') {
            this.emitAction(action, attempt, 'Succeeded', `approved${st.summary ? `: ${st.summary}` : ''}`, { extra, outputArtifacts: [], outputVariables: {} });
            return { kind: 'succeeded' };
          }
          const message = `rejected${st.summary ? `: ${st.summary}` : ''}`;
          this.emitAction(action, attempt, 'Failed', message, { extra });
          return { kind: 'failed', message: `${action.id}: ${message}` };
        }
        if (st.status === 'Expired' || Date.parse(st.expiresAt) <= Date.now()) {
          if (st.status === 'Waiting') this.approvals.settle(key, 'Expired');
          const message = `the approval request expired at ${st.expiresAt} without an answer`;
          this.emitAction(action, attempt, 'Failed', message, { extra: { approval: { status: 'Expired' } } });
          return { kind: 'failed', message: `${action.id}: ${message}` };
        }
        if (st.status === 'Abandoned' || this.stopping === 'abandon' || this.stopping === 'wait') {
          if (st.status === 'Waiting') this.approvals.settle(key, 'Abandoned', this.stopReason);
          this.emitAction(action, attempt, 'Abandoned', 'the execution was stopped', { extra: { approval: { status: 'Abandoned' } } });
          return { kind: 'abandoned' };
        }
        if (this.parking) return { kind: 'parked' };
        if (this.deps.parkOnApproval && this.inFlight === this.waitingApprovals) {
          this.parking = true; // nothing but approvals left running: give the execution back until one is answered
          return { kind: 'parked' };
        }
        await sleep(this.deps.pollMs);
      }
    } finally {
      this.waitingApprovals--;
    }
  }

  private async runWork(action: ActionPlan, attempt: number): Promise<ActionResult> {
    const dir = join(this.artifactRoot, this.plan.pipeline, this.executionId);
    const emitAction = (status: 'InProgress' | 'Succeeded' | 'Failed' | 'Abandoned', message?: string, details?: Record<string, unknown>, sealed?: Record<string, string>) =>
      this.emitAction(action, attempt, status, message, details, sealed);
    let configuration: Record<string, ConfigValue>;
    let inputs: ActionContext['inputs'];
    try {
      configuration = this.resolve(action);
      inputs = action.inputArtifacts.map((n) => {
        const ref = this.artifacts.get(n);
        if (!ref) throw new PipeError('INTERNAL', `input artifact ${n} of ${action.id} was not produced`);
        return { name: n, path: ref.path, ...(ref.revision ? { revision: ref.revision } : {}) };
      });
    } catch (e) {
      emitAction('Failed', describeError(e), { actionType: action.type, runOrder: action.runOrder });
      return { kind: 'failed', message: `${action.id}: ${describeError(e)}` };
    }
    const outputs = action.outputArtifacts.map((n) => ({ name: n, path: join(dir, `${n}.zip`) }));
    emitAction('InProgress', undefined, {
      actionType: action.type,
      runOrder: action.runOrder,
      configuration,
      inputArtifacts: inputs.map((i) => this.artifacts.get(i.name) ?? i),
    });
    const executor = this.deps.executors[action.category];
    if (!executor) {
      const msg = `no executor for ${action.category} actions`;
      emitAction('Failed', msg);
      return { kind: 'failed', message: `${action.id}: ${msg}` };
    }
    const ctx: ActionContext = {
      executionId: this.executionId,
      pipeline: this.plan.pipeline,
      action,
      configuration,
      baseDir: this.plan.baseDir,
      inputs,
      outputs,
      signal: this.abort.signal,
      labels: { [LABELS.executionId]: this.executionId, [LABELS.action]: action.id },
      maskSecrets: (values) => this.masker.add(values),
      log: (stream, line) => this.emit({ type: 'log', stage: action.stage, action: action.name, stream, line }),
      warn: (message) => this.emit({ type: 'warning', stage: action.stage, action: action.name, message }),
      phase: (phase, st, message) =>
        this.emit({ type: 'phase', stage: action.stage, action: action.name, phase, status: st, ...(message ? { message } : {}) }),
    };
    let outcome: ActionOutcome;
    try {
      outcome = await executor.run(ctx);
    } catch (e) {
      const hint = e instanceof PipeError && e.hint ? ` (${e.hint})` : '';
      outcome = { status: 'Failed', message: `${describeError(e)}${hint}` };
    }
    if (this.abort.signal.aborted) {
      emitAction('Abandoned', 'the execution was stopped');
      return { kind: 'abandoned' };
    }
    const produced = outcome.artifacts ?? [];
    if (outcome.status === 'Failed') {
      emitAction('Failed', outcome.message, { outputArtifacts: produced, ...(outcome.extra ? { extra: outcome.extra } : {}), ...(outcome.externalExecutionId ? { externalExecutionId: outcome.externalExecutionId } : {}) });
      return { kind: 'failed', message: `${action.id}: ${outcome.message}` };
    }
    for (const a of produced) this.artifacts.set(a.name, a);
    for (const n of action.outputArtifacts) {
      if (!this.artifacts.has(n)) {
        const msg = `the action did not produce its output artifact ${n}`;
        emitAction('Failed', msg);
        return { kind: 'failed', message: `${action.id}: ${msg}` };
      }
    }
    // An exported value built from a secret (`COPY="prefix-$TOKEN"`) is a secret too: a later action that takes it
    // through `#{ns.COPY}` gets it in clear, but every event shows it as ***.
    const carriers = new Set(this.masker.addCarriers(Object.values(outcome.outputVariables)));
    const sealed = this.sealCarriers(action, outcome.outputVariables, carriers);
    if (action.namespace) this.namespaces[action.namespace] = outcome.outputVariables;
    if (Object.keys(outcome.outputVariables).length > 0) {
      this.emit({ type: 'variables', stage: action.stage, action: action.name, ...(action.namespace ? { namespace: action.namespace } : {}), variables: outcome.outputVariables });
    }
    for (const a of produced) {
      this.emit({ type: 'artifact', stage: action.stage, action: action.name, name: a.name, path: a.path, sha256: a.sha256 ?? '', size: a.size ?? 0 });
    }
    emitAction('Succeeded', outcome.summary, {
      outputArtifacts: produced,
      outputVariables: outcome.outputVariables,
      ...(outcome.externalExecutionId ? { externalExecutionId: outcome.externalExecutionId } : {}),
      ...(outcome.extra ? { extra: outcome.extra } : {}),
    }, sealed);
    return { kind: 'succeeded' };
  }

  private sealCarriers(action: ActionPlan, variables: Record<string, string>, carriers: ReadonlySet<string>): Record<string, string> | undefined {
    const { cipher } = this.deps;
    const names = Object.keys(variables).filter((k) => carriers.has(variables[k] ?? ''));
    if (!cipher || names.length === 0) return undefined;
    const context = (name: string) => sealedVariableContext(this.executionId, action.stage, action.name, name);
    return Object.fromEntries(names.map((n) => [n, cipher.seal(variables[n] ?? '', context(n))]));
  }

  /**
   * Namespaces and artifacts as earlier actions left them: this execution's (a resumed one), or for a rollback,
   * those of the execution it rolls back to. Values that were sealed (they carry a secret) stay masked here too.
   */
  private loadOutputs(variables: Record<string, string>, rollbackTarget: string | undefined): void {
    this.namespaces['variables'] = variables;
    this.namespaces['codepipeline'] = { PipelineExecutionId: this.executionId };
    const namespaceOf = new Map(this.plan.stages.flatMap((s) => s.groups.flat()).map((a) => [`${a.stage}.${a.name}`, a.namespace]));
    const from = rollbackTarget ?? this.executionId;
    for (const a of this.deps.store.succeededActions(from, this.deps.cipher)) {
      if (rollbackTarget && this.rollbackStageName() === a.stage) continue; // the rolled-back stage produces its own
      for (const ref of a.outputArtifacts) this.artifacts.set(ref.name, ref);
      const ns = namespaceOf.get(`${a.stage}.${a.action}`);
      if (ns) this.namespaces[ns] = a.outputVariables;
      this.masker.add(a.sealedNames.map((n) => a.outputVariables[n] ?? '').filter(Boolean));
    }
  }

  private rollbackStageName(): string | undefined {
    return (this.plan as ExecutionPlan & { rollbackStage?: string }).rollbackStage;
  }

  private rollbackStages(): StagePlan[] {
    const name = this.rollbackStageName();
    return this.plan.stages.filter((s) => s.name === name);
  }

  private requestStop(request: 'wait' | 'abandon', reason: string | undefined): void {
    if (this.stopping === 'abandon' || (this.stopping === 'wait' && request === 'wait')) return;
    this.stopping = request;
    this.stopReason = reason ?? this.stopReason;
    // Superseded already, its driver not having looked yet: it ends Superseded, never Stopping then Stopped.
    if (this.status === 'InProgress' && !this.isSupersededBeforeStop()) {
      this.setStatus('Stopping', request === 'abandon' ? 'stop and abandon requested' : 'stop requested: running actions finish');
    }
    if (request === 'abandon') this.abort.abort();
  }

  /**
   * A newer execution took this one's place in front of a stage before a stop came (CodePipeline: a superseded
   * execution is no longer in progress, so the stop does not apply).
   */
  private isSupersededBeforeStop(): boolean {
    return this.status === 'InProgress' && this.deps.store.stopRequestOf(this.executionId).request === 'superseded';
  }

  /**
   * The heartbeat: renews the lease and reads a stop request another process left; and looks after the executions
   * nobody runs, so a dead owner or an approval that expired while its execution was parked is noticed by any pipe
   * process that is running an execution, not only by the next command.
   */
  private beat(): void {
    this.leases.renew(this.executionId, this.owner);
    this.readStopRequest();
    void this.settleOthers();
  }

  /** Runs recoverDeadOwners (one at a time) when another execution needs it; a failure of it is a warning here. */
  private settleOthers(): Promise<void> {
    const { recoverDeadOwners } = this.deps;
    if (this.settling || !recoverDeadOwners || !this.othersNeedSettling()) return this.settling ?? Promise.resolve();
    this.settling = recoverDeadOwners()
      .catch((e: unknown) => this.emit({ type: 'warning', message: `could not settle other executions: ${describeError(e)}` }))
      .finally(() => {
        this.settling = undefined;
      });
    return this.settling;
  }

  /** Another execution nobody runs needs a process: its owner died, or it is parked and its approval expired. */
  private othersNeedSettling(): boolean {
    const unowned = this.leases.unowned().filter((u) => u.executionId !== this.executionId);
    if (unowned.some((u) => !u.parked)) return true;
    const parked = new Set(unowned.map((u) => u.executionId));
    return parked.size > 0 && this.approvals.expired().some((k) => parked.has(k.executionId));
  }

  /** A stop another process recorded: read before anything starts, not only on the heartbeat. */
  private readStopRequest(): void {
    const req = this.deps.store.stopRequestOf(this.executionId);
    if (req.request === 'wait' || req.request === 'abandon') this.requestStop(req.request, req.reason);
  }

  private finish(status: ExecutionStatus, message?: string): void {
    this.setStatus(status, message);
    this.deps.store.clearStopRequest(this.executionId);
  }

  private result(message?: string): DriveResult {
    return { executionId: this.executionId, status: this.status, ...(message ? { message: this.masker.mask(message) } : {}) };
  }
}
