// A batch `build-matrix`: static settings plus dynamic values, expanded into one task per combination.
import type { BatchTaskEnv, BatchTaskSpec } from '../core/index.js';
import { entry, joinPath } from './problems.js';
import type { BuildspecReader } from './buildspec-reader.js';
import { isNullNode } from './buildspec-reader.js';
import { readTaskEnv } from './buildspec-batch-env.js';
import type { YamlNode } from './yaml-source.js';

const MATRIX_KEYS = ['static', 'dynamic'] as const;
const STATIC_KEYS = ['ignore-failure', 'env'] as const;
const DYNAMIC_KEYS = ['buildspec', 'env'] as const;
const DYNAMIC_ENV_KEYS = ['compute-type', 'image', 'variables'] as const;
/** A guard against a runaway cartesian product, far above CodeBuild's own batch size limits. */
const MAX_MATRIX_BUILDS = 1000;

/** Expands `static` + `dynamic` into the cartesian product of buildspec x compute-type x image x each variable. */
export function readMatrix(r: BuildspecReader, node: YamlNode, path: string): BatchTaskSpec[] {
  const map = r.problems.expectMapping(node, path);
  if (!map) return [];
  r.problems.checkKeys(map, path, MATRIX_KEYS);
  let base: BatchTaskEnv = { variables: {} };
  let ignoreFailure = false;
  const staticNode = entry(map, 'static');
  if (staticNode) {
    const at = joinPath(path, 'static');
    const s = r.readMapping(staticNode, at);
    if (s) {
      r.problems.checkKeys(s, at, STATIC_KEYS);
      const ignore = entry(s, 'ignore-failure');
      if (ignore) ignoreFailure = r.readBoolean(ignore, joinPath(at, 'ignore-failure')) ?? false;
      const env = entry(s, 'env');
      if (env) base = readTaskEnv(r, env, joinPath(at, 'env'));
    }
  }
  const dynamicNode = entry(map, 'dynamic');
  if (!dynamicNode) {
    r.error(map, path, "missing 'dynamic': a build matrix needs the values to combine");
    return [];
  }
  const dimensions = readDynamic(r, dynamicNode, joinPath(path, 'dynamic'));
  const total = dimensions.reduce((n, d) => n * d.values.length, 1);
  if (total > MAX_MATRIX_BUILDS) {
    r.error(dynamicNode, joinPath(path, 'dynamic'), `the matrix expands to ${total} builds; pipe runs at most ${MAX_MATRIX_BUILDS}`);
    return [];
  }
  let combos: Record<string, string>[] = [{}];
  for (const d of dimensions) combos = combos.flatMap((c) => d.values.map((v) => ({ ...c, [d.name]: v })));
  return combos.map((combo, i) => {
    const env: BatchTaskEnv = { ...base, variables: { ...base.variables } };
    const task: BatchTaskSpec = { identifier: `build${i + 1}`, env, ignoreFailure, debugSession: false, dependOn: [] };
    for (const [name, value] of Object.entries(combo)) {
      if (name === 'buildspec') task.buildspec = value;
      else if (name === 'compute-type') env.computeType = value;
      else if (name === 'image') env.image = value;
      else env.variables[name.slice('variables.'.length)] = value;
    }
    return task;
  });
}

interface Dimension {
  name: string;
  values: string[];
}

function readDynamic(r: BuildspecReader, node: YamlNode, path: string): Dimension[] {
  const map = r.readMapping(node, path);
  if (!map) return [];
  r.problems.checkKeys(map, path, DYNAMIC_KEYS);
  const dims: Dimension[] = [];
  const add = (name: string, n: YamlNode, at: string): void => {
    const values = r.readStringList(n, at);
    if (values.length === 0 && !isNullNode(n)) r.error(n, at, 'expected at least one value');
    if (values.length > 0) dims.push({ name, values });
  };
  const buildspec = entry(map, 'buildspec');
  if (buildspec) add('buildspec', buildspec, joinPath(path, 'buildspec'));
  const envNode = entry(map, 'env');
  if (envNode) {
    const at = joinPath(path, 'env');
    const env = r.readMapping(envNode, at);
    if (env) {
      r.problems.checkKeys(env, at, DYNAMIC_ENV_KEYS);
      for (const k of ['compute-type', 'image'] as const) {
        const n = entry(env, k);
        if (n) add(k, n, joinPath(at, k));
      }
      const ct = entry(env, 'compute-type');
      if (ct) r.warn(ct, joinPath(at, 'compute-type'), 'unsupported-locally', 'compute-type has no local meaning: the build gets this machine\'s CPU and memory');
      const vars = entry(env, 'variables');
      const varsMap = vars ? r.readMapping(vars, joinPath(at, 'variables')) : undefined;
      for (const { key, value } of varsMap?.entries ?? []) {
        const vat = joinPath(joinPath(at, 'variables'), key.value);
        if (key.value.startsWith('CODEBUILD_')) r.error(key, vat, `'${key.value}' is reserved: names starting with CODEBUILD_ are set by the build`);
        else add(`variables.${key.value}`, value, vat);
      }
    }
  }
  if (dims.length === 0) r.error(map, path, 'a build matrix needs at least one dynamic dimension (buildspec, env.image, env.compute-type or env.variables)');
  return dims;
}
