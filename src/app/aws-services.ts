// The AWS APIs a pipe server mounts beside Lambda's on one port (one --endpoint-url for everything): each room
// that serves one exports its AwsService, and this list wires them to PIPE_HOME.
import { join } from 'node:path';
import type { AwsService } from '../core/index.js';
import { openDatabase } from '../infra/index.js';
import type { Db } from '../infra/index.js';
import type { Registry } from '../registry/index.js';
import { openLocalSecrets, openSecretCipher, secretsManagerService, ssmService } from '../secrets/index.js';
import type { SecretCipher } from '../secrets/index.js';

export interface AwsServiceDeps {
  home: string;
  registry: Registry;
  /** PIPE_HOME's state database and key, when the caller has them open (else opened from `home`). */
  db?: Db;
  cipher?: SecretCipher;
}

export function awsServices(deps: AwsServiceDeps): AwsService[] {
  const db = deps.db ?? openDatabase(join(deps.home, 'state.db'));
  const secrets = openLocalSecrets(db, deps.cipher ?? openSecretCipher(deps.home));
  return [ssmService(secrets.parameters), secretsManagerService(secrets.secrets)];
}
