// The deploy room: stacks from SAM / CloudFormation templates (plan, create, update, delete, rollback,
// recovery), traffic shifting, and the Deploy / Invoke executors. Talks to the registry through the LambdaApi port.
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
