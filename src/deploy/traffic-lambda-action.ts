// The Deploy/Lambda executor (CodePipeline's Lambda deploy action): the target version is PublishedTargetVersion,
// or the input artifact's zip deployed to $LATEST and published; with a FunctionAlias the alias moves to it by the
// DeployStrategy (AllAtOnce by default) while the named Alarms are watched, and goes back where it was on failure.
// Output variable: FunctionVersion.
import { readFile } from 'node:fs/promises';
import { PipeError } from '../core/index.js';
import type { ConfigValue } from '../core/index.js';
import type { ActionContext, ActionExecutor, ActionOutcome } from '../execute/index.js';
import type { Db } from '../infra/index.js';
import type { LambdaApi } from '../registry/index.js';
import { AlarmStore } from './alarm-store.js';
import { recoverDeployments } from './deployment-recovery.js';
import { actionTimeScale } from './time-scale.js';
import type { TimeScaleOption } from './time-scale.js';
import { parseDeploymentType } from './traffic-schedule.js';
import { shiftTraffic } from './traffic-shift.js';
import type { AlarmSpec } from './traffic-types.js';

export interface LambdaDeployDeps {
  /** The registry for one action run (and the state database beside it); closed when the action ends. */
  openRegistry: () => Promise<{ lambda: LambdaApi; db: Db; close(): Promise<void> }>;
  /** The deploy time scale: fixed, or per action (the pipeline's); absent: PIPE_DEPLOY_TIME_SCALE, else 1. */
  timeScale?: TimeScaleOption;
}

export function createLambdaDeployExecutor(deps: LambdaDeployDeps): ActionExecutor {
  return { run: (ctx) => runLambdaDeploy(deps, ctx) };
}

async function runLambdaDeploy(deps: LambdaDeployDeps, ctx: ActionContext): Promise<ActionOutcome> {
  const c = ctx.configuration;
  const functionName = text(c, 'FunctionName') ?? '';
  const alias = text(c, 'FunctionAlias');
  const published = text(c, 'PublishedTargetVersion');
  const strategy = text(c, 'DeployStrategy') ?? 'AllAtOnce';
  const alarmNames = (text(c, 'Alarms') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const input = ctx.inputs[0];
  if (published === undefined && input === undefined) {
    throw new PipeError('INVALID_SPEC', `${ctx.action.id}: Deploy/Lambda needs PublishedTargetVersion or an input artifact holding the function's code`);
  }
  parseDeploymentType(strategy); // a strategy given by a variable is checked once it is known
  const { lambda, db, close } = await deps.openRegistry();
  try {
    await recoverDeployments(db, lambda);
    let version: string;
    if (published !== undefined) {
      version = (await lambda.getFunctionConfiguration({ FunctionName: functionName, Qualifier: published })).Version ?? published;
      ctx.log('system', `target: ${functionName} version ${version} (PublishedTargetVersion)`);
    } else {
      const zip = await readFile(input?.path ?? '');
      await lambda.updateFunctionCode({ FunctionName: functionName, ZipFile: zip });
      await lambda.waitUntilReady({ FunctionName: functionName });
      version = (await lambda.publishVersion({ FunctionName: functionName })).Version ?? '$LATEST';
      ctx.log('system', `deployed ${input?.name ?? 'the input artifact'} to ${functionName}:$LATEST and published version ${version}`);
    }
    if (alias === undefined) return succeeded(version, `published ${functionName} version ${version}`);
    const current = await lambda.getAlias({ FunctionName: functionName, Name: alias });
    const weights = current.RoutingConfig?.AdditionalVersionWeights ?? {};
    if (Object.keys(weights).length > 0) {
      return { status: 'Failed', message: `alias ${functionName}:${alias} routes traffic to two versions (${JSON.stringify(weights)}); the rollback target must be one version` };
    }
    const from = current.FunctionVersion ?? '';
    if (from === version) return succeeded(version, `${functionName}:${alias} already on version ${version}`);
    const alarms: AlarmSpec[] = [];
    const store = new AlarmStore(db);
    for (const name of alarmNames) {
      const spec = store.get(name);
      // An alarm that cannot be read stops the deployment, as CodeDeploy's ignorePollAlarmFailure=false does.
      if (!spec) return { status: 'Failed', message: `alarm ${name} is not defined (aws cloudwatch put-metric-alarm --endpoint-url ... defines it)` };
      alarms.push(spec);
    }
    const result = await shiftTraffic({
      lambda, db, functionName, alias, currentVersion: from, targetVersion: version, deploymentType: strategy, alarms,
      executionId: ctx.executionId, signal: ctx.signal, onEvent: (e) => ctx.log('system', e.message),
      timeScale: actionTimeScale(deps.timeScale, ctx),
    });
    if (result.status === 'Succeeded') {
      return { ...succeeded(version, `${functionName}:${alias} moved from version ${from} to ${version} (${strategy})`), externalExecutionId: result.deploymentId };
    }
    return {
      status: 'Failed', externalExecutionId: result.deploymentId,
      message: `deployment ${result.deploymentId} ${result.status === 'Stopped' ? 'stopped' : 'failed'}: ${result.reason ?? 'no reason recorded'}; ${functionName}:${alias} is back on version ${from}`,
    };
  } finally {
    await close();
  }
}

function succeeded(version: string, summary: string): ActionOutcome {
  return { status: 'Succeeded', outputVariables: { FunctionVersion: version }, artifacts: [], summary };
}

function text(c: Record<string, ConfigValue>, key: string): string | undefined {
  const v = c[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}
