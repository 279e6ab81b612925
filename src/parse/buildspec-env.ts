// The buildspec `env` section: shell, variables, parameter-store, secrets-manager, exported-variables, git-credential-helper.
import type { BuildEnvSpec, SecretsManagerReference } from '../core/index.js';
import { entry, joinPath } from './problems.js';
import { isNullNode } from './buildspec-reader.js';
import type { BuildspecReader } from './buildspec-reader.js';
import type { YamlNode } from './yaml-source.js';

export const ENV_KEYS = [
  'shell',
  'variables',
  'parameter-store',
  'secrets-manager',
  'exported-variables',
  'git-credential-helper',
] as const;

/** The shells CodeBuild documents; `sh` and `/bin/bash` are the same programs under other names. */
export const LINUX_SHELLS = ['bash', '/bin/bash', 'sh', '/bin/sh'] as const;
export const WINDOWS_SHELLS = ['powershell.exe', 'cmd.exe'] as const;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function emptyEnv(): BuildEnvSpec {
  return { variables: {}, parameterStore: {}, secretsManager: {}, exportedVariables: [], gitCredentialHelper: false };
}

export function readEnv(r: BuildspecReader, node: YamlNode, path: string): BuildEnvSpec {
  const env = emptyEnv();
  const map = r.readMapping(node, path);
  if (!map) return env;
  r.problems.checkKeys(map, path, ENV_KEYS);

  const shell = entry(map, 'shell');
  if (shell) readShell(r, shell, joinPath(path, 'shell'), env);

  const variables = entry(map, 'variables');
  if (variables) {
    for (const v of r.readTextMap(variables, joinPath(path, 'variables'))) {
      if (checkName(r, v.key, joinPath(joinPath(path, 'variables'), v.name))) env.variables[v.name] = v.value;
    }
  }

  const parameters = entry(map, 'parameter-store');
  if (parameters) {
    const base = joinPath(path, 'parameter-store');
    for (const v of r.readTextMap(parameters, base)) {
      const at = joinPath(base, v.name);
      if (!checkName(r, v.key, at)) continue;
      if (v.value === '') r.error(v.node, at, 'expected the name of an SSM parameter, got nothing');
      else env.parameterStore[v.name] = v.value;
    }
  }

  const secrets = entry(map, 'secrets-manager');
  if (secrets) {
    const base = joinPath(path, 'secrets-manager');
    for (const v of r.readTextMap(secrets, base)) {
      const at = joinPath(base, v.name);
      if (!checkName(r, v.key, at)) continue;
      const parsed = parseSecretReference(v.value);
      if (parsed.ok) env.secretsManager[v.name] = parsed.reference;
      else r.error(v.node, at, parsed.message);
    }
  }

  const exported = entry(map, 'exported-variables');
  if (exported) readExported(r, exported, joinPath(path, 'exported-variables'), env);

  const helper = entry(map, 'git-credential-helper');
  if (helper) {
    const at = joinPath(path, 'git-credential-helper');
    env.gitCredentialHelper = r.readBoolean(helper, at) ?? false;
    if (env.gitCredentialHelper) {
      r.warn(helper, at, 'unsupported-locally',
        'git-credential-helper has no effect locally: pipe holds no source credentials to hand to git');
    }
  }
  return env;
}

function readShell(r: BuildspecReader, node: YamlNode, path: string, env: BuildEnvSpec): void {
  const shell = r.readString(node, path);
  if (shell === undefined) return;
  if ((WINDOWS_SHELLS as readonly string[]).includes(shell)) {
    env.shell = shell;
    r.warn(node, path, 'unsupported-locally', `shell ${shell} needs a Windows container; pipe runs Linux containers only`);
    return;
  }
  if (!(LINUX_SHELLS as readonly string[]).includes(shell)) {
    r.error(node, path, `unknown shell '${shell}'; expected bash or /bin/sh (Linux), powershell.exe or cmd.exe (Windows)`);
    return;
  }
  env.shell = shell;
}

function readExported(r: BuildspecReader, node: YamlNode, path: string, env: BuildEnvSpec): void {
  if (isNullNode(node)) return;
  if (node.kind === 'mapping') {
    r.error(node, path, 'expected a list of variable names, got a mapping');
    return;
  }
  const items = node.kind === 'sequence' ? node.items.map((n, i) => ({ n, at: joinPath(path, i) })) : [{ n: node, at: path }];
  for (const { n, at } of items) {
    if (isNullNode(n)) {
      r.warn({ location: r.nullItemLocation(n) }, at, 'tolerated', 'empty list item (null) skipped');
      continue;
    }
    const name = r.readString(n, at);
    if (name === undefined) continue;
    if (!VARIABLE_NAME.test(name)) r.error(n, at, `'${name}' is not a variable name (letters, digits and _)`);
    else if (name.startsWith('AWS_')) r.error(n, at, `'${name}' cannot be exported: names starting with AWS_ are reserved`);
    else if (name in env.secretsManager) r.error(n, at, `'${name}' cannot be exported: it holds a secrets-manager value`);
    else if (name in env.parameterStore) r.error(n, at, `'${name}' cannot be exported: it holds a parameter-store value`);
    else env.exportedVariables.push(name);
  }
}

function checkName(r: BuildspecReader, key: YamlNode, path: string): boolean {
  if (key.kind !== 'scalar') return false;
  if (key.value.startsWith('CODEBUILD_')) {
    r.error(key, path, `'${key.value}' is reserved: names starting with CODEBUILD_ are set by the build, not the buildspec`);
    return false;
  }
  if (!VARIABLE_NAME.test(key.value)) {
    r.error(key, path, `'${key.value}' is not a variable name (letters, digits and _, not starting with a digit)`);
    return false;
  }
  return true;
}

export type SecretReferenceResult =
  | { ok: true; reference: SecretsManagerReference }
  | { ok: false; message: string };

/**
 * Splits `secret-id[:json-key[:version-stage[:version-id]]]`. A secret id given as an ARN
 * (`arn:aws:secretsmanager:region:account:secret:name`) keeps its own six colons.
 */
export function parseSecretReference(text: string): SecretReferenceResult {
  const parts = text.split(':');
  const idParts = text.startsWith('arn:') ? 7 : 1;
  if (parts.length < idParts) {
    return { ok: false, message: `'${text}' is not a secret ARN (arn:aws:secretsmanager:region:account:secret:name)` };
  }
  const secretId = parts.slice(0, idParts).join(':');
  const rest = parts.slice(idParts);
  if (secretId === '' || secretId.endsWith(':')) {
    return { ok: false, message: `expected secret-id[:json-key[:version-stage[:version-id]]], got '${text}' (no secret id)` };
  }
  if (rest.length > 3) {
    return { ok: false, message: `expected secret-id[:json-key[:version-stage[:version-id]]], got '${text}' (too many ':')` };
  }
  const [jsonKey, versionStage, versionId] = rest;
  if (versionStage && versionId) {
    return { ok: false, message: `'${text}' names both a version stage and a version id; give one of them` };
  }
  const reference: SecretsManagerReference = { text, secretId };
  if (jsonKey) reference.jsonKey = jsonKey;
  if (versionStage) reference.versionStage = versionStage;
  if (versionId) reference.versionId = versionId;
  return { ok: true, reference };
}
