// Why a deployment ends before its End event: a failure or a stop, with CodeDeploy's error code.
import type { DeploymentErrorCode } from '../core/index.js';

/** Why a deployment ends before its End event: a failure or a stop. */
export class DeploymentHalt extends Error {
  constructor(
    readonly status: 'Failed' | 'Stopped',
    readonly code: DeploymentErrorCode,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'DeploymentHalt';
  }
}
