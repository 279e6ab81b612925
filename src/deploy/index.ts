// The deploy room: stacks, traffic shifting, and the Deploy and Invoke executors; talks to the registry through LambdaApi.
// Invoke/Lambda: CodePipeline jobs, their JSON API and artifact bucket.
export { createInvokeExecutor, JOB_TIMEOUT_MS } from './invoke-action.js';
export { actionTimeScale, deployTimeScale } from './time-scale.js';
export type { TimeScaleOption } from './time-scale.js';
export type { InvokeExecutorOptions, LambdaSession } from './invoke-action.js';
export { codePipelineJobService, jobArtifactBucket, artifactBucketName } from './job-api.js';
export { JobStore } from './job-store.js';
export type { JobArtifact, JobRecord, JobResult } from './job-store.js';
// Traffic shifting (CodeDeploy-style deployments of an alias), hooks, alarms, and the CodeDeploy and CloudWatch APIs.
export { shiftTraffic } from './traffic-shift.js';
export { recoverDeployments } from './deployment-recovery.js';
export type { AlarmSpec, TrafficShiftRequest, TrafficShiftResult } from './traffic-types.js';
export { parseDeploymentType } from './traffic-schedule.js';
export type { TrafficSchedule, TrafficStep } from './traffic-schedule.js';
export { DeploymentStore } from './deployment-store.js';
export type { DeploymentAlarmState, DeploymentRecord, DeploymentStep, LifecycleEventRecord } from './deployment-store.js';
export { DeployLog, followDeployLog, DEPLOYMENT_CHANGES } from './deploy-log.js';
export type { DeployLogEntry, DeployLogRow, DeploymentChange } from './deploy-log.js';
export { ALARM_STATES, checkAlarmSpec, evaluateAlarm } from './alarm-evaluate.js';
export type { AlarmEvaluation, AlarmState } from './alarm-evaluate.js';
export { codeDeployService, deploymentInfo } from './deployment-codedeploy.js';
export { cloudWatchService } from './metrics-cloudwatch.js';
export { AlarmStore } from './alarm-store.js';
export { createLambdaDeployExecutor } from './traffic-lambda-action.js';
export type { LambdaDeployDeps } from './traffic-lambda-action.js';
// Stacks from SAM / CloudFormation templates: plan, create, update, delete, rollback, recovery, the CloudFormation API.
export { planStack } from './stack-plan.js';
export type { StackPlan, ResourceChange, PlannedFunction } from './stack-plan.js';
export { STACK_NAME_PATTERN } from './template-parameters.js';
export { StackStore } from './stack-store.js';
export type { StackRecord, StackEvent, StackOutput, StackResourceRecord } from './stack-store.js';
export { checkStackName, deleteStack, deployStack, hasOrphanedStacks, listGatewayRoutes, planStackChanges, recoverStacks } from './stack-service.js';
export type { DeployRequest, DeployResult, StackContext } from './stack-service.js';
export { shiftAtOnce } from './stack-traffic.js';
export type { ShiftTraffic, StackTrafficShift, StackTrafficResult } from './stack-traffic.js';
export { cloudFormationService } from './stack-aws-api.js';
export type { CloudFormationDeps } from './stack-aws-api.js';
export { createCloudFormationExecutor } from './stack-executor.js';
export type { CloudFormationExecutorDeps } from './stack-executor.js';
