// Deployments whose owner died mid-way (the process killed during a canary): whichever process comes next takes
// them over, puts the alias back on the original version with no weights, and records them Failed with why.
import { newOwner } from '../execute/index.js';
import type { Db } from '../infra/index.js';
import type { LambdaApi } from '../registry/index.js';
import { DeploymentStore } from './deployment-store.js';

/** Deployments whose owner died: alias back on the original version, deployment Failed with the reason. */
export async function recoverDeployments(db: Db, lambda: LambdaApi): Promise<void> {
  const store = new DeploymentStore(db);
  for (const d of store.claimOrphans(newOwner())) {
    let undone: string;
    try {
      await rollBackAlias(lambda, d.functionName, d.alias, d.currentVersion);
      undone = `alias ${d.alias} rolled back to version ${d.currentVersion}`;
    } catch (e) {
      // The function or the alias is gone (a stack deleted meanwhile): nothing to put back.
      undone = `alias ${d.alias} could not be rolled back: ${e instanceof Error ? e.message : String(e)}`;
    }
    for (const e of d.lifecycleEvents) {
      if (e.status === 'InProgress') store.setEvent(d.deploymentId, e.name, 'Unknown', { message: 'the deployment\'s process ended' });
      else if (e.status === 'Pending') store.setEvent(d.deploymentId, e.name, 'Skipped');
    }
    store.setWeight(d.deploymentId, 0);
    if (d.status === 'Created') store.setStatus(d.deploymentId, 'InProgress');
    store.setStatus(d.deploymentId, 'Failed', {
      errorCode: 'INTERNAL_ERROR',
      reason: `the process running the deployment (pid ${d.ownerPid ?? '?'}) ended before it finished; ${undone}`,
    });
  }
}

/** The alias on `version` with no additional weight; tried three times (a busy database, a server restarting). */
export async function rollBackAlias(lambda: LambdaApi, functionName: string, alias: string, version: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await lambda.updateAlias({ FunctionName: functionName, Name: alias, FunctionVersion: version, RoutingConfig: { AdditionalVersionWeights: {} } });
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}
