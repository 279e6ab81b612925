// Secrets and parameters, locally: the parameter store and secret store (SQLite), resolution of a build's
// references as CodeBuild resolves them, encryption at rest, and the masker that keeps resolved values out of every event.
import type { Db } from '../infra/index.js';
import type { SecretCipher } from './cipher.js';
import { ParameterStore } from './parameter-store.js';
import { SecretStore } from './secret-store.js';

export { ParameterStore, checkParameterName, isParameterType, PARAMETER_TYPES, PARAMETER_VALUE_MAX } from './parameter-store.js';
export type { Parameter, ParameterSummary, ParameterType, PutParameterOptions } from './parameter-store.js';
export { ssmService, parameterArn } from './ssm-service.js';
export { secretsManagerService, secretArn } from './secrets-manager-service.js';
export { SecretStore, checkSecretName, secretNameCandidates, AWSCURRENT, AWSPREVIOUS, SECRET_VALUE_MAX } from './secret-store.js';
export type { SecretSummary, SecretValue, SecretVersionSelector, SecretVersionSummary } from './secret-store.js';
export { resolveBuildSecrets, EMPTY_SECRET_SOURCE, EXPORT_ERROR, PARAMETER_STORE_ERROR, SECRETS_MANAGER_ERROR } from './resolver.js';
export type { ResolvedBuildSecrets, SecretFailure, SecretResolution, SecretSource } from './resolver.js';
export { SecretMasker, MASK } from './masker.js';
export { SecretCipher, ephemeralCipher, openSecretCipher, KEY_FILE } from './cipher.js';

export interface LocalSecrets {
  parameters: ParameterStore;
  secrets: SecretStore;
}

/** Both local stores over the state database, their values sealed with `cipher` (PIPE_HOME's key). */
export function openLocalSecrets(db: Db, cipher: SecretCipher): LocalSecrets {
  return { parameters: new ParameterStore(db, cipher), secrets: new SecretStore(db, cipher) };
}
