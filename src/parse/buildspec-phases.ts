// The buildspec `phases` section: phase names, run-as, on-failure (ABORT, CONTINUE, RETRY forms), runtime-versions, commands, finally.
import { BUILDSPEC_PHASES } from '../core/index.js';
import type { BuildspecPhase, CommandSpec, OnFailure, PhaseSpec } from '../core/index.js';
import { entry, joinPath, suggest } from './problems.js';
import { isNullNode } from './buildspec-reader.js';
import type { BuildspecReader } from './buildspec-reader.js';
import { describeNode } from './yaml-source.js';
import type { YamlNode } from './yaml-source.js';

export const PHASE_KEYS = ['run-as', 'on-failure', 'runtime-versions', 'commands', 'finally'] as const;

/** Default retry count of a bare `RETRY`, and the range CodeBuild allows for `RETRY-<count>`. */
const DEFAULT_RETRIES = 3;
const MAX_RETRIES = 100;

export function readPhases(
  r: BuildspecReader,
  node: YamlNode,
  path: string,
): Partial<Record<BuildspecPhase, PhaseSpec>> {
  const phases: Partial<Record<BuildspecPhase, PhaseSpec>> = {};
  const map = r.readMapping(node, path);
  if (!map) return phases;
  for (const { key, value } of map.entries) {
    const at = joinPath(path, key.value);
    if (!isPhaseName(key.value)) {
      const close = suggest(key.value, BUILDSPEC_PHASES);
      const hint = close ? ` (did you mean '${close}'?)` : '';
      r.error(key, at, `unknown phase '${key.value}'${hint}; phases are ${BUILDSPEC_PHASES.join(', ')}`);
      continue;
    }
    // `build:` with nothing under it: CodeBuild runs nothing there, so it is accepted, but said where the phase
    // stands, since it is more often an indentation slip than an intent.
    if (isNullNode(value)) r.warn(key, at, 'tolerated', `phase ${key.value} is empty (null): nothing runs in it`);
    phases[key.value] = readPhase(r, key.value, value, at);
  }
  return phases;
}

function isPhaseName(name: string): name is BuildspecPhase {
  return (BUILDSPEC_PHASES as readonly string[]).includes(name);
}

function readPhase(
  r: BuildspecReader,
  name: BuildspecPhase,
  node: YamlNode,
  path: string,
): PhaseSpec {
  const phase: PhaseSpec = { runtimeVersions: {}, commands: [], finally: [] };
  const map = r.readMapping(node, path);
  if (!map) return phase;
  r.problems.checkKeys(map, path, PHASE_KEYS);

  const runAs = entry(map, 'run-as');
  if (runAs) {
    const user = r.readString(runAs, joinPath(path, 'run-as'));
    if (user !== undefined) phase.runAs = user;
  }
  const onFailure = entry(map, 'on-failure');
  if (onFailure) {
    const parsed = readOnFailure(r, onFailure, joinPath(path, 'on-failure'));
    if (parsed) phase.onFailure = parsed;
  }
  const runtimes = entry(map, 'runtime-versions');
  if (runtimes) {
    const at = joinPath(path, 'runtime-versions');
    if (name !== 'install') {
      r.error(runtimes, at, `runtime-versions is allowed only in the install phase, not in ${name}`);
    } else {
      phase.runtimeVersions = readRuntimeVersions(r, runtimes, at);
    }
  }
  const commands = entry(map, 'commands');
  if (commands) phase.commands = readCommands(r, commands, joinPath(path, 'commands'));
  const fin = entry(map, 'finally');
  if (fin) phase.finally = readCommands(r, fin, joinPath(path, 'finally'));
  return phase;
}

/** `commands`/`finally`: a list of strings; a single scalar is one command; null items are skipped. */
export function readCommands(r: BuildspecReader, node: YamlNode, path: string): CommandSpec[] {
  if (node.kind === 'scalar') {
    if (node.isNull) {
      r.warn(node, path, 'tolerated', 'no commands listed; nothing runs here');
      return [];
    }
    return [{ text: node.value, location: r.scalarLocation(node) }];
  }
  if (node.kind === 'mapping') {
    r.error(node, path, 'expected a list of commands, got a mapping');
    return [];
  }
  const out: CommandSpec[] = [];
  node.items.forEach((item, i) => {
    const at = joinPath(path, i);
    if (isNullNode(item)) {
      r.warn({ location: r.nullItemLocation(item) }, at, 'tolerated', 'empty command (a `-` with nothing after it, or only a comment) skipped');
      return;
    }
    if (item.kind !== 'scalar') {
      const hint = item.kind === 'mapping' ? " (a command containing ': ' must be quoted)" : '';
      r.error(item, at, `expected a command string, got ${describeNode(item)}${hint}`);
      return;
    }
    out.push({ text: item.value, location: r.scalarLocation(item) });
  });
  return out;
}

export function readOnFailure(r: BuildspecReader, node: YamlNode, path: string): OnFailure | undefined {
  const text = r.readString(node, path);
  if (text === undefined) return undefined;
  const parsed = parseOnFailure(text);
  if (parsed.ok) return parsed.value;
  r.error(node, path, parsed.message);
  return undefined;
}

export type OnFailureResult = { ok: true; value: OnFailure } | { ok: false; message: string };

/** ABORT, CONTINUE, RETRY, RETRY-<count 0-100>, RETRY-<regex>, RETRY-<count>-<regex>. */
export function parseOnFailure(text: string): OnFailureResult {
  const expected = 'expected ABORT, CONTINUE, RETRY, RETRY-<count>, RETRY-<regex> or RETRY-<count>-<regex>';
  if (text === 'ABORT' || text === 'CONTINUE') return { ok: true, value: { kind: text } };
  if (text === 'RETRY') return { ok: true, value: { kind: 'RETRY', count: DEFAULT_RETRIES } };
  if (!text.startsWith('RETRY-')) {
    const upper = text.toUpperCase();
    if (upper === 'ABORT' || upper === 'CONTINUE' || upper.startsWith('RETRY')) {
      return { ok: false, message: `'${text}' must be written in capitals; ${expected}` };
    }
    return { ok: false, message: `unknown on-failure '${text}'; ${expected}` };
  }
  const rest = text.slice('RETRY-'.length);
  const counted = /^(\d+)(?:-(.*))?$/s.exec(rest);
  const count = counted ? Number(counted[1]) : DEFAULT_RETRIES;
  const pattern = counted ? counted[2] : rest;
  if (counted && count > MAX_RETRIES) {
    return { ok: false, message: `retry count ${count} is out of range; RETRY-<count> takes 0 to ${MAX_RETRIES}` };
  }
  if (pattern === undefined) return { ok: true, value: { kind: 'RETRY', count } };
  if (pattern === '') return { ok: false, message: `'${text}' ends with '-' but gives no pattern; ${expected}` };
  try {
    new RegExp(pattern);
  } catch (e) {
    return { ok: false, message: `'${pattern}' in '${text}' is not a valid regular expression (${(e as Error).message})` };
  }
  return { ok: true, value: { kind: 'RETRY', count, pattern } };
}

function readRuntimeVersions(
  r: BuildspecReader,
  node: YamlNode,
  path: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of r.readTextMap(node, path)) {
    const at = joinPath(path, v.name);
    if (v.value === '') {
      r.error(v.node, at, `expected a version for runtime '${v.name}', got nothing`);
      continue;
    }
    // Which version runs depends on the image; the build resolves it (src/build/runtime-versions.ts).
    out[v.name] = v.value;
  }
  return out;
}
