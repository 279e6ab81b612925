// The buildspec's file-selecting sections: `artifacts` (primary and secondary), `cache` and `reports`.
import { COVERAGE_REPORT_FORMATS, TEST_REPORT_FORMATS } from '../core/index.js';
import type { ArtifactSelectionSpec, ArtifactsSpec, CacheSpec, ReportFormat, ReportSpec } from '../core/index.js';
import { entry, joinPath } from './problems.js';
import type { BuildspecReader } from './buildspec-reader.js';
import { explainName } from './name-rules.js';
import type { YamlMapping, YamlNode, YamlScalar } from './yaml-source.js';

const SELECTION_KEYS = [
  'files', 'name', 'base-directory', 'discard-paths', 'exclude-paths', 'enable-symlinks', 's3-prefix',
] as const;
export const ARTIFACTS_KEYS = [...SELECTION_KEYS, 'secondary-artifacts', 'type'] as const;
export const CACHE_KEYS = ['paths', 'key', 'fallback-keys', 'action'] as const;
export const REPORT_KEYS = ['files', 'base-directory', 'discard-paths', 'file-format'] as const;
const CACHE_ACTIONS = ['restore', 'save'] as const;
const MAX_FALLBACK_KEYS = 5;
const REPORT_FORMATS: readonly ReportFormat[] = [...TEST_REPORT_FORMATS, ...COVERAGE_REPORT_FORMATS];

/** `anchor` is the `artifacts:` key, where a missing `files` is reported. */
export function readArtifacts(r: BuildspecReader, node: YamlNode, path: string, anchor: YamlScalar): ArtifactsSpec | undefined {
  const map = r.readMapping(node, path);
  if (!map) return undefined;
  r.problems.checkKeys(map, path, ARTIFACTS_KEYS);
  const type = entry(map, 'type');
  if (type) {
    r.warn(type, joinPath(path, 'type'), 'tolerated',
      'artifacts.type is a 0.1-era key with no effect; artifacts are always zipped');
  }
  const primary = readSelection(r, map, path, anchor);
  const secondaryArtifacts: Record<string, ArtifactSelectionSpec> = {};
  const secondary = entry(map, 'secondary-artifacts');
  if (secondary) {
    const at = joinPath(path, 'secondary-artifacts');
    const secondaryMap = r.readMapping(secondary, at);
    for (const { key, value } of secondaryMap?.entries ?? []) {
      const idPath = joinPath(at, key.value);
      // The identifier names the zip (`<identifier>.zip`), so it must stay one plain path segment.
      const bad = explainName('secondaryArtifact', key.value);
      if (bad) r.error(key, idPath, bad);
      const m = r.readMapping(value, idPath);
      if (!m) continue;
      r.problems.checkKeys(m, idPath, SELECTION_KEYS);
      secondaryArtifacts[key.value] = readSelection(r, m, idPath, key);
    }
  }
  return { ...primary, secondaryArtifacts };
}

function readSelection(r: BuildspecReader, map: YamlMapping, path: string, anchor: YamlScalar): ArtifactSelectionSpec {
  const files = entry(map, 'files');
  const selection: ArtifactSelectionSpec = {
    files: files ? r.readStringList(files, joinPath(path, 'files')) : [],
    discardPaths: false,
    excludePaths: [],
    enableSymlinks: false,
  };
  if (!files) r.error(anchor, path, "missing 'files': list the globs of the files to collect ('**/*' for everything)");
  else if (selection.files.length === 0) r.error(files, joinPath(path, 'files'), 'expected at least one glob, got none');
  readSharedKeys(r, map, path, selection);
  const name = entry(map, 'name');
  if (name) {
    const value = r.readString(name, joinPath(path, 'name'));
    if (value !== undefined) selection.name = value;
  }
  const exclude = entry(map, 'exclude-paths');
  if (exclude) selection.excludePaths = r.readStringList(exclude, joinPath(path, 'exclude-paths'));
  const symlinks = entry(map, 'enable-symlinks');
  if (symlinks) selection.enableSymlinks = r.readBoolean(symlinks, joinPath(path, 'enable-symlinks')) ?? false;
  const prefix = entry(map, 's3-prefix');
  if (prefix) {
    const at = joinPath(path, 's3-prefix');
    const value = r.readString(prefix, at);
    if (value !== undefined) {
      selection.s3Prefix = value;
      r.warn(prefix, at, 'unsupported-locally', 's3-prefix has no local meaning: artifacts go to the local artifact store, not S3');
    }
  }
  return selection;
}

/** `base-directory` and `discard-paths`, shared by artifacts and reports. */
function readSharedKeys(
  r: BuildspecReader,
  map: YamlMapping,
  path: string,
  into: { baseDirectory?: string; discardPaths: boolean },
): void {
  const base = entry(map, 'base-directory');
  if (base) {
    const at = joinPath(path, 'base-directory');
    const value = r.readString(base, at);
    if (value !== undefined) {
      into.baseDirectory = value;
      if (/\$env:/i.test(value)) {
        r.warn(base, at, 'unsupported-locally', `'${value}' is a Windows path ($env:...); it needs a Windows container`);
      }
    }
  }
  const discard = entry(map, 'discard-paths');
  if (discard) into.discardPaths = r.readBoolean(discard, joinPath(path, 'discard-paths')) ?? false;
}

export function readCache(r: BuildspecReader, node: YamlNode, path: string, anchor: YamlScalar): CacheSpec | undefined {
  const map = r.readMapping(node, path);
  if (!map) return undefined;
  r.problems.checkKeys(map, path, CACHE_KEYS);
  const cache: CacheSpec = { paths: [], fallbackKeys: [] };
  const paths = entry(map, 'paths');
  if (paths) cache.paths = r.readStringList(paths, joinPath(path, 'paths'));
  else r.error(anchor, path, "missing 'paths': list the directories or globs to cache");
  const key = entry(map, 'key');
  if (key) {
    const value = r.readString(key, joinPath(path, 'key'));
    if (value !== undefined) cache.key = value;
  }
  const fallback = entry(map, 'fallback-keys');
  if (fallback) {
    const at = joinPath(path, 'fallback-keys');
    cache.fallbackKeys = r.readStringList(fallback, at);
    if (cache.fallbackKeys.length > MAX_FALLBACK_KEYS) {
      r.error(fallback, at, `at most ${MAX_FALLBACK_KEYS} fallback keys are allowed, got ${cache.fallbackKeys.length}`);
    }
    if (!key) r.warn(fallback, at, 'tolerated', "fallback-keys are ignored without 'key'");
  }
  const action = entry(map, 'action');
  if (action) {
    const at = joinPath(path, 'action');
    const value = r.readString(action, at);
    if (value === 'restore' || value === 'save') cache.action = value;
    else if (value !== undefined) r.error(action, at, `unknown cache action '${value}'; expected ${CACHE_ACTIONS.join(' or ')}`);
  }
  return cache;
}

export function readReports(r: BuildspecReader, node: YamlNode, path: string): Record<string, ReportSpec> {
  const reports: Record<string, ReportSpec> = {};
  const map = r.readMapping(node, path);
  for (const { key, value } of map?.entries ?? []) {
    const at = joinPath(path, key.value);
    const bad = explainName('reportGroup', key.value);
    if (bad) r.error(key, at, bad);
    const m = r.readMapping(value, at);
    if (!m) continue;
    r.problems.checkKeys(m, at, REPORT_KEYS);
    const report: ReportSpec = { files: [], discardPaths: false, fileFormat: 'JUNITXML' };
    const files = entry(m, 'files');
    if (files) report.files = r.readStringList(files, joinPath(at, 'files'));
    else r.error(key, at, "missing 'files': list the globs of the report files");
    readSharedKeys(r, m, at, report);
    const format = entry(m, 'file-format');
    if (format) {
      const fat = joinPath(at, 'file-format');
      const text = r.readString(format, fat);
      const upper = text?.toUpperCase();
      const known = REPORT_FORMATS.find((f) => f === upper);
      if (known) report.fileFormat = known;
      else if (text !== undefined) r.error(format, fat, `unknown report format '${text}'; expected one of ${REPORT_FORMATS.join(', ')}`);
    }
    reports[key.value] = report;
  }
  return reports;
}
