// Runs one scenario's steps through the real engine (src/execute) on a real SQLite file in a temp dir: executions of
// one pipeline share the store and are driven concurrently in this process, their actions run by the OrderedExecutor,
// control steps (approve, stop, retry, rollback, transitions) go through the same functions the CLI calls.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PipeError, newExecutionId } from '../../src/core/index.js';
import type { ExecutionPlan, RunEvent } from '../../src/core/index.js';
import { Engine, ExecutionStore, answerApproval, hasLiveOwner, parkedNeedingDriver, prepareRetry, prepareRollback, requestStop, setTransition } from '../../src/execute/index.js';
import type { ControlDeps, DriveResult } from '../../src/execute/index.js';
import { isProcessAlive, openDatabase } from '../../src/infra/index.js';
import type { Db } from '../../src/infra/index.js';
import { parsePipelineSpec } from '../../src/parse/index.js';
import { buildExecutionPlan } from '../../src/plan/index.js';
import { OrderedExecutor } from './ordered-executor.js';

/** How long a step waits for the engine to reach a state before the scenario fails. */
const DEADLINE_MS = 5_000;
const POLL_MS = 5;

export interface HarnessOptions {
  pipelines: Record<string, string>;
  expectedCalls: readonly string[];
  maxInFlight?: number;
  instant?: Record<string, Record<string, string>>;
  parkOnApproval?: boolean;
}

interface Drive {
  settled: boolean;
  result?: DriveResult;
  error?: unknown;
  /** Why an automated rollback was not started (prepareRollback refused it). */
  rollbackRefused?: string;
  promise: Promise<void>;
}

export class ScenarioHarness {
  readonly dir = mkdtempSync(join(tmpdir(), 'pipe-scenario-'));
  readonly db: Db = openDatabase(join(this.dir, 'state.db'));
  readonly store = new ExecutionStore(this.db);
  readonly executor: OrderedExecutor;
  readonly engine: Engine;
  readonly deps: ControlDeps = { store: this.store, isAlive: isProcessAlive };
  readonly drives = new Map<string, Drive>();
  private readonly ids = new Map<string, string>();
  private readonly labels = new Map<string, string>();
  private readonly plans = new Map<string, ExecutionPlan>();
  private readonly stopAll = new AbortController();
  private readonly artifactRoot = join(this.dir, 'artifacts');
  plan: ExecutionPlan;

  constructor(private readonly options: HarnessOptions) {
    for (const [name, text] of Object.entries(options.pipelines)) {
      this.plans.set(name, buildExecutionPlan(parsePipelineSpec(text, join(this.dir, `${name}.yml`))));
    }
    this.plan = this.planNamed('main');
    this.executor = new OrderedExecutor({
      expected: options.expectedCalls,
      labelOf: (id) => this.labels.get(id) ?? `<unknown execution ${id}>`,
      ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
      ...(options.instant ? { instant: options.instant } : {}),
    });
    this.engine = new Engine({
      store: this.store,
      home: this.dir,
      executors: { Source: this.executor, Build: this.executor, Deploy: this.executor },
      isAlive: isProcessAlive,
      pollMs: 10,
      parkOnApproval: options.parkOnApproval ?? false,
      // As app's createEngine: a running execution's process starts a worker for each parked one that needs one.
      recoverDeadOwners: async () => this.startWorkers(parkedNeedingDriver(this.deps)),
    });
  }

  planNamed(name: string): ExecutionPlan {
    const plan = this.plans.get(name);
    if (!plan) throw new Error(`the scenario has no pipeline named ${name}`);
    return plan;
  }

  idOf(label: string): string {
    const id = this.ids.get(label);
    if (!id) throw new Error(`no execution ${label} was started`);
    return id;
  }

  labelOf(id: string): string {
    return this.labels.get(id) ?? id;
  }

  get executionLabels(): string[] {
    return [...this.ids.keys()];
  }

  private register(label: string, id: string): void {
    if (this.ids.has(label)) throw new Error(`execution ${label} was already started`);
    this.ids.set(label, id);
    this.labels.set(id, label);
  }

  /** Execution ids become their labels, timestamps `<time>`: messages read the same in every run. */
  normalise(text: string): string {
    let out = text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>');
    for (const [id, label] of this.labels) out = out.split(id).join(label);
    return out;
  }

  start(label: string, variables: Record<string, string>): void {
    const executionId = newExecutionId();
    this.register(label, executionId);
    this.engine.create(this.plan, {
      executionId,
      trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'scenario' },
      artifactRoot: this.artifactRoot,
      ...(Object.keys(variables).length ? { variables } : {}),
    });
    this.drive(label);
  }

  /** Drives an execution in the background; a stage failed with onFailure ROLLBACK rolls back as app/pipeline-service.ts does. */
  drive(label: string): void {
    const id = this.idOf(label);
    const signal = this.stopAll.signal;
    const drive: Drive = { settled: false, promise: Promise.resolve() };
    drive.promise = (async () => {
      try {
        const result = await this.engine.drive(id, { signal });
        drive.result = result;
        if (result.rollbackStage && !signal.aborted) {
          const state = this.store.runState(id);
          try {
            const rollback = prepareRollback(this.engine, this.deps, state?.plan as ExecutionPlan, result.rollbackStage, {
              trigger: { triggerType: 'AutomatedRollback', triggerDetail: `stage ${result.rollbackStage} of execution ${id} failed` },
              artifactRoot: this.artifactRoot,
            });
            this.register(`${label}-rollback`, rollback.executionId);
            this.drive(`${label}-rollback`);
            await this.drives.get(`${label}-rollback`)?.promise;
          } catch (e) {
            if (!(e instanceof PipeError)) throw e;
            drive.rollbackRefused = this.normalise(e.message);
          }
        }
      } catch (e) {
        drive.error = e;
      } finally {
        drive.settled = true;
      }
    })();
    this.drives.set(label, drive);
  }

  /**
   * Runs a step as a `pipe` command does: first (app's settleRecovered) it starts a worker for each parked execution
   * that needs one (its approval expired, or a stop was asked), which begins only after the command's own work, as
   * a spawned process would; a worker finding the execution run by someone else leaves it.
   */
  private asCommand(body: () => void): void {
    const workers = parkedNeedingDriver(this.deps);
    try {
      body();
    } finally {
      this.startWorkers(workers);
    }
  }

  /** A worker for each of these executions that nobody runs (one finding it run by someone else would leave it). */
  private startWorkers(ids: readonly string[]): void {
    for (const id of ids) if (!hasLiveOwner(this.deps, id)) this.drive(this.labelOf(id));
  }

  /** Runs a control function as another `pipe` command would; the execution is driven again when nobody runs it. */
  control(kind: 'approve' | 'reject' | 'stop' | 'abandon', label: string, arg: string): void {
    this.asCommand(() => {
      const id = this.idOf(label);
      const result =
        kind === 'approve' || kind === 'reject'
          ? answerApproval(this.deps, id, arg.split(' ')[0] ?? '', { approve: kind === 'approve', ...(rest(arg) ? { summary: rest(arg) } : {}) })
          : requestStop(this.deps, id, { abandon: kind === 'abandon', ...(arg ? { reason: arg } : {}) });
      if (result.needsDriver) this.drive(label);
    });
  }

  retry(label: string, stage: string, allActions: boolean): void {
    this.asCommand(() => {
      prepareRetry(this.engine, this.deps, this.idOf(label), stage, { allActions, currentStructureDigest: this.plan.structureDigest });
      this.drive(label);
    });
  }

  rollback(label: string, stage: string, to: string | undefined): void {
    this.asCommand(() => {
      const r = prepareRollback(this.engine, this.deps, this.plan, stage, {
        ...(to ? { to: this.idOf(to) } : {}),
        trigger: { triggerType: 'ManualRollback', triggerDetail: 'scenario' },
        artifactRoot: this.artifactRoot,
      });
      this.register(label, r.executionId);
      this.drive(label);
    });
  }

  transition(stage: string, enable: boolean, reason: string): void {
    this.asCommand(() => setTransition(this.deps, this.plan, stage, enable ? { enable: true } : { enable: false, reason }));
  }

  /** The clock runs past an approval's timeout: its expiry is moved into the past. */
  expire(label: string, stageAction: string): void {
    const [stage, action] = stageAction.split('.');
    const changed = this.db
      .prepare("UPDATE approvals SET expires_at = ? WHERE execution_id = ? AND stage = ? AND action = ? AND status = 'Waiting'")
      .run(new Date(Date.now() - 1000).toISOString(), this.idOf(label), stage, action).changes;
    if (changed !== 1) throw new Error(`${label} ${stageAction} has no waiting approval to expire`);
  }

  /**
   * Waits until `cond` holds. Fails at once when the fake saw a call out of order or a drive threw, and after the
   * deadline with what every execution is doing.
   */
  async until(what: string, cond: () => boolean): Promise<void> {
    const deadline = Date.now() + DEADLINE_MS;
    for (;;) {
      this.checkHealthy();
      if (cond()) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}\n${this.snapshot()}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  checkHealthy(): void {
    const v = this.executor.violations[0];
    if (v) throw new Error(`the fake executor failed the scenario: ${v}\n${this.snapshot()}`);
    for (const [label, d] of this.drives) {
      if (d.error) throw new Error(`driving ${label} threw: ${String((d.error as Error).stack ?? d.error)}`);
    }
  }

  snapshot(): string {
    const lines = this.executionLabels.map((label) => {
      const e = this.store.getExecution(this.idOf(label));
      const wait = e?.waitingFor ? `, waiting in front of ${e.waitingFor.stage}` : '';
      const stages = e?.stages.map((s) => `${s.stage}#${s.attempt} ${s.status}`).join(', ');
      return `  ${label}: ${e?.status ?? '?'}${wait}; stages: ${stages || 'none'}; drive ${this.drives.get(label)?.settled ? 'ended' : 'running'}`;
    });
    const running = this.executor.calls.filter((c) => c.state === 'running').map((c) => c.key);
    return `${lines.join('\n')}\n  calls: ${this.executor.calls.map((c) => c.key).join(', ') || 'none'}\n  running calls: ${running.join(', ') || 'none'}`;
  }

  /** The status events (execution, stage, action) of one execution's event log, one line each. */
  statusEvents(label: string): string[] {
    const out: string[] = [];
    let after = 0;
    for (;;) {
      const page = this.store.eventsAfter(after, this.idOf(label));
      if (page.length === 0) return out;
      for (const { seq, event } of page) {
        after = seq;
        const line = renderEvent(event);
        if (line) out.push(this.normalise(line));
      }
    }
  }

  /** Each stage attempt of an execution, in attempt order. */
  stageAttempts(label: string): { stage: string; attempt: number; status: string; retryTrigger: string | null }[] {
    return this.db
      .prepare('SELECT stage, attempt, status, retry_trigger AS retryTrigger FROM stage_executions WHERE execution_id = ? ORDER BY attempt, rowid')
      .all(this.idOf(label)) as { stage: string; attempt: number; status: string; retryTrigger: string | null }[];
  }

  /** Ends the scenario: stops every drive still going, frees the fake's calls, closes and removes the store. */
  async close(): Promise<void> {
    this.stopAll.abort('the scenario ended');
    this.executor.releaseAll();
    await Promise.race([Promise.all([...this.drives.values()].map((d) => d.promise)), new Promise((r) => setTimeout(r, DEADLINE_MS))]);
    this.engine.close();
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function rest(arg: string): string {
  return arg.split(' ').slice(1).join(' ');
}

function renderEvent(e: RunEvent): string | undefined {
  const attempt = (n: number | undefined) => (n !== undefined && n > 1 ? ` #${n}` : '');
  switch (e.type) {
    case 'execution':
      return `execution ${e.status}${e.message ? `: ${e.message}` : ''}`;
    case 'stage':
      return `stage ${e.stage} ${e.status}${attempt(e.attempt)}${e.retryTrigger ? ` ${e.retryTrigger}` : ''}`;
    case 'action':
      return `action ${e.stage}.${e.action} ${e.status}${attempt(e.attempt)}${e.message ? `: ${e.message}` : ''}`;
    default:
      return undefined;
  }
}
