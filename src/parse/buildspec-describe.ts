// A BuildSpec as a human-readable plan (`pipe build --plan`): phases in run order, env, artifacts, cache, reports, batch, warnings.
import { BUILDSPEC_PHASES } from '../core/index.js';
import type {
  ArtifactSelectionSpec, BatchTaskSpec, BuildSpec, CommandSpec, OnFailure, PhaseSpec,
} from '../core/index.js';

/** Renders the plan as plain text. Secret and parameter values never appear: only names and references. */
export function describeBuildspec(spec: BuildSpec): string {
  const out: string[] = [`buildspec ${spec.file} (version ${spec.version})`];
  if (spec.version === '0.1') out.push('  each command runs in its own shell (version 0.1): nothing carries over');
  if (spec.runAs) out.push(`run-as: ${spec.runAs}`);
  describeEnv(spec, out);
  describePhases(spec, out);
  describeArtifacts(spec, out);
  if (spec.cache) {
    const c = spec.cache;
    out.push('cache:', `  paths: ${c.paths.join(', ') || '(none)'}`);
    if (c.key) out.push(`  key: ${c.key}`);
    if (c.fallbackKeys.length > 0) out.push(`  fallback keys: ${c.fallbackKeys.join(', ')}`);
    out.push(`  action: ${c.action ?? 'restore and save'}`);
  }
  const reports = Object.entries(spec.reports);
  if (reports.length > 0) {
    out.push('reports:');
    for (const [name, r] of reports) {
      out.push(`  ${name} (${r.fileFormat}): ${r.files.join(', ')}${r.baseDirectory ? ` from ${r.baseDirectory}` : ''}${r.discardPaths ? ', paths discarded' : ''}`);
    }
  }
  describeBatch(spec, out);
  if (spec.proxy) out.push(`proxy: upload-artifacts ${yesNo(spec.proxy.uploadArtifacts)}, logs ${yesNo(spec.proxy.logs)} (ignored locally)`);
  if (spec.warnings.length > 0) {
    out.push(`warnings (${spec.warnings.length}):`);
    for (const w of spec.warnings) {
      out.push(`  ${w.location.file}:${w.location.line}:${w.location.column} ${w.path ? `${w.path}: ` : ''}${w.message}`);
    }
  }
  return out.join('\n');
}

function describeEnv(spec: BuildSpec, out: string[]): void {
  const env = spec.env;
  out.push(`shell: ${env.shell ?? 'sh (default)'}`);
  const variables = Object.entries(env.variables);
  const parameters = Object.entries(env.parameterStore);
  const secrets = Object.entries(env.secretsManager);
  if (variables.length + parameters.length + secrets.length > 0) out.push('variables:');
  for (const [name, value] of variables) out.push(`  ${name}=${JSON.stringify(value)}`);
  for (const [name, parameter] of parameters) out.push(`  ${name} <- parameter-store ${parameter}`);
  for (const [name, ref] of secrets) {
    const parts = [
      ref.jsonKey ? `json-key ${JSON.stringify(ref.jsonKey)}` : undefined,
      ref.versionStage ? `stage ${ref.versionStage}` : undefined,
      ref.versionId ? `version ${ref.versionId}` : undefined,
    ].filter((p) => p !== undefined);
    out.push(`  ${name} <- secrets-manager ${ref.secretId}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`);
  }
  if (env.exportedVariables.length > 0) out.push(`exported variables: ${env.exportedVariables.join(', ')}`);
  if (env.gitCredentialHelper) out.push('git-credential-helper: yes (no effect locally)');
}

function describePhases(spec: BuildSpec, out: string[]): void {
  const present = BUILDSPEC_PHASES.filter((p) => spec.phases[p] !== undefined);
  if (present.length === 0) {
    out.push(spec.batch ? 'phases: none (this buildspec only defines a batch)' : 'phases: none');
    return;
  }
  out.push('phases:');
  for (const name of present) describePhase(name, spec.phases[name] as PhaseSpec, spec, out);
}

function describePhase(name: string, phase: PhaseSpec, spec: BuildSpec, out: string[]): void {
  const notes = [
    phase.runAs ?? spec.runAs ? `run-as ${phase.runAs ?? spec.runAs}` : undefined,
    phase.onFailure ? `on-failure ${describeOnFailure(phase.onFailure)}` : undefined,
  ].filter((n) => n !== undefined);
  out.push(`  ${name}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`);
  const runtimes = Object.entries(phase.runtimeVersions);
  if (runtimes.length > 0) out.push(`    runtime-versions: ${runtimes.map(([r, v]) => `${r} ${v}`).join(', ')}`);
  if (phase.commands.length === 0 && phase.finally.length === 0) out.push('    (no commands)');
  describeCommands(phase.commands, '    ', out);
  if (phase.finally.length > 0) {
    out.push('    finally:');
    describeCommands(phase.finally, '      ', out);
  }
}

function describeCommands(commands: readonly CommandSpec[], indent: string, out: string[]): void {
  commands.forEach((c, i) => {
    const [first, ...rest] = c.text.replace(/\n$/, '').split('\n');
    const label = `${i + 1}. `;
    out.push(`${indent}${label}${first ?? ''}`);
    for (const line of rest) out.push(`${indent}${' '.repeat(label.length)}${line}`);
  });
}

export function describeOnFailure(f: OnFailure): string {
  switch (f.kind) {
    case 'ABORT':
    case 'CONTINUE':
      return f.kind;
    case 'RETRY':
      return `RETRY up to ${f.count} time${f.count === 1 ? '' : 's'}${f.pattern === undefined ? '' : ` when the output matches /${f.pattern}/`}`;
    default: {
      const never: never = f;
      return never;
    }
  }
}

function describeArtifacts(spec: BuildSpec, out: string[]): void {
  const a = spec.artifacts;
  if (!a) return;
  out.push('artifacts:', `  primary: ${describeSelection(a)}`);
  for (const [id, s] of Object.entries(a.secondaryArtifacts)) out.push(`  secondary ${id}: ${describeSelection(s)}`);
}

function describeSelection(s: ArtifactSelectionSpec): string {
  const parts = [s.files.join(', ')];
  if (s.baseDirectory) parts.push(`from ${s.baseDirectory}`);
  if (s.excludePaths.length > 0) parts.push(`excluding ${s.excludePaths.join(', ')}`);
  if (s.discardPaths) parts.push('paths discarded');
  if (s.enableSymlinks) parts.push('symlinks kept');
  if (s.name) parts.push(`named ${s.name}`);
  if (s.s3Prefix) parts.push(`s3-prefix ${s.s3Prefix} (ignored locally)`);
  return parts.join('; ');
}

function describeBatch(spec: BuildSpec, out: string[]): void {
  const b = spec.batch;
  if (!b) return;
  out.push(`batch: ${b.kind}, ${b.tasks.length} build${b.tasks.length === 1 ? '' : 's'}, fast-fail ${yesNo(b.fastFail)}`);
  for (const t of b.tasks) out.push(`  ${describeTask(t)}`);
}

function describeTask(t: BatchTaskSpec): string {
  const parts = [t.buildspec ? `buildspec ${t.buildspec}` : 'this buildspec'];
  if (t.env.image) parts.push(`image ${t.env.image}`);
  if (t.env.type) parts.push(`type ${t.env.type}`);
  if (t.env.computeType) parts.push(`compute-type ${t.env.computeType}`);
  if (t.env.privilegedMode) parts.push('privileged');
  const vars = Object.entries(t.env.variables);
  if (vars.length > 0) parts.push(`variables ${vars.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
  if (t.dependOn.length > 0) parts.push(`after ${t.dependOn.join(', ')}`);
  if (t.ignoreFailure) parts.push('failure ignored');
  if (t.debugSession) parts.push('debug-session');
  return `${t.identifier}: ${parts.join('; ')}`;
}

function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}
