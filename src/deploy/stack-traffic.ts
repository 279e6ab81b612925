// The seam to traffic shifting: what the stack deploy asks of it for a function with a DeploymentPreference.
// The traffic room's `shiftTraffic` (CodeDeploy-style steps, hooks, alarms) plugs in through DeployOptions; until
// one is given, the alias moves to the new version at once, which is what AllAtOnce does.
import type { AlarmSpec, TrafficShiftRequest, TrafficShiftResult } from './traffic-types.js';

// The stack side speaks the traffic room's own request and result (traffic-types.ts), under the names it uses.
export type StackAlarmSpec = AlarmSpec;
export type StackTrafficShift = TrafficShiftRequest;
export type StackTrafficResult = TrafficShiftResult;

export type ShiftTraffic = (req: StackTrafficShift) => Promise<StackTrafficResult>;

/** AllAtOnce: the alias on the target version, no additional weights. */
export const shiftAtOnce: ShiftTraffic = async (req) => {
  await req.lambda.updateAlias({ FunctionName: req.functionName, Name: req.alias, FunctionVersion: req.targetVersion, RoutingConfig: { AdditionalVersionWeights: {} } });
  req.onEvent?.({ type: 'traffic', message: `alias ${req.alias} of ${req.functionName}: version ${req.currentVersion} -> ${req.targetVersion} (all at once)` });
  return { deploymentId: `local-${req.functionName}-${req.targetVersion}`, status: 'Succeeded' };
};
