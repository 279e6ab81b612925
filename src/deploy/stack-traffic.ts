// The seam to traffic shifting: what the stack deploy asks of it for a function with a DeploymentPreference.
// The traffic room's `shiftTraffic` (CodeDeploy-style steps, hooks, alarms) plugs in through DeployOptions; until
// one is given, the alias moves to the new version at once, which is what AllAtOnce does.
import type { Db } from '../infra/index.js';
import type { LambdaApi } from '../registry/index.js';

/** An AWS::CloudWatch::Alarm of the template, resolved (the shape the traffic room evaluates). */
export interface StackAlarmSpec {
  name: string;
  metricName: string;
  namespace: string;
  dimensions: Record<string, string>;
  statistic: string;
  period: number;
  evaluationPeriods: number;
  threshold: number;
  comparisonOperator: string;
  treatMissingData?: string;
}

export interface StackTrafficShift {
  lambda: LambdaApi;
  db: Db;
  functionName: string;
  alias: string;
  currentVersion: string;
  targetVersion: string;
  deploymentType: string;
  hooks?: { preTraffic?: string; postTraffic?: string };
  alarms?: StackAlarmSpec[];
  timeScale?: number;
  stackName?: string;
  logicalId?: string;
  executionId?: string;
  signal?: AbortSignal;
  onEvent?: (e: { type: string; message: string }) => void;
}

export interface StackTrafficResult {
  deploymentId: string;
  status: 'Succeeded' | 'Failed' | 'Stopped';
  reason?: string;
}

export type ShiftTraffic = (req: StackTrafficShift) => Promise<StackTrafficResult>;

/** AllAtOnce: the alias on the target version, no additional weights. */
export const shiftAtOnce: ShiftTraffic = async (req) => {
  await req.lambda.updateAlias({ FunctionName: req.functionName, Name: req.alias, FunctionVersion: req.targetVersion, RoutingConfig: { AdditionalVersionWeights: {} } });
  req.onEvent?.({ type: 'traffic', message: `alias ${req.alias} of ${req.functionName}: version ${req.currentVersion} -> ${req.targetVersion} (all at once)` });
  return { deploymentId: `local-${req.functionName}-${req.targetVersion}`, status: 'Succeeded' };
};
