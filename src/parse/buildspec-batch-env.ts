// A batch task's `env` (compute-type, image, privileged-mode, type, variables), with warnings for what has no local meaning.
import type { BatchTaskEnv } from '../core/index.js';
import { entry, joinPath } from './problems.js';
import type { BuildspecReader } from './buildspec-reader.js';
import type { YamlNode } from './yaml-source.js';

const TASK_ENV_KEYS = ['compute-type', 'image', 'privileged-mode', 'type', 'variables'] as const;

export function readTaskEnv(r: BuildspecReader, node: YamlNode, path: string, keys: readonly string[] = TASK_ENV_KEYS): BatchTaskEnv {
  const env: BatchTaskEnv = { variables: {} };
  const map = r.readMapping(node, path);
  if (!map) return env;
  r.problems.checkKeys(map, path, keys);
  const computeType = entry(map, 'compute-type');
  if (computeType) {
    const at = joinPath(path, 'compute-type');
    const value = r.readString(computeType, at);
    if (value !== undefined) {
      env.computeType = value;
      r.warn(computeType, at, 'unsupported-locally', `compute-type ${value} has no local meaning: the build gets this machine's CPU and memory`);
    }
  }
  const image = entry(map, 'image');
  if (image) {
    const value = r.readString(image, joinPath(path, 'image'));
    if (value !== undefined) env.image = value;
  }
  const privileged = entry(map, 'privileged-mode');
  if (privileged) {
    const at = joinPath(path, 'privileged-mode');
    const value = r.readBoolean(privileged, at);
    if (value !== undefined) {
      env.privilegedMode = value;
      if (value) r.warn(privileged, at, 'unsupported-locally', 'privileged-mode is not applied per task: every task gets a Docker engine when the action has privilegedMode: true (pipe build --privileged), none otherwise');
    }
  }
  const type = entry(map, 'type');
  if (type) {
    const at = joinPath(path, 'type');
    const value = r.readString(type, at);
    if (value !== undefined) {
      env.type = value;
      if (/WINDOWS/i.test(value)) r.warn(type, at, 'unsupported-locally', `environment type ${value} needs a Windows container; pipe runs Linux containers only`);
      else if (value !== 'LINUX_CONTAINER') {
        r.warn(type, at, 'unsupported-locally', `environment type ${value} is not applied locally: the build runs in a Linux container of this machine's architecture`);
      }
    }
  }
  const variables = entry(map, 'variables');
  if (variables) {
    for (const v of r.readTextMap(variables, joinPath(path, 'variables'))) {
      if (v.name.startsWith('CODEBUILD_')) {
        r.error(v.key, joinPath(joinPath(path, 'variables'), v.name), `'${v.name}' is reserved: names starting with CODEBUILD_ are set by the build`);
      } else env.variables[v.name] = v.value;
    }
  }
  return env;
}
