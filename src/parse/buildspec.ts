// Buildspec YAML -> BuildSpec: the whole 0.2 format, every problem collected before failing, warnings for what pipe cannot honour.
import { PipeError, ValidationError } from '../core/index.js';
import type { BuildSpec, BuildspecVersion, ProxySpec } from '../core/index.js';
import { entry, joinPath, keyNode, suggest } from './problems.js';
import { BuildspecReader } from './buildspec-reader.js';
import { emptyEnv, readEnv } from './buildspec-env.js';
import { readPhases } from './buildspec-phases.js';
import { readArtifacts, readCache, readReports } from './buildspec-artifacts.js';
import { readBatch } from './buildspec-batch.js';
import { describeNode, parseYaml } from './yaml-source.js';
import { readCapped } from './yaml-limits.js';
import type { YamlMapping, YamlNode, YamlScalar } from './yaml-source.js';

export { describeBuildspec } from './buildspec-describe.js';
export { parseSecretReference } from './buildspec-env.js';
export { parseOnFailure } from './buildspec-phases.js';

export const BUILDSPEC_KEYS = [
  'version', 'run-as', 'env', 'proxy', 'batch', 'phases', 'reports', 'artifacts', 'cache',
] as const;
const PROXY_KEYS = ['upload-artifacts', 'logs'] as const;
/** Keys of the pre-GA format (version 0.0) that old AWS samples still carry. */
const PRE_GA_KEYS = ['environment_variables', 'containers', 'during_build'] as const;

/**
 * Parses and validates a buildspec. Throws a ValidationError listing every problem CodeBuild would reject
 * (file, line, column, path, what was expected); returns the BuildSpec with warnings for what it tolerates.
 */
/** `size` is the whole file's size in bytes when `text` was read capped (see readCapped). */
export function parseBuildspec(text: string, file: string, size?: number): BuildSpec {
  const doc = parseYaml(text, file, size);
  const r = new BuildspecReader(doc);
  const root = doc.root;
  if (root === null || root.kind !== 'mapping') {
    const at = root ?? { location: { file, line: 1, column: 1 } };
    const got = root ? describeNode(root) : 'an empty file';
    r.error(at, '', `expected a buildspec (a mapping with version and phases), got ${got}`);
    throw new ValidationError(file, r.problems.problems);
  }
  const version = readVersion(r, root);
  checkTopLevelKeys(r, root);

  const envNode = entry(root, 'env');
  const env = envNode ? readEnv(r, envNode, 'env') : emptyEnv();
  const spec: BuildSpec = { file, version: version ?? '0.2', env, phases: {}, reports: {}, warnings: r.warnings };

  const runAs = entry(root, 'run-as');
  if (runAs) {
    const user = r.readString(runAs, 'run-as');
    if (user !== undefined) spec.runAs = user;
  }
  const batchNode = entry(root, 'batch');
  if (batchNode) {
    const batch = readBatch(r, batchNode, 'batch', keyNode(root, 'batch') as YamlScalar);
    if (batch) spec.batch = batch;
  }
  const phasesNode = entry(root, 'phases');
  if (phasesNode) spec.phases = readPhases(r, phasesNode, 'phases');
  else if (batchNode) {
    r.warn(keyNode(root, 'batch') ?? root, 'phases', 'tolerated',
      'no phases: this buildspec only defines a batch, so it runs only as a batch build');
  } else {
    r.error(root, 'phases', "missing 'phases': a buildspec needs phases (install, pre_build, build, post_build) or a batch");
  }

  const artifacts = entry(root, 'artifacts');
  if (artifacts) {
    const parsed = readArtifacts(r, artifacts, 'artifacts', keyNode(root, 'artifacts') as YamlScalar);
    if (parsed) spec.artifacts = parsed;
  }
  const cache = entry(root, 'cache');
  if (cache) {
    const parsed = readCache(r, cache, 'cache', keyNode(root, 'cache') as YamlScalar);
    if (parsed) spec.cache = parsed;
  }
  const reports = entry(root, 'reports');
  if (reports) spec.reports = readReports(r, reports, 'reports');
  const proxy = entry(root, 'proxy');
  if (proxy) {
    const parsed = readProxy(r, proxy);
    if (parsed) spec.proxy = parsed;
  }
  r.problems.throwIfAny();
  spec.warnings = [...r.warnings].sort(
    (a, b) => a.location.line - b.location.line || a.location.column - b.location.column,
  );
  return spec;
}

/** Reads and parses a buildspec file; a missing file is a NOT_FOUND error naming it. */
export function loadBuildspec(file: string): BuildSpec {
  let read: { bytes: Buffer; size: number };
  try {
    read = readCapped(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new PipeError('NOT_FOUND', `buildspec ${file} not found`, {
        hint: 'give the path relative to the source directory, as CodeBuild does (default buildspec.yml)',
        cause: e,
      });
    }
    throw new PipeError('NOT_FOUND', `cannot read buildspec ${file}: ${(e as Error).message}`, { cause: e });
  }
  return parseBuildspec(read.bytes.toString('utf8'), file, read.size);
}

/** `version`: the literal text must be 0.2 or 0.1 (`0.20` is not 0.2). Returns undefined when rejected. */
function readVersion(r: BuildspecReader, root: YamlMapping): BuildspecVersion | undefined {
  const node = entry(root, 'version');
  if (!node) {
    r.error(root, 'version', "missing 'version': the first line of a buildspec is usually `version: 0.2`");
    return undefined;
  }
  const text = r.readString(node, 'version');
  if (text === undefined) return undefined;
  if (text === '0.2') return '0.2';
  if (text === '0.1') {
    r.warn(node, 'version', 'tolerated',
      'version 0.1: every command runs in its own shell, so cd and variables do not carry over; 0.2 is recommended');
    return '0.1';
  }
  const preGa = PRE_GA_KEYS.filter((k) => entry(root, k) !== undefined || hasNestedKey(root, k));
  const detail = preGa.length > 0 ? ` (this is the pre-GA format: ${preGa.join(', ')} are not buildspec keys)` : '';
  r.error(node, 'version', `unsupported buildspec version '${text}'; expected 0.2 (or 0.1)${detail}`);
  return undefined;
}

function hasNestedKey(node: YamlNode, key: string): boolean {
  if (node.kind === 'mapping') return node.entries.some((e) => e.key.value === key || hasNestedKey(e.value, key));
  if (node.kind === 'sequence') return node.items.some((i) => hasNestedKey(i, key));
  return false;
}

function checkTopLevelKeys(r: BuildspecReader, root: YamlMapping): void {
  for (const { key } of root.entries) {
    if ((BUILDSPEC_KEYS as readonly string[]).includes(key.value)) continue;
    if (key.value === 'environment_variables') {
      r.warn(key, key.value, 'tolerated',
        'environment_variables is the 0.1-era spelling and is ignored in 0.2; no variables are set from it (use env.variables)');
      continue;
    }
    const close = suggest(key.value, BUILDSPEC_KEYS);
    const hint = close ? `; did you mean '${close}'?` : '';
    r.warn(key, joinPath('', key.value), 'unknown-key', `unknown top-level key '${key.value}' is ignored${hint}`);
  }
}

function readProxy(r: BuildspecReader, node: YamlNode): ProxySpec | undefined {
  const map = r.readMapping(node, 'proxy');
  if (!map) return undefined;
  r.problems.checkKeys(map, 'proxy', PROXY_KEYS);
  const proxy: ProxySpec = { uploadArtifacts: false, logs: false };
  const upload = entry(map, 'upload-artifacts');
  if (upload) proxy.uploadArtifacts = r.readBoolean(upload, 'proxy.upload-artifacts') ?? false;
  const logs = entry(map, 'logs');
  if (logs) proxy.logs = r.readBoolean(logs, 'proxy.logs') ?? false;
  r.warn(keyNode(r.doc.root as YamlMapping, 'proxy') ?? node, 'proxy', 'unsupported-locally',
    'proxy has no local meaning: pipe builds reach the network directly and upload nothing');
  return proxy;
}
