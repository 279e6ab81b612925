// What the Stacks page shows, as the CloudFormation console does: stacks with their status; a stack's resources
// (physical ids, statuses), events, outputs, and its deployments (traffic steps, lifecycle hooks, alarms), read
// from the deploy room's stores in the state database.
import { PipeError } from '../core/index.js';
import { DeploymentStore, StackStore } from '../deploy/index.js';
import type { AlarmState, DeploymentRecord, StackEvent, StackOutput } from '../deploy/index.js';
import type { Db } from '../infra/index.js';

export interface StackRow {
  name: string;
  status: string;
  statusReason?: string;
  description?: string;
  createdAt: string;
  updatedAt: string;
  resources: number;
}

export interface StackResourceRow { logicalId: string; type: string; physicalId?: string; status: string; statusReason?: string; updatedAt: string }

export interface DeploymentView extends Omit<DeploymentRecord, 'ownerPid' | 'alarmStates'> {
  /** The alarms the deployment watches (one in ALARM stops it: errorCode ALARM_ACTIVE). */
  alarmNames: string[];
  /** Each alarm's state as the deployment last evaluated it; INSUFFICIENT_DATA until it is first evaluated. */
  alarmStates: DeploymentAlarmView[];
}

export interface DeploymentAlarmView {
  name: string;
  state: AlarmState;
  reason: string;
  at?: number;
}

export interface StackView {
  stack: StackRow;
  resources: StackResourceRow[];
  events: StackEvent[];
  outputs: StackOutput[];
  deployments: DeploymentView[];
}

export function listStacks(db: Db): StackRow[] {
  const store = new StackStore(db);
  return store.list().map((s) => rowOf(s, store.resources(s.name).length));
}

function rowOf(s: ReturnType<StackStore['list']>[number], resources: number): StackRow {
  return {
    name: s.name, status: s.status, createdAt: s.createdAt, updatedAt: s.updatedAt, resources,
    ...(s.statusReason ? { statusReason: s.statusReason } : {}), ...(s.description ? { description: s.description } : {}),
  };
}

/** Deployments of the stack's functions, newest first (a few: the page shows progress, not history). */
export function stackDeployments(db: Db, stackName: string, limit = 10): DeploymentView[] {
  return new DeploymentStore(db).list(200).filter((d) => d.stackName === stackName).slice(0, limit).map(deploymentViewOf);
}

export function deploymentViewOf(d: DeploymentRecord): DeploymentView {
  const { ownerPid: _owner, alarmStates, ...rest } = d;
  return {
    ...rest,
    alarmNames: d.alarms.map((a) => a.name),
    alarmStates: d.alarms.map((a): DeploymentAlarmView => {
      const seen = alarmStates[a.name];
      return seen ? { name: a.name, ...seen } : { name: a.name, state: 'INSUFFICIENT_DATA', reason: 'not evaluated yet: alarms are watched from AllowTraffic on' };
    }),
  };
}

export function stackView(db: Db, name: string): StackView {
  const store = new StackStore(db);
  const s = store.get(name);
  if (!s) throw new PipeError('NOT_FOUND', `no stack ${name}`);
  const resources = store.resources(name);
  return {
    stack: rowOf(s, resources.length),
    resources: resources.map((r) => ({
      logicalId: r.logicalId, type: r.type, status: r.status, updatedAt: r.updatedAt,
      ...(r.physicalId ? { physicalId: r.physicalId } : {}), ...(r.statusReason ? { statusReason: r.statusReason } : {}),
    })),
    events: store.events(name),
    outputs: s.outputs,
    deployments: stackDeployments(db, name),
  };
}
