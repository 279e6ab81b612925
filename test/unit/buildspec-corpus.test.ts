// Every real buildspec in ../shared/corpus/buildspecs: valid and edge files parse into a plan, INVALID ones are rejected clearly.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/index.js';
import type { BuildSpec } from '../../src/core/index.js';
import { describeBuildspec, loadBuildspec } from '../../src/spec/buildspec.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpusDir = path.resolve(repoRoot, '../shared/corpus/buildspecs');
/** The corpus as it stands; a missing or truncated corpus must fail, not silently test less. */
const EXPECTED_FILES = 53;

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
  });

  it.each(rejected.map((e) => [e.file, e] as const))('%s is rejected with a clear error', (_name, e) => {
    const error = rejection(e.file);
    expect(error.problems.length).toBeGreaterThan(0);
    for (const p of error.problems) {
      expect(p.location.file).toBe(path.join(corpusDir, e.file));
      expect(p.location.line).toBeGreaterThan(0);
      expect(p.lineText).toBeDefined();
    }
    expect(error.format()).toContain(`${e.file}:`);
  });
});
