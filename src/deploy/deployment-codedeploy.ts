// The CodeDeploy JSON API pipe serves to function environments (X-Amz-Target CodeDeploy_20141006.*): the hooks'
// PutLifecycleEventHookExecutionStatus, and GetDeployment / ListDeployments over the recorded deployments.
import { AwsApiError } from '../core/index.js';
import type { AwsService } from '../core/index.js';
import type { Db } from '../infra/index.js';
import { DeploymentStore } from './deployment-store.js';
import type { DeploymentRecord } from './deployment-store.js';

const HOOK_ERRORS = {
  DeploymentDoesNotExistException: (id: string) => `The deployment ${id} could not be found.`,
  InvalidLifecycleEventHookExecutionIdException: () => 'The lifecycle event hook execution id is not valid for this deployment.',
  InvalidLifecycleEventHookExecutionStatusException: () => 'The status must be Succeeded or Failed.',
  LifecycleEventAlreadyCompletedException: () => 'The lifecycle event hook execution has already completed.',
} as const;

/** The service over a state database (opened when the first call comes, so mounting it costs nothing). */
export function codeDeployService(openDb: () => Db): AwsService {
  let store: DeploymentStore | undefined;
  const deployments = () => (store ??= new DeploymentStore(openDb()));
  return {
    signingName: 'codedeploy',
    protocol: 'json',
    targetPrefix: 'CodeDeploy_20141006',
    jsonVersion: '1.1',
    operations: {
      async PutLifecycleEventHookExecutionStatus(input) {
        const deploymentId = requireString(input, 'deploymentId', 'DeploymentIdRequiredException');
        const hookId = requireString(input, 'lifecycleEventHookExecutionId', 'LifecycleEventHookExecutionIdRequiredException');
        const status = typeof input['status'] === 'string' ? input['status'] : '';
        const r = deployments().reportHook(deploymentId, hookId, status);
        if ('error' in r) throw new AwsApiError(r.error, HOOK_ERRORS[r.error](deploymentId));
        return { lifecycleEventHookExecutionId: hookId };
      },
      async GetDeployment(input) {
        const id = requireString(input, 'deploymentId', 'DeploymentIdRequiredException');
        const d = deployments().get(id);
        if (!d) throw new AwsApiError('DeploymentDoesNotExistException', HOOK_ERRORS.DeploymentDoesNotExistException(id));
        return { deploymentInfo: deploymentInfo(d) };
      },
      async ListDeployments() {
        return { deployments: deployments().list(1000).map((d) => d.deploymentId) };
      },
    },
  };
}

function requireString(input: Record<string, unknown>, key: string, code: string): string {
  const v = input[key];
  if (typeof v !== 'string' || v === '') throw new AwsApiError(code, `${key} is required.`);
  return v;
}

/** GetDeployment's deploymentInfo for a Lambda deployment (dates as Dates: the protocol sends epoch seconds). */
export function deploymentInfo(d: DeploymentRecord): Record<string, unknown> {
  return {
    deploymentId: d.deploymentId,
    applicationName: d.stackName ?? d.functionName,
    deploymentGroupName: d.logicalId ?? `${d.functionName}-${d.alias}`,
    deploymentConfigName: `CodeDeployDefault.Lambda${d.deploymentType}`,
    computePlatform: 'Lambda',
    status: d.status,
    ...(d.errorCode ? { errorInformation: { code: d.errorCode, message: d.reason ?? '' } } : {}),
    createTime: new Date(d.createdAt),
    startTime: new Date(d.createdAt),
    ...(d.completedAt ? { completeTime: new Date(d.completedAt) } : {}),
    creator: d.stackName ? 'CloudFormation' : 'user',
    autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST'] },
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    revision: {
      revisionType: 'AppSpecContent',
      appSpecContent: {
        content: JSON.stringify({
          version: 0.0,
          Resources: [{ [d.logicalId ?? d.functionName]: { Type: 'AWS::Lambda::Function', Properties: { Name: d.functionName, Alias: d.alias, CurrentVersion: d.currentVersion, TargetVersion: d.targetVersion } } }],
          Hooks: [
            ...(d.hooks.preTraffic ? [{ BeforeAllowTraffic: d.hooks.preTraffic }] : []),
            ...(d.hooks.postTraffic ? [{ AfterAllowTraffic: d.hooks.postTraffic }] : []),
          ],
        }),
      },
    },
  };
}
