// The builds `pipe build` ran, as `pipe builds` and `pipe build ID` show them: executions of kind `build` in the
// execution store, seen the way CodeBuild shows a build (a BuildStatus, the project and its build number, phases,
// artifacts, exported variables, reports). Nothing of their own is stored: this is a view over the engine's records.
import { join } from 'node:path';
import type { BuildStatus } from '../core/index.js';
import { asSegment, resolveInside } from '../artifacts/index.js';
import type { ExecutionDetail, ExecutionStore } from '../execute/index.js';

/** What a build is, kept with its execution (in the run state's sources) from its start. */
export interface SingleBuildSettings {
  /** `project:uuid`, the uuid being its execution's id. */
  buildId: string;
  project: string;
  buildNumber: number;
  sourceDir: string;
  /** The buildspec file. */
  buildspec: string;
  image: string;
  artifactsDir: string;
  logPath: string;
}

export interface BuildRecord {
  buildId: string;
  project: string;
  buildNumber: number;
  sourceDir: string;
  buildspec: string;
  image: string;
  status: BuildStatus;
  statusMessage?: string;
  startTime: string;
  endTime?: string;
  logPath: string;
  artifactsDir: string;
  /** Phases, artifacts, exported variables, reports and, for a batch, its builds. */
  detail: Record<string, unknown>;
}

/** Where a build keeps its temporary files (its zipped source), by execution id: recovery removes them. */
export function buildWorkDir(home: string, executionId: string): string {
  return join(home, 'tmp', 'builds', asSegment('execution id', executionId));
}

/** Where a build's log is kept: `<home>/logs/builds/<build-id>.log`. */
export function buildLogPath(home: string, buildId: string): string {
  return resolveInside(home, 'logs', 'builds', `${asSegment('build id', buildId)}.log`);
}

/** The execution id of a build id (`project:uuid`), or the text itself when it has no project part. */
function executionIdPart(id: string): string {
  const colon = id.indexOf(':');
  return colon < 0 ? id : id.slice(colon + 1);
}

/** A build as CodeBuild would show it, from its execution; undefined for an execution that is no build. */
export function buildRecordOf(store: ExecutionStore, executionId: string): BuildRecord | undefined {
  if (store.kindOf(executionId) !== 'build') return undefined;
  const state = store.runState(executionId);
  const detail = store.getExecution(executionId);
  const settings = (state?.sources as { build?: SingleBuildSettings } | undefined)?.build;
  if (!state || !detail || !settings) return undefined;
  return toRecord(settings, detail);
}

function toRecord(s: SingleBuildSettings, e: ExecutionDetail): BuildRecord {
  const action = e.actions[0];
  const extra = action?.extra ?? {};
  const status = buildStatusOf(e, extra['buildStatus']);
  const message = status === 'SUCCEEDED' || status === 'IN_PROGRESS' ? undefined : (action?.statusMessage ?? e.statusMessage);
  const exported = Object.keys(action?.outputVariables ?? {}).length > 0 ? action?.outputVariables : extra['exportedVariables'];
  return {
    buildId: s.buildId,
    project: s.project,
    buildNumber: s.buildNumber,
    sourceDir: s.sourceDir,
    buildspec: s.buildspec,
    image: s.image,
    status,
    ...(message ? { statusMessage: message } : {}),
    startTime: e.startTime,
    ...(e.endTime ? { endTime: e.endTime } : {}),
    logPath: s.logPath,
    artifactsDir: s.artifactsDir,
    detail: {
      phases: extra['phases'] ?? [],
      artifacts: action?.outputArtifacts ?? [],
      exportedVariables: exported ?? {},
      reports: extra['reports'] ?? [],
      ...(extra['batch'] ? { batch: extra['batch'] } : {}),
    },
  };
}

/** CodeBuild's status of a build from its execution's: the build's own while it ran, STOPPED for a stopped one. */
function buildStatusOf(e: ExecutionDetail, own: unknown): BuildStatus {
  switch (e.status) {
    case 'InProgress':
    case 'Stopping':
      return 'IN_PROGRESS';
    case 'Stopped':
    case 'Cancelled':
    case 'Superseded':
      return 'STOPPED';
    case 'Succeeded':
      return 'SUCCEEDED';
    case 'Failed':
      return typeof own === 'string' && own !== 'SUCCEEDED' && own !== 'IN_PROGRESS' ? (own as BuildStatus) : 'FAILED';
    default: {
      const never: never = e.status;
      return never;
    }
  }
}

/** Newest first, optionally of one project. */
export function listBuilds(store: ExecutionStore, options: { project?: string; limit?: number } = {}): BuildRecord[] {
  const list = store.listExecutions({ kind: 'build', limit: options.limit ?? 1_000_000, ...(options.project ? { pipeline: options.project } : {}) });
  return list.map((e) => buildRecordOf(store, e.executionId)).filter((b): b is BuildRecord => b !== undefined);
}

/**
 * The build an id names: the whole id (`project:uuid`), or a unique prefix of the whole id or of its uuid.
 * `matches` says how many a prefix matched, so the caller can say it is ambiguous.
 */
export function findBuildRecord(store: ExecutionStore, id: string): { build?: BuildRecord; matches: number } {
  const colon = id.indexOf(':');
  const project = colon < 0 ? undefined : id.slice(0, colon);
  const ids = store.idsWithPrefix(executionIdPart(id), 'build', 1000);
  const builds = ids.map((x) => buildRecordOf(store, x)).filter((b): b is BuildRecord => b !== undefined && (project === undefined || b.project === project));
  const exact = builds.find((b) => b.buildId === id);
  if (exact) return { build: exact, matches: 1 };
  const only = builds.length === 1 ? builds[0] : undefined;
  return only ? { build: only, matches: 1 } : { matches: builds.length };
}
