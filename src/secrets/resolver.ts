// Resolves a build's parameter-store and secrets-manager references as CodeBuild does before the first command:
// buildspec `env.parameter-store` / `env.secrets-manager`, and the action's PARAMETER_STORE / SECRETS_MANAGER
// environment variables. Any reference that does not resolve fails the build, each one named.
import type { BuildEnvSpec, EnvironmentVariable, SecretsManagerReference } from '../core/index.js';
import { parseSecretReference } from '../parse/index.js';
import type { ParameterStore } from './parameter-store.js';
import { AWSCURRENT } from './secret-store.js';
import type { SecretStore } from './secret-store.js';

/** What resolution reads: the local stores, or anything with their read methods. */
export interface SecretSource {
  parameters: Pick<ParameterStore, 'getParameter'>;
  secrets: Pick<SecretStore, 'findSecretName' | 'getSecretValue'>;
}

/** A source that holds nothing: every reference fails, as it would against an empty account. */
export const EMPTY_SECRET_SOURCE: SecretSource = {
  parameters: { getParameter: () => undefined },
  secrets: { findSecretName: () => undefined, getSecretValue: () => undefined },
};

/** CodeBuild's phase context status codes for these failures. */
export const PARAMETER_STORE_ERROR = 'Decrypted Variables Error';
export const SECRETS_MANAGER_ERROR = 'Secrets Manager Error';
export const EXPORT_ERROR = 'CLIENT_ERROR';

export interface SecretFailure {
  /** CodeBuild's phase context status code. */
  statusCode: string;
  /** Every reference that failed, each naming its variable and reference. */
  message: string;
}

export interface ResolvedBuildSecrets {
  /** Buildspec parameter-store and secrets-manager values, by variable name (BuildRequest.secrets). */
  buildspecSecrets: Record<string, string>;
  /** The action's variables, PLAINTEXT and resolved alike: they win over the buildspec's. */
  actionEnvironment: Record<string, string>;
  /** Every resolved value, to be masked wherever a log line is emitted. */
  maskedValues: string[];
}

export type SecretResolution = ({ ok: true } & ResolvedBuildSecrets) | { ok: false; failure: SecretFailure };

type Origin = { variable: string; where: string };

interface Attempt {
  value?: string;
  error?: { statusCode: string; message: string };
}

/**
 * Resolves every reference of a build. Checks first that `exported-variables` names none of the action's
 * PARAMETER_STORE / SECRETS_MANAGER variables (the buildspec's own are refused when it is parsed).
 */
export function resolveBuildSecrets(env: BuildEnvSpec, actionVariables: readonly EnvironmentVariable[], source: SecretSource): SecretResolution {
  const refused = checkExports(env.exportedVariables, actionVariables);
  if (refused) return { ok: false, failure: refused };

  const errors: Array<{ statusCode: string; message: string }> = [];
  const maskedValues: string[] = [];
  const take = (attempt: Attempt): string | undefined => {
    if (attempt.error) errors.push(attempt.error);
    if (attempt.value !== undefined) maskedValues.push(attempt.value);
    return attempt.value;
  };

  const buildspecSecrets: Record<string, string> = {};
  for (const [variable, parameter] of Object.entries(env.parameterStore)) {
    const value = take(resolveParameter(source, parameter, { variable, where: `env.parameter-store: ${parameter}` }));
    if (value !== undefined) buildspecSecrets[variable] = value;
  }
  for (const [variable, reference] of Object.entries(env.secretsManager)) {
    const value = take(resolveSecret(source, reference, { variable, where: `env.secrets-manager: ${reference.text}` }));
    if (value !== undefined) buildspecSecrets[variable] = value;
  }

  const actionEnvironment: Record<string, string> = {};
  for (const v of actionVariables) {
    const origin = { variable: v.name, where: `the action's ${v.type} environment variable: ${v.value}` };
    let value: string | undefined;
    switch (v.type) {
      case 'PLAINTEXT':
        value = v.value;
        break;
      case 'PARAMETER_STORE':
        value = take(resolveParameter(source, v.value, origin));
        break;
      case 'SECRETS_MANAGER': {
        const parsed = parseSecretReference(v.value);
        value = parsed.ok ? take(resolveSecret(source, parsed.reference, origin)) : take({ error: { statusCode: SECRETS_MANAGER_ERROR, message: named(parsed.message, origin) } });
        break;
      }
      default: {
        const never: never = v.type;
        throw new Error(`unknown environment variable type ${String(never)}`);
      }
    }
    if (value !== undefined) actionEnvironment[v.name] = value;
  }

  const first = errors[0];
  if (first) return { ok: false, failure: { statusCode: first.statusCode, message: errors.map((e) => e.message).join('; ') } };
  return { ok: true, buildspecSecrets, actionEnvironment, maskedValues };
}

function named(message: string, origin: Origin): string {
  return `${message} (variable ${origin.variable}, ${origin.where})`;
}

/** An SSM parameter name, or `name:version` for one version of it. */
function resolveParameter(source: SecretSource, reference: string, origin: Origin): Attempt {
  const versioned = /^(.+):(\d+)$/.exec(reference);
  const name = versioned?.[1] ?? reference;
  const version = versioned?.[2] === undefined ? undefined : Number(versioned[2]);
  const found = source.parameters.getParameter(name, version);
  if (!found) return { error: { statusCode: PARAMETER_STORE_ERROR, message: named(`parameter does not exist: ${reference}`, origin) } };
  return { value: found.value };
}

function resolveSecret(source: SecretSource, ref: SecretsManagerReference, origin: Origin): Attempt {
  const fail = (message: string): Attempt => ({ error: { statusCode: SECRETS_MANAGER_ERROR, message: named(message, origin) } });
  const name = source.secrets.findSecretName(ref.secretId);
  if (name === undefined) return fail("ResourceNotFoundException: Secrets Manager can't find the specified secret.");
  const stage = ref.versionStage ?? AWSCURRENT;
  const version = source.secrets.getSecretValue(name, ref.versionId ? { versionId: ref.versionId } : { versionStage: stage });
  if (!version) {
    return fail(
      ref.versionId
        ? `ResourceNotFoundException: Secrets Manager can't find the specified secret value for VersionId: ${ref.versionId}`
        : `ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: ${stage}`,
    );
  }
  if (ref.jsonKey === undefined) return { value: version.secretString };
  const parsed = parseJsonObject(version.secretString);
  if (!parsed) return fail(`secret ${name} is not a JSON object, so json key '${ref.jsonKey}' cannot be read`);
  if (!Object.hasOwn(parsed, ref.jsonKey)) return fail(`json key '${ref.jsonKey}' not found in secret ${name}`);
  const value = parsed[ref.jsonKey];
  return { value: typeof value === 'string' ? value : JSON.stringify(value) };
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** CodeBuild refuses to export a value that came from Parameter Store or Secrets Manager. */
function checkExports(exported: readonly string[], actionVariables: readonly EnvironmentVariable[]): SecretFailure | undefined {
  const problems: string[] = [];
  for (const name of exported) {
    const v = actionVariables.find((a) => a.name === name && a.type !== 'PLAINTEXT');
    if (v) problems.push(`exported-variables: '${name}' cannot be exported: it holds the action's ${v.type} environment variable (${v.value})`);
  }
  return problems.length > 0 ? { statusCode: EXPORT_ERROR, message: problems.join('; ') } : undefined;
}
