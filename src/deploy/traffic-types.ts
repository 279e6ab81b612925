// The interface between stacks and traffic shifting (both code to exactly this): what a deployment of an alias is
// asked to do, what it answers, and the alarms it watches.
import type { Db } from '../infra/index.js';
import type { LambdaApi } from '../registry/index.js';

/** An AWS::CloudWatch::Alarm, resolved, or one named in Deploy/Lambda's Alarms. */
export interface AlarmSpec {
  name: string;
  metricName: 'Errors' | 'Throttles' | 'Duration' | 'Invocations' | string;
  /** 'AWS/Lambda' */
  namespace: string;
  /** FunctionName, Resource ('fn:alias'), ExecutedVersion */
  dimensions: Record<string, string>;
  statistic: 'Sum' | 'Average' | 'Maximum' | 'Minimum' | 'SampleCount' | string;
  period: number;
  evaluationPeriods: number;
  threshold: number;
  /** GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold */
  comparisonOperator: string;
  treatMissingData?: string;
}

export interface TrafficShiftRequest {
  lambda: LambdaApi;
  /** The state database (PIPE_HOME/state.db). */
  db: Db;
  functionName: string;
  alias: string;
  /** What the alias points at now. */
  currentVersion: string;
  /** The newly published version. */
  targetVersion: string;
  /** CodeDeploy's (AllAtOnce, Canary10Percent5Minutes, Linear10PercentEvery1Minute, ...) and Deploy/Lambda's CanaryNPercentMMinutes / LinearNPercentEveryMMinutes. */
  deploymentType: string;
  /** Function names (resolved physical names). */
  hooks?: { preTraffic?: string; postTraffic?: string };
  alarms?: AlarmSpec[];
  /** Default from PIPE_DEPLOY_TIME_SCALE, else 1 (real time). */
  timeScale?: number;
  /** For the record and `pipe deployments`. */
  stackName?: string;
  logicalId?: string;
  executionId?: string;
  signal?: AbortSignal;
  /** Progress lines for the caller's log. */
  onEvent?: (e: { type: string; message: string }) => void;
}

export interface TrafficShiftResult {
  deploymentId: string;
  status: 'Succeeded' | 'Failed' | 'Stopped';
  /** Why it failed (hook Failed, alarm X in ALARM, hook timed out, ...). */
  reason?: string;
}
