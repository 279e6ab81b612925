// Every real buildspec in ../shared/corpus/buildspecs: valid and edge files parse into a plan, INVALID ones are rejected clearly.
// Each file's plan and warnings, or its error, are pinned in the snapshot (corpus paths written as <corpus>), so every
// file has an expectation of its own; the structural checks below hold for all of them.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/index.js';
import type { BuildSpec } from '../../src/core/index.js';
import { describeBuildspec, loadBuildspec } from '../../src/parse/buildspec.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpusDir = path.resolve(repoRoot, '../shared/corpus/buildspecs');
/** The corpus as it stands; a missing or truncated corpus must fail, not silently test less. */
const EXPECTED_FILES = 53;

/** What the known INVALID files must be rejected for (any new INVALID file still gets the generic checks). */
const EXPECTED_REJECTIONS: Record<string, string[]> = {
  '015-aws-samples-aws-serverless-samfarm-buildspec.yml': [
    ":1:10 version: unsupported buildspec version '0.0'; expected 0.2 (or 0.1) (this is the pre-GA format: environment_variables, containers, during_build are not buildspec keys)",
    ":1:1 phases: missing 'phases'",
  ],
  '037-awslabs-aws-crt-java-instrumentedTestSpec.yml': [
    ":13:3 phases.pre_test: unknown phase 'pre_test'",
    ":17:3 phases.test: unknown phase 'test'",
    ":102:3 phases.post_test: unknown phase 'post_test'",
    ':110:3 artifacts: expected a mapping, got a list',
  ],
};

interface CorpusEntry {
  file: string;
  status: 'valid' | 'edge' | 'INVALID';
  notes: string;
}

function readSources(): CorpusEntry[] {
  const tsv = readFileSync(path.join(corpusDir, 'SOURCES.tsv'), 'utf8');
  const [header, ...rows] = tsv.split('\n').filter((l) => l.trim() !== '');
  const cols = (header ?? '').split('\t');
  const at = (name: string): number => cols.indexOf(name);
  return rows.map((row) => {
    const cells = row.split('\t');
    const status = cells[at('spec_status')];
    if (status !== 'valid' && status !== 'edge' && status !== 'INVALID') throw new Error(`bad spec_status in ${row}`);
    return { file: cells[at('file')] ?? '', status, notes: cells[at('notes')] ?? '' };
  });
}

const entries = existsSync(corpusDir) ? readSources() : [];
const accepted = entries.filter((e) => e.status !== 'INVALID');
const rejected = entries.filter((e) => e.status === 'INVALID');

function load(file: string): BuildSpec {
  return loadBuildspec(path.join(corpusDir, file));
}

/** Text with the machine's corpus path replaced, so the snapshot holds on any checkout. */
function portable(text: string): string {
  return text.split(corpusDir).join('<corpus>');
}

function rejection(file: string): ValidationError {
  try {
    load(file);
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error(`${file} was accepted, but the corpus marks it INVALID`);
}

describe('buildspec corpus', () => {
  it(`holds ${EXPECTED_FILES} files, each present on disk`, () => {
    expect(existsSync(corpusDir), `corpus not found at ${corpusDir}`).toBe(true);
    expect(entries).toHaveLength(EXPECTED_FILES);
    for (const e of entries) expect(existsSync(path.join(corpusDir, e.file)), e.file).toBe(true);
    expect(accepted.length).toBeGreaterThan(0);
    expect(rejected.length).toBeGreaterThan(0);
  });

  it.each(accepted.map((e) => [e.file, e] as const))('%s parses into a plan', (_name, e) => {
    const spec = load(e.file);
    const plan = describeBuildspec(spec);
    expect(plan).toContain(`(version ${spec.version})`);
    const phases = Object.keys(spec.phases);
    if (phases.length === 0) {
      expect(spec.batch, 'a file without phases must define a batch').toBeDefined();
    }
    for (const phase of phases) expect(plan).toContain(`  ${phase}`);
    for (const w of spec.warnings) {
      expect(w.location.file).toBe(path.join(corpusDir, e.file));
      expect(w.message.length).toBeGreaterThan(0);
      expect(plan).toContain(w.message);
    }
    // JSON-friendly: the BuildSpec itself is the machine-readable plan.
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    const warnings = spec.warnings.map((w) => `${w.location.line}:${w.location.column} ${w.kind} ${w.path}: ${w.message}`);
    expect({ plan: portable(plan).split('\n'), warnings }).toMatchSnapshot();
  });

  it.each(accepted.map((e) => [e.file, e] as const))('%s: warnings name the keys pipe cannot honour', (_name, e) => {
    const text = readFileSync(path.join(corpusDir, e.file), 'utf8');
    const spec = load(e.file);
    const unsupported = spec.warnings.filter((w) => w.kind === 'unsupported-locally');
    const warnedKeys = new Set(unsupported.flatMap((w) => w.path.split('.').map((p) => p.replace(/\[\d+\]$/, ''))));
    // The keys the file's text uses that pipe cannot honour locally, each of which must be warned about...
    const expected = new Set<string>(Object.keys(spec.phases.install?.runtimeVersions ?? {}).map((r) => `runtime-versions.${r}`));
    if (spec.env.gitCredentialHelper) expected.add('git-credential-helper');
    if (/^\s*debug-session:\s*true/m.test(text)) expected.add('debug-session');
    if (/^\s*compute-type:/m.test(text)) expected.add('compute-type');
    if (/^\s*privileged-mode:\s*true/m.test(text)) expected.add('privileged-mode');
    if (/\$env:/i.test(text) && /base-directory/.test(text)) expected.add('base-directory');
    const missing = [...expected].filter((k) =>
      k.startsWith('runtime-versions.') ? !unsupported.some((w) => w.path === `phases.install.${k}`) : !warnedKeys.has(k),
    );
    expect(missing).toEqual([]);
    // ...and no unsupported-locally warning without such a key in the file.
    for (const w of unsupported) expect(text, w.path).toContain(w.path.split('.').pop()?.replace(/\[\d+\]$/, ''));
  });

  it.each(rejected.map((e) => [e.file, e] as const))('%s is rejected with a clear error', (_name, e) => {
    const error = rejection(e.file);
    const expected = EXPECTED_REJECTIONS[e.file];
    if (expected) for (const m of expected) expect(error.format()).toContain(m);
    expect(portable(error.format()).split('\n')).toMatchSnapshot();
    expect(error.problems.length).toBeGreaterThan(0);
    for (const p of error.problems) {
      expect(p.location.file).toBe(path.join(corpusDir, e.file));
      expect(p.location.line).toBeGreaterThan(0);
      expect(p.lineText).toBeDefined();
    }
    expect(error.format()).toContain(`${e.file}:`);
  });
});
