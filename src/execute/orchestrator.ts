// The orchestrator: runs an ExecutionPlan stage by stage, runOrder group by group, actions of a group in
// parallel; resolves variables and artifacts between actions; stops cleanly; emits RunEvents, prints nothing.
import { artifactPath } from '../artifacts/index.js';
import {
  LABELS, PipeError, RunEventBus, describeError, now, transitionAction, transitionExecution, transitionStage,
} from '../core/index.js';
import type {
  ActionCategory, ActionPlan, ActionStatus, ArtifactRef, ExecutionPlan, ExecutionStatus, ExecutionTrigger, RunEvent,
  StageStatus,
} from '../core/index.js';
import { resolveConfiguration } from '../plan/index.js';
import { SecretMasker } from '../secrets/index.js';
import type { SecretCipher } from '../secrets/index.js';
import type { ActionContext, ActionExecutor, ActionOutcome } from './action-executor.js';
import { sealedVariableContext } from './execution-store.js';

export interface OrchestratorDeps {
  executors: Partial<Record<ActionCategory, ActionExecutor>>;
  bus: RunEventBus;
  /** Root of the artifact store: zips go to <root>/<pipeline>/<execution-id>/<Artifact>.zip. */
  artifactRoot: string;
  /** Seals output variables that carry a secret for the store; without it they are kept only as ***. */
  cipher?: SecretCipher;
}

export interface StartOptions {
  executionId: string;
  trigger: ExecutionTrigger;
  /** Pipeline-level variable overrides (name -> value). */
  variables?: Record<string, string>;
  signal?: AbortSignal;
}

export interface PipelineExecutionResult {
  executionId: string;
  status: ExecutionStatus;
  message?: string;
}

type EventBody = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'executionId' | 'time'> : never) : never;

export async function runExecution(plan: ExecutionPlan, deps: OrchestratorDeps, options: StartOptions): Promise<PipelineExecutionResult> {
  return new ExecutionRun(plan, deps, options).run();
}

class ExecutionRun {
  private status: ExecutionStatus = 'InProgress';
  private readonly namespaces: Record<string, Record<string, string>> = {};
  private readonly artifacts = new Map<string, ArtifactRef>();
  private readonly stop = new AbortController();
  /** Every secret value resolved in this execution, masked in every string of every event it emits. */
  private readonly masker = new SecretMasker();

  constructor(
    private readonly plan: ExecutionPlan,
    private readonly deps: OrchestratorDeps,
    private readonly options: StartOptions,
  ) {}

  /** Emits an event, every string in it masked; sealed output variables, ciphertext, are added after masking. */
  private emit(body: EventBody, sealedOutputVariables?: Record<string, string>): void {
    const masked = this.masker.maskEvent(body);
    const event = sealedOutputVariables && masked.type === 'action' ? { ...masked, details: { ...masked.details, sealedOutputVariables } } : masked;
    this.deps.bus.emit({ ...event, executionId: this.options.executionId, time: now() } as RunEvent);
  }

  private setStatus(to: ExecutionStatus, message?: string): void {
    this.status = transitionExecution(this.status, to);
    this.emit({ type: 'execution', pipeline: this.plan.pipeline, status: to, ...(message ? { message } : {}) });
  }

  async run(): Promise<PipelineExecutionResult> {
    const variables = this.pipelineVariables();
    this.namespaces['variables'] = variables;
    this.namespaces['codepipeline'] = { PipelineExecutionId: this.options.executionId };
    this.emit({
      type: 'execution',
      pipeline: this.plan.pipeline,
      status: 'InProgress',
      start: { file: this.plan.file, digest: this.plan.digest, trigger: this.options.trigger, variables },
    });
    const onStop = () => {
      if (this.status === 'InProgress') this.setStatus('Stopping', 'stop requested');
      this.stop.abort();
    };
    this.options.signal?.addEventListener('abort', onStop, { once: true });
    if (this.options.signal?.aborted) onStop();
    try {
      for (const stage of this.plan.stages) {
        if (this.stop.signal.aborted) break;
        const failure = await this.runStage(stage.name, stage.groups);
        if (failure) {
          if (this.stop.signal.aborted) break;
          this.setStatus('Failed', failure);
          return this.result(failure);
        }
      }
      if (this.stop.signal.aborted) {
        // The caller's reason ("stopped by SIGINT"), when it gave one.
        const reason = this.options.signal?.reason;
        const message = typeof reason === 'string' ? reason : 'stopped';
        this.setStatus('Stopped', message);
        return this.result(message);
      }
      this.setStatus('Succeeded');
      return this.result();
    } catch (e) {
      const message = `internal error: ${describeError(e)}`;
      if (this.status === 'InProgress' || this.status === 'Stopping') this.setStatus('Failed', message);
      return this.result(message);
    } finally {
      this.options.signal?.removeEventListener('abort', onStop);
    }
  }

  private result(message?: string): PipelineExecutionResult {
    return { executionId: this.options.executionId, status: this.status, ...(message ? { message: this.masker.mask(message) } : {}) };
  }

  private pipelineVariables(): Record<string, string> {
    const given = this.options.variables ?? {};
    const out: Record<string, string> = {};
    for (const v of this.plan.variables) {
      const value = given[v.name] ?? v.defaultValue;
      if (value === undefined) {
        throw new PipeError('INVALID_ARGUMENT', `pipeline variable ${v.name} has no default and no value was given`, {
          hint: `pass --variable ${v.name}=VALUE`,
        });
      }
      out[v.name] = value;
    }
    for (const name of Object.keys(given)) {
      if (!this.plan.variables.some((v) => v.name === name)) {
        throw new PipeError('INVALID_ARGUMENT', `pipeline ${this.plan.pipeline} declares no variable ${name}`, {
          hint: `declared: ${this.plan.variables.map((v) => v.name).join(', ') || 'none'}`,
        });
      }
    }
    return out;
  }

  /** Runs one stage; returns a failure message, or undefined when it succeeded. */
  private async runStage(name: string, groups: ActionPlan[][]): Promise<string | undefined> {
    let stageStatus: StageStatus = 'InProgress';
    this.emit({ type: 'stage', stage: name, status: 'InProgress' });
    let failure: string | undefined;
    for (const group of groups) {
      const outcomes = await Promise.all(group.map((a) => this.runAction(a)));
      const failed = outcomes.find((o) => o !== undefined);
      if (failed !== undefined || this.stop.signal.aborted) {
        failure = failed ?? 'stopped';
        break;
      }
    }
    const to: StageStatus = this.stop.signal.aborted ? 'Stopped' : failure ? 'Failed' : 'Succeeded';
    stageStatus = transitionStage(stageStatus, to);
    this.emit({ type: 'stage', stage: name, status: stageStatus });
    return failure;
  }

  /** Runs one action; returns a failure message, or undefined when it succeeded. */
  private async runAction(action: ActionPlan): Promise<string | undefined> {
    const { executionId } = this.options;
    const inputs = action.inputArtifacts.map((n) => {
      const ref = this.artifacts.get(n);
      if (!ref) throw new PipeError('INTERNAL', `input artifact ${n} of ${action.id} was not produced`);
      return { name: n, path: ref.path, ...(ref.revision ? { revision: ref.revision } : {}) };
    });
    const outputs = action.outputArtifacts.map((n) => ({ name: n, path: artifactPath(this.deps.artifactRoot, this.plan.pipeline, executionId, n) }));
    let status: ActionStatus | undefined;
    const emitAction = (to: ActionStatus, message?: string, details?: Record<string, unknown>, sealed?: Record<string, string>) => {
      status = status === undefined ? to : transitionAction(status, to);
      this.emit({ type: 'action', stage: action.stage, action: action.name, status, ...(message ? { message } : {}), ...(details ? { details } : {}) }, sealed);
    };
    const executor = this.deps.executors[action.category];
    let configuration: ActionContext['configuration'];
    try {
      configuration = resolveConfiguration(action.configuration, this.namespaces);
    } catch (e) {
      emitAction('Failed', describeError(e), { actionType: action.type, runOrder: action.runOrder });
      return `${action.id}: ${describeError(e)}`;
    }
    emitAction('InProgress', undefined, {
      actionType: action.type,
      runOrder: action.runOrder,
      configuration,
      inputArtifacts: inputs.map((i) => this.artifacts.get(i.name) ?? i),
    });
    if (!executor) {
      const msg = `no executor for ${action.category} actions`;
      emitAction('Failed', msg);
      return `${action.id}: ${msg}`;
    }
    const ctx: ActionContext = {
      executionId,
      pipeline: this.plan.pipeline,
      action,
      configuration,
      baseDir: this.plan.baseDir,
      inputs,
      outputs,
      signal: this.stop.signal,
      labels: { [LABELS.executionId]: executionId, [LABELS.action]: action.id },
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
    if (this.stop.signal.aborted) {
      emitAction('Abandoned', 'the execution was stopped');
      return 'stopped';
    }
    const produced = outcome.artifacts ?? [];
    if (outcome.status === 'Failed') {
      emitAction('Failed', outcome.message, { outputArtifacts: produced, ...(outcome.extra ? { extra: outcome.extra } : {}), ...(outcome.externalExecutionId ? { externalExecutionId: outcome.externalExecutionId } : {}) });
      return `${action.id}: ${outcome.message}`;
    }
    for (const a of produced) this.artifacts.set(a.name, a);
    for (const n of action.outputArtifacts) {
      if (!this.artifacts.has(n)) {
        const msg = `the action did not produce its output artifact ${n}`;
        emitAction('Failed', msg);
        return `${action.id}: ${msg}`;
      }
    }
    // An exported value built from a secret (`COPY="prefix-$TOKEN"`) is a secret too: a later action that takes it
    // through `#{ns.COPY}` gets it in clear, but every event shows it as ***.
    const carriers = new Set(this.masker.addCarriers(Object.values(outcome.outputVariables)));
    const sealed = this.sealCarriers(action, outcome.outputVariables, carriers);
    if (action.namespace) this.namespaces[action.namespace] = outcome.outputVariables;
    if (Object.keys(outcome.outputVariables).length > 0) {
      this.emit({
        type: 'variables',
        stage: action.stage,
        action: action.name,
        ...(action.namespace ? { namespace: action.namespace } : {}),
        variables: outcome.outputVariables,
      });
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
    return undefined;
  }

  /** The variables whose values carry a secret, each sealed and bound to its execution, action and name. */
  private sealCarriers(action: ActionPlan, variables: Record<string, string>, carriers: ReadonlySet<string>): Record<string, string> | undefined {
    const { cipher } = this.deps;
    const names = Object.keys(variables).filter((k) => carriers.has(variables[k] ?? ''));
    if (!cipher || names.length === 0) return undefined;
    const context = (name: string) => sealedVariableContext(this.options.executionId, action.stage, action.name, name);
    return Object.fromEntries(names.map((n) => [n, cipher.seal(variables[n] ?? '', context(n))]));
  }
}
