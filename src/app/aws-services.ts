// The AWS APIs a pipe server mounts beside Lambda's on one port (one --endpoint-url for everything): each room
// that serves one exports its AwsService, and this list wires them to PIPE_HOME.
import { join } from 'node:path';
import type { AwsService } from '../core/index.js';
import { cloudWatchService, codeDeployService } from '../deploy/index.js';
import { openDatabase } from '../infra/index.js';
import type { Db } from '../infra/index.js';
import type { Registry } from '../registry/index.js';

export interface AwsServiceDeps {
  home: string;
  registry: Registry;
  /** The state database of `home`, if already open (else opened at the first call that needs it). */
  db?: Db;
}

export function awsServices(deps: AwsServiceDeps): AwsService[] {
  let db = deps.db;
  const stateDb = () => (db ??= openDatabase(join(deps.home, 'state.db')));
  return [
    codeDeployService(stateDb),
    cloudWatchService(stateDb, () => deps.registry.flushMetrics()),
  ];
}
