// The stack and deployment shapes the Stacks page reads from the JSON API (server/stacks-model.ts answers them):
// only the fields shown. (The deploy room's types are not imported: they bring the database into the browser's check.)
export interface StackRow { name: string; status: string; statusReason?: string; description?: string; createdAt: string; updatedAt: string; resources: number }
export interface StackResourceRow { logicalId: string; type: string; physicalId?: string; status: string; statusReason?: string; updatedAt: string }
export interface StackEventRow { LogicalResourceId: string; PhysicalResourceId: string; ResourceType: string; ResourceStatus: string; ResourceStatusReason?: string; Timestamp: string }
export interface StackOutputRow { OutputKey: string; OutputValue: string; Description?: string }
export interface DeploymentView {
  deploymentId: string;
  functionName: string;
  alias: string;
  currentVersion: string;
  targetVersion: string;
  deploymentType: string;
  status: string;
  errorCode?: string;
  reason?: string;
  weight: number;
  stackName?: string;
  logicalId?: string;
  createdAt: number;
  completedAt?: number;
  steps: { seq: number; weight: number; plannedMinutes: number; at?: number }[];
  lifecycleEvents: { name: string; status: string; hookFunction?: string; message?: string }[];
  alarmNames: string[];
  /** Each alarm's state as the deployment last evaluated it (OK, ALARM, INSUFFICIENT_DATA). */
  alarmStates: { name: string; state: string; reason: string; at?: number }[];
}
export interface StackView { stack: StackRow; resources: StackResourceRow[]; events: StackEventRow[]; outputs: StackOutputRow[]; deployments: DeploymentView[] }
