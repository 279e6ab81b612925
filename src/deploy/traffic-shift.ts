// One CodeDeploy-style deployment of a Lambda alias, run to its end: Start, BeforeAllowTraffic (the PreTraffic
// hook), AllowTraffic (the alias's weights moved step by step, alarms watched between steps), AfterAllowTraffic
// (the PostTraffic hook, alarms still watched), End. Any failure or a stop puts the alias back on the version it
// had, with no weights, and records why. Each move is one UpdateAlias: an invocation through the alias resolves it
// once, so no switch ever makes one fail.
import { PipeError, sleepUnlessAborted } from '../core/index.js';
import type { LifecycleEventName } from '../core/index.js';
import { newOwner } from '../execute/index.js';
import type { Owner } from '../execute/index.js';
import type { LambdaApi } from '../registry/index.js';
import { checkAlarmSpec, evaluateAlarm } from './alarm-evaluate.js';
import type { AlarmState } from './alarm-evaluate.js';
import { DeploymentStore } from './deployment-store.js';
import { DeploymentHalt } from './deployment-halt.js';
import { runHook } from './deployment-hooks.js';
import { recoverDeployments, rollBackAlias } from './deployment-recovery.js';
import { parseDeploymentType } from './traffic-schedule.js';
import { deployTimeScale } from './time-scale.js';
import type { TrafficSchedule } from './traffic-schedule.js';
import type { AlarmSpec, TrafficShiftRequest, TrafficShiftResult } from './traffic-types.js';

/** How often a waiting deployment looks at its alarms, its stop signal and its hooks' reports. */
const TICK_MS = 100;
/** How often it renews its lease (a write); the lease lasts 15 s. */
const RENEW_MS = 1000;

/** Runs one deployment to its end. On failure it has already put the alias back on currentVersion, no weights. */
export async function shiftTraffic(req: TrafficShiftRequest): Promise<TrafficShiftResult> {
  const schedule = parseDeploymentType(req.deploymentType);
  for (const a of req.alarms ?? []) checkAlarmSpec(a);
  const timeScale = req.timeScale ?? deployTimeScale();
  if (!(timeScale > 0)) throw new PipeError('INVALID_ARGUMENT', `the deploy time scale ${timeScale} is not a positive number`);
  // A deployment whose process died left its alias on two versions; it is rolled back before another starts.
  await recoverDeployments(req.db, req.lambda);
  const store = new DeploymentStore(req.db);
  const owner = newOwner();
  const hooks = { ...(req.hooks?.preTraffic ? { preTraffic: req.hooks.preTraffic } : {}), ...(req.hooks?.postTraffic ? { postTraffic: req.hooks.postTraffic } : {}) };
  const deploymentId = store.create({
    functionName: req.functionName, alias: req.alias, currentVersion: req.currentVersion, targetVersion: req.targetVersion,
    deploymentType: schedule.name, timeScale, hooks, alarms: req.alarms ?? [], steps: schedule.steps,
    ...(req.stackName ? { stackName: req.stackName } : {}), ...(req.logicalId ? { logicalId: req.logicalId } : {}), ...(req.executionId ? { executionId: req.executionId } : {}),
  }, owner); // refused when a live deployment holds the alias
  return new DeploymentRun(req, store, owner, deploymentId, schedule, timeScale).run();
}

class DeploymentRun {
  private readonly alarmStates = new Map<string, AlarmState>();
  /** Whether the alias has been touched: a deployment that fails before AllowTraffic leaves it as it found it. */
  private moved = false;
  private renewedAt = 0;
  private readonly emit: (type: string, message: string) => void;

  constructor(
    private readonly req: TrafficShiftRequest,
    private readonly store: DeploymentStore,
    private readonly owner: Owner,
    private readonly id: string,
    private readonly schedule: TrafficSchedule,
    private readonly timeScale: number,
  ) {
    this.emit = (type, message) => req.onEvent?.({ type, message });
  }

  private get lambda(): LambdaApi {
    return this.req.lambda;
  }

  async run(): Promise<TrafficShiftResult> {
    const { functionName, alias, currentVersion, targetVersion } = this.req;
    const scaled = this.timeScale === 1 ? '' : ` at ${this.timeScale}x time`;
    this.emit('deployment-started', `deployment ${this.id}: ${functionName}:${alias} from version ${currentVersion} to ${targetVersion}, ${this.schedule.name}${scaled}`);
    let event: LifecycleEventName = 'Start';
    try {
      this.store.setStatus(this.id, 'InProgress');
      this.store.setEvent(this.id, 'Start', 'InProgress');
      await this.checkPreconditions();
      this.store.setEvent(this.id, 'Start', 'Succeeded');
      event = 'BeforeAllowTraffic';
      await this.hook('BeforeAllowTraffic', this.req.hooks?.preTraffic);
      event = 'AllowTraffic';
      this.store.setEvent(this.id, 'AllowTraffic', 'InProgress');
      await this.moveTraffic();
      this.store.setEvent(this.id, 'AllowTraffic', 'Succeeded');
      event = 'AfterAllowTraffic';
      await this.hook('AfterAllowTraffic', this.req.hooks?.postTraffic);
      event = 'End';
      this.store.setEvent(this.id, 'End', 'InProgress');
      this.store.setEvent(this.id, 'End', 'Succeeded');
      this.store.setStatus(this.id, 'Succeeded');
      this.emit('deployment-succeeded', `deployment ${this.id} succeeded: ${functionName}:${alias} is on version ${targetVersion}`);
      return { deploymentId: this.id, status: 'Succeeded' };
    } catch (e) {
      if (e instanceof LostOwnership) return this.lost();
      const halt = e instanceof DeploymentHalt ? e : new DeploymentHalt('Failed', 'INTERNAL_ERROR', `${event} failed: ${e instanceof Error ? e.message : String(e)}`);
      return this.rollBack(halt, event);
    }
  }

  private async checkPreconditions(): Promise<void> {
    const { functionName, alias, currentVersion, targetVersion } = this.req;
    const a = await this.lambda.getAlias({ FunctionName: functionName, Name: alias });
    const weights = a.RoutingConfig?.AdditionalVersionWeights ?? {};
    if (a.FunctionVersion !== currentVersion) {
      throw new DeploymentHalt('Failed', 'INVALID_LAMBDA_CONFIGURATION', `alias ${alias} points at version ${a.FunctionVersion}, not at the current version ${currentVersion}`);
    }
    if (Object.keys(weights).length > 0) {
      throw new DeploymentHalt('Failed', 'INVALID_LAMBDA_CONFIGURATION', `alias ${alias} already routes traffic to two versions (${JSON.stringify(weights)}); a deployment needs it on one`);
    }
    await this.lambda.getFunctionConfiguration({ FunctionName: functionName, Qualifier: targetVersion });
  }

  private async hook(name: 'BeforeAllowTraffic' | 'AfterAllowTraffic', fn: string | undefined): Promise<void> {
    await runHook({
      store: this.store, lambda: this.lambda, deploymentId: this.id, event: name, functionName: fn, timeScale: this.timeScale,
      emit: this.emit, tick: () => this.tick(name === 'AfterAllowTraffic'),
    });
  }

  /** Each step at its time (AWS minutes divided by the time scale); alarms are watched while waiting. */
  private async moveTraffic(): Promise<void> {
    const { functionName, alias, currentVersion, targetVersion } = this.req;
    const start = Date.now();
    for (const [i, step] of this.schedule.steps.entries()) {
      await this.waitUntil(start + (step.atMinutes * 60_000) / this.timeScale);
      this.moved = true;
      if (step.weight >= 1) {
        await this.lambda.updateAlias({ FunctionName: functionName, Name: alias, FunctionVersion: targetVersion, RoutingConfig: { AdditionalVersionWeights: {} } });
      } else {
        await this.lambda.updateAlias({ FunctionName: functionName, Name: alias, FunctionVersion: currentVersion, RoutingConfig: { AdditionalVersionWeights: { [targetVersion]: step.weight } } });
      }
      this.store.setWeight(this.id, step.weight);
      this.store.stepDone(this.id, i + 1);
      this.emit('traffic-shifted', step.weight >= 1
        ? `${functionName}:${alias} -> version ${targetVersion} (100%)`
        : `${functionName}:${alias} -> version ${targetVersion} ${Math.round(step.weight * 100)}%, version ${currentVersion} ${Math.round((1 - step.weight) * 100)}%`);
    }
  }

  private async waitUntil(deadline: number): Promise<void> {
    for (;;) {
      await this.tick(true);
      const left = deadline - Date.now();
      if (left <= 0) return;
      await sleepUnlessAborted(Math.min(TICK_MS, left), this.req.signal);
    }
  }

  /** One look at what may end the deployment: a stop, an alarm in ALARM, the lease taken by another process. */
  private async tick(watchAlarms: boolean): Promise<void> {
    if (this.req.signal?.aborted) throw new DeploymentHalt('Stopped', 'MANUAL_STOP', 'the deployment was stopped');
    if (Date.now() - this.renewedAt >= RENEW_MS) {
      if (!this.store.renew(this.id, this.owner)) throw new LostOwnership();
      this.renewedAt = Date.now();
    }
    if (!watchAlarms) return;
    for (const a of this.req.alarms ?? []) this.checkAlarm(a);
  }

  private checkAlarm(a: AlarmSpec): void {
    const known = this.alarmStates.get(a.name);
    const previous = known ?? 'INSUFFICIENT_DATA';
    const e = evaluateAlarm(this.req.db, a, { timeScale: this.timeScale, previous });
    this.alarmStates.set(a.name, e.state);
    // The first evaluation and each change are recorded (and so pushed to a page): the store holds what was seen last.
    if (e.state !== known) this.store.setAlarmState(this.id, a.name, e.state, e.reason);
    if (e.state !== previous) this.emit('alarm-state', `alarm ${a.name}: ${previous} -> ${e.state} (${e.reason})`);
    if (e.state === 'ALARM') throw new DeploymentHalt('Failed', 'ALARM_ACTIVE', `alarm ${a.name} is in ALARM: ${e.reason}`);
  }

  private async rollBack(halt: DeploymentHalt, at: LifecycleEventName): Promise<TrafficShiftResult> {
    const { functionName, alias, currentVersion } = this.req;
    const started = performance.now();
    if (this.moved) await rollBackAlias(this.lambda, functionName, alias, currentVersion);
    this.store.setWeight(this.id, 0);
    this.closeEvents(at);
    const reason = halt.reason;
    this.store.setStatus(this.id, halt.status, { errorCode: halt.code, reason });
    const undone = this.moved
      ? `${functionName}:${alias} rolled back to version ${currentVersion} in ${Math.round(performance.now() - started)} ms`
      : `${functionName}:${alias} left on version ${currentVersion} (no traffic had moved)`;
    this.emit('deployment-rolled-back', `deployment ${this.id} ${halt.status === 'Stopped' ? 'stopped' : 'failed'} (${halt.code}): ${reason}; ${undone}`);
    return { deploymentId: this.id, status: halt.status, reason };
  }

  /** The event that was running ends Failed (unless a hook already said so), the ones after it Skipped. */
  private closeEvents(at: LifecycleEventName): void {
    const events = this.store.get(this.id)?.lifecycleEvents ?? [];
    for (const e of events) {
      if (e.status === 'InProgress') this.store.setEvent(this.id, e.name, e.name === at ? 'Failed' : 'Unknown');
      else if (e.status === 'Pending') this.store.setEvent(this.id, e.name, 'Skipped');
    }
  }

  /** Another process recovered this deployment (its lease ran out): it rolled it back, nothing is left to do here. */
  private lost(): TrafficShiftResult {
    const d = this.store.get(this.id);
    const reason = d?.reason ?? 'the deployment was taken over by another process';
    this.emit('deployment-lost', `deployment ${this.id}: ${reason}`);
    return { deploymentId: this.id, status: d?.status === 'Stopped' ? 'Stopped' : 'Failed', reason };
  }
}

class LostOwnership extends Error {}

