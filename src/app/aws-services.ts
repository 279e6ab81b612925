// The AWS APIs a pipe server mounts beside Lambda's on one port (one --endpoint-url for everything): each room
// that serves one exports its AwsService, and this list wires them to PIPE_HOME.
import { join } from 'node:path';
import type { AwsService } from '../core/index.js';
import { cloudFormationService } from '../deploy/index.js';
import { openDatabase } from '../infra/index.js';
import type { Registry } from '../registry/index.js';

export interface AwsServiceDeps {
  home: string;
  registry: Registry;
}

export function awsServices(deps: AwsServiceDeps): AwsService[] {
  return [
    cloudFormationService({ home: deps.home, lambda: deps.registry, openDb: () => openDatabase(join(deps.home, 'state.db')), region: deps.registry.defaultRegion, account: deps.registry.account }),
  ];
}
