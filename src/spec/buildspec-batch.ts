// The buildspec `batch` section: fast-fail and one of build-list, build-matrix (expanded here), build-graph (checked for cycles).
import type { BatchKind, BatchSpec, BatchTaskEnv, BatchTaskSpec } from '../core/index.js';
import { entry, joinPath, keyNode } from './problems.js';
import type { BuildspecReader } from './buildspec-reader.js';
import { isNullNode } from './buildspec-reader.js';
import type { YamlMapping, YamlNode, YamlScalar } from './yaml-source.js';

const BATCH_KINDS: readonly BatchKind[] = ['build-list', 'build-matrix', 'build-graph'];
export const BATCH_KEYS = ['fast-fail', ...BATCH_KINDS, 'build-fanout'] as const;
const TASK_KEYS = ['identifier', 'buildspec', 'debug-session', 'env', 'ignore-failure', 'depend-on'] as const;
const TASK_ENV_KEYS = ['compute-type', 'image', 'privileged-mode', 'type', 'variables'] as const;
const MATRIX_KEYS = ['static', 'dynamic'] as const;
const STATIC_KEYS = ['ignore-failure', 'env'] as const;
const DYNAMIC_KEYS = ['buildspec', 'env'] as const;
const DYNAMIC_ENV_KEYS = ['compute-type', 'image', 'variables'] as const;
/** A guard against a runaway cartesian product, far above CodeBuild's own batch size limits. */
const MAX_MATRIX_BUILDS = 1000;

/** `anchor` is the `batch:` key, where a batch without a kind is reported. */
export function readBatch(r: BuildspecReader, node: YamlNode, path: string, anchor: YamlScalar): BatchSpec | undefined {
  const map = r.readMapping(node, path);
  if (!map) return undefined;
  r.problems.checkKeys(map, path, BATCH_KEYS);
  const fastFailNode = entry(map, 'fast-fail');
  const fastFail = fastFailNode ? (r.readBoolean(fastFailNode, joinPath(path, 'fast-fail')) ?? false) : false;
  const fanout = keyNode(map, 'build-fanout');
  if (fanout) r.error(fanout, joinPath(path, 'build-fanout'), 'build-fanout batches are not supported by pipe; use build-list or build-graph');
  const kinds = BATCH_KINDS.filter((k) => entry(map, k) !== undefined);
  if (kinds.length === 0) {
    if (!fanout) r.error(anchor, path, 'expected exactly one of build-list, build-matrix, build-graph; got none');
    return undefined;
  }
  if (kinds.length > 1) {
    const second = keyNode(map, kinds[1] ?? '') ?? map;
    r.error(second, joinPath(path, kinds[1] ?? ''), `expected exactly one of build-list, build-matrix, build-graph; got ${kinds.join(' and ')}`);
  }
  const kind = kinds[0] as BatchKind;
  const at = joinPath(path, kind);
  const body = entry(map, kind) as YamlNode;
  const tasks = kind === 'build-matrix' ? readMatrix(r, body, at) : readTaskList(r, body, at, kind);
  return { fastFail, kind, tasks };
}

function readTaskList(r: BuildspecReader, node: YamlNode, path: string, kind: BatchKind): BatchTaskSpec[] {
  const seq = r.problems.expectSequence(node, path);
  if (!seq) return [];
  const tasks: { task: BatchTaskSpec; node: YamlMapping; path: string }[] = [];
  const seen = new Set<string>();
  seq.items.forEach((item, i) => {
    const at = joinPath(path, i);
    const map = r.problems.expectMapping(item, at);
    if (!map) return;
    r.problems.checkKeys(map, at, TASK_KEYS);
    const task = readTask(r, map, at, kind);
    if (!task) return;
    if (seen.has(task.identifier)) {
      r.error(entry(map, 'identifier') ?? map, joinPath(at, 'identifier'), `duplicate task identifier '${task.identifier}'`);
      return;
    }
    seen.add(task.identifier);
    tasks.push({ task, node: map, path: at });
  });
  if (kind === 'build-graph') checkGraph(r, tasks);
  return tasks.map((t) => t.task);
}

function readTask(r: BuildspecReader, map: YamlMapping, path: string, kind: BatchKind): BatchTaskSpec | undefined {
  const idNode = entry(map, 'identifier');
  if (!idNode) {
    r.error(map, path, "missing 'identifier': every batch task needs a unique identifier");
    return undefined;
  }
  const identifier = r.readString(idNode, joinPath(path, 'identifier'));
  if (identifier === undefined) return undefined;
  const task: BatchTaskSpec = { identifier, env: { variables: {} }, ignoreFailure: false, debugSession: false, dependOn: [] };
  const buildspec = entry(map, 'buildspec');
  if (buildspec) {
    const value = r.readString(buildspec, joinPath(path, 'buildspec'));
    if (value !== undefined) task.buildspec = value;
  }
  const env = entry(map, 'env');
  if (env) task.env = readTaskEnv(r, env, joinPath(path, 'env'));
  const ignore = entry(map, 'ignore-failure');
  if (ignore) task.ignoreFailure = r.readBoolean(ignore, joinPath(path, 'ignore-failure')) ?? false;
  const debug = entry(map, 'debug-session');
  if (debug) {
    const at = joinPath(path, 'debug-session');
    task.debugSession = r.readBoolean(debug, at) ?? false;
    if (task.debugSession) r.warn(debug, at, 'unsupported-locally', 'debug-session has no local meaning (no Session Manager); use docker exec on the build container');
  }
  const dependOn = entry(map, 'depend-on');
  if (dependOn) {
    const at = joinPath(path, 'depend-on');
    if (kind === 'build-graph') task.dependOn = r.readStringList(dependOn, at);
    else r.error(dependOn, at, `depend-on belongs to build-graph tasks, not ${kind}`);
  }
  return task;
}

function readTaskEnv(r: BuildspecReader, node: YamlNode, path: string, keys: readonly string[] = TASK_ENV_KEYS): BatchTaskEnv {
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
      if (value) r.warn(privileged, at, 'unsupported-locally', 'privileged-mode is not granted locally: pipe does not run privileged containers');
    }
  }
  const type = entry(map, 'type');
  if (type) {
    const at = joinPath(path, 'type');
    const value = r.readString(type, at);
    if (value !== undefined) {
      env.type = value;
      if (/WINDOWS/i.test(value)) r.warn(type, at, 'unsupported-locally', `environment type ${value} needs a Windows container; pipe runs Linux containers only`);
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

/** Unknown `depend-on` targets and cycles make a graph unrunnable: both are reported where they stand. */
function checkGraph(r: BuildspecReader, tasks: { task: BatchTaskSpec; node: YamlMapping; path: string }[]): void {
  const byId = new Map(tasks.map((t) => [t.task.identifier, t]));
  for (const t of tasks) {
    const dependNode = entry(t.node, 'depend-on') ?? t.node;
    for (const dep of t.task.dependOn) {
      if (!byId.has(dep)) {
        r.error(dependNode, joinPath(t.path, 'depend-on'), `task '${t.task.identifier}' depends on unknown task '${dep}'; known tasks: ${[...byId.keys()].join(', ')}`);
      }
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(id)), id];
      const first = byId.get(id);
      const key = [...cycle].sort().join(',');
      if (first && !reported.has(key)) {
        reported.add(key);
        r.error(entry(first.node, 'depend-on') ?? first.node, joinPath(first.path, 'depend-on'), `dependency cycle: ${cycle.join(' -> ')}`);
      }
      return;
    }
    state.set(id, 'visiting');
    for (const dep of byId.get(id)?.task.dependOn ?? []) if (byId.has(dep)) visit(dep, [...trail, id]);
    state.set(id, 'done');
  };
  for (const t of tasks) visit(t.task.identifier, []);
}

/** Expands `static` + `dynamic` into the cartesian product of buildspec x compute-type x image x each variable. */
function readMatrix(r: BuildspecReader, node: YamlNode, path: string): BatchTaskSpec[] {
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
