// Every real buildspec in ../shared/corpus/buildspecs: valid and edge files parse into a plan, INVALID ones are rejected clearly.
// Each file's plan and warnings, or its error, are pinned in the snapshot (corpus paths written as <corpus>), so every
// file has an expectation of its own; the structural checks below hold for all of them.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { planRuntimeVersions, readRuntimeCatalog, RUNTIMES_LABEL, STANDARD_IMAGE } from '../../src/codebuild/index.js';
import { ValidationError } from '../../src/core/index.js';
import type { BuildSpec } from '../../src/core/index.js';
import { describeBuildspec, loadBuildspec } from '../../src/parse/buildspec.js';
import { describeShared, SHARED_DIR } from '../support/shared.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpusDir = path.join(SHARED_DIR, 'corpus/buildspecs');
/** pipe/standard:7.0's runtime catalog, as its build puts it in the image's label. */
const standardCatalog = readRuntimeCatalog(STANDARD_IMAGE, {
  [RUNTIMES_LABEL]: readFileSync(path.join(repoRoot, 'scripts/images/standard-7.0-runtimes.json')).toString('base64'),
});
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

describeShared('buildspec corpus', 'corpus/buildspecs', () => {
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
    const warned = (key: string): boolean =>
      spec.warnings.some((w) => w.kind === 'unsupported-locally' && w.path.split('.').some((p) => p.replace(/\[\d+\]$/, '') === key));
    // runtime-versions against pipe/standard:7.0: each runtime is selected, or a parity line names it.
    const runtimes = planRuntimeVersions(spec.phases.install?.runtimeVersions ?? {}, spec.env.variables, standardCatalog, STANDARD_IMAGE);
    const unresolved = Object.keys(spec.phases.install?.runtimeVersions ?? {}).filter(
      (runtime) => runtimes.selected[runtime] === undefined && !runtimes.notes.some((n) => n.startsWith(`runtime-versions: ${runtime} `)),
    );
    expect(unresolved).toEqual([]);
    // The keys the file's text uses that pipe cannot honour locally, each of which must be warned about...
    const expected: string[] = [];
    if (spec.env.gitCredentialHelper) expected.push('git-credential-helper');
    if (/^\s*debug-session:\s*true/m.test(text)) expected.push('debug-session');
    if (/^\s*compute-type:/m.test(text)) expected.push('compute-type');
    if (/^\s*privileged-mode:\s*true/m.test(text)) expected.push('privileged-mode');
    if (/\$env:/i.test(text) && /base-directory/.test(text)) expected.push('base-directory');
    expect(expected.filter((k) => !warned(k))).toEqual([]);
    // ...and no unsupported-locally warning without such a key in the file.
    const unfounded = spec.warnings
      .filter((x) => x.kind === 'unsupported-locally')
      .filter((w) => !text.includes(w.path.split('.').pop()?.replace(/\[\d+\]$/, '') ?? ''));
    expect(unfounded.map((w) => w.path)).toEqual([]);
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
