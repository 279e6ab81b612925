// The buildspec `batch` section: fast-fail and one of build-list, build-matrix (expanded here), build-graph (checked for cycles).
import type { BatchKind, BatchSpec, BatchTaskSpec } from '../core/index.js';
import { entry, joinPath, keyNode } from './problems.js';
import type { BuildspecReader } from './buildspec-reader.js';
import { readMatrix } from './buildspec-batch-matrix.js';
import { readTaskEnv } from './buildspec-batch-env.js';
import { explainName } from './name-rules.js';
import type { YamlMapping, YamlNode, YamlScalar } from './yaml-source.js';

const BATCH_KINDS: readonly BatchKind[] = ['build-list', 'build-matrix', 'build-graph'];
export const BATCH_KEYS = ['fast-fail', ...BATCH_KINDS, 'build-fanout'] as const;
const TASK_KEYS = ['identifier', 'buildspec', 'debug-session', 'env', 'ignore-failure', 'depend-on'] as const;

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
  // Each task's artifacts go to a folder named by its identifier.
  const bad = explainName('batchTask', identifier);
  if (bad) r.error(idNode, joinPath(path, 'identifier'), bad);
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
