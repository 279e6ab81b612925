// A corpus of hostile inputs: pipelines and buildspecs through the real CLI, zips through the artifact unpacker and
// the registry's upload check. Each must get a clear error (exit 2, `error:` and what is wrong, no stack trace, no
// terminal escapes) within a generous deadline, and change nothing on disk or in the store. Grow it whenever a bug
// is found. The run prints a summary line: kinds tried, clear errors, nothing changed.
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PipeError, ValidationError } from '../../src/core/index.js';
import { unzipToTar } from '../../src/artifacts/index.js';
import { inspectZip } from '../../src/registry/zip-check.js';
import { openDatabase } from '../../src/infra/sqlite.js';
import { loadBuildspec, loadPipelineSpec } from '../../src/parse/index.js';
import { makePipeEnv, pipe } from '../support/cli.js';
import { rawZip } from '../support/raw-zip.js';

/** The parse itself: far below this; the CLI adds a Node start on a machine shared with other test runs. */
// Bounds that tell a refusal from a hang; the speed of a refusal is measured by `npm run bench` (bench/limits.mjs).
const PARSE_DEADLINE_MS = 10_000;
const CLI_DEADLINE_MS = 20_000;

interface FileCase {
  kind: 'pipeline' | 'buildspec';
  name: string;
  content: string | Buffer;
  /** Part of the error the person must see. */
  expected: string;
}

const SOURCE_STAGE = [
  'stages:',
  '  - name: Source',
  '    actions:',
  '      - { name: Checkout, type: Source/Git, configuration: { repository: . }, outputArtifacts: [Src] }',
  '  - name: Build',
  '    actions:',
  '      - { name: B, type: Build/CodeBuild, inputArtifacts: [Src] }',
].join('\n');
const BUILD = 'phases:\n  build:\n    commands: [make]\n';

/** `levels` lists of nine aliases of the level below: 9^levels values once expanded. */
function aliasLevels(indent: string, levels: number): string {
  const rows = [`${indent}l0: &l0 ['#{SourceVariables.CommitId}', x, x, x, x, x, x, x, x]`];
  for (let i = 1; i <= levels; i++) rows.push(`${indent}l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(', ')}]`);
  return rows.join('\n');
}

/** Bytes that are not text: a fixed pseudo-random sequence, NULs included. */
function garbage(size: number): Buffer {
  const out = Buffer.alloc(size);
  let x = 12345;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const FILE_CASES: FileCase[] = [
  {
    kind: 'pipeline',
    name: 'alias bomb in a configuration value',
    content: `name: p\nstages:\n  - name: Source\n    actions:\n      - name: Checkout\n        type: Source/Git\n        configuration:\n          repository: .\n${aliasLevels('          ', 9)}\n        outputArtifacts: [Src]\n  - name: Build\n    actions:\n      - { name: B, type: Build/CodeBuild, inputArtifacts: [Src] }\n`,
    expected: "takes the document past 100000 values, pipe's limit (an alias bomb?)",
  },
  { kind: 'pipeline', name: 'alias inside its own anchor', content: 'name: p\nstages: &s\n  - name: Source\n    actions: *s\n', expected: 'alias *s stands inside the node it names' },
  { kind: 'pipeline', name: 'nesting bomb', content: `name: p\nstages: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, expected: 'the document nests deeper than 64 levels' },
  {
    kind: 'pipeline',
    name: 'key flood',
    content: `name: p\n${SOURCE_STAGE}\nvariables:\n  - name: V\n    description: x\n${Array.from({ length: 10_050 }, (_, i) => `    k${i}: x`).join('\n')}\n`,
    expected: "more than 10000 mapping keys, pipe's limit",
  },
  { kind: 'pipeline', name: 'a 3 MB file', content: `name: p\n${SOURCE_STAGE}\n${`# ${'y'.repeat(97)}\n`.repeat(30_000)}`, expected: "larger than pipe's limit of 1048576 bytes" },
  { kind: 'pipeline', name: 'pipeline named ..', content: `name: ..\n${SOURCE_STAGE}\n`, expected: "'..' is not usable as a pipeline name" },
  { kind: 'pipeline', name: 'pipeline named ...', content: `name: '...'\n${SOURCE_STAGE}\n`, expected: "'...' is not usable as a pipeline name" },
  {
    kind: 'pipeline',
    name: 'stage .. and artifact ../x',
    content: `name: p\n${SOURCE_STAGE.replace('  - name: Build', '  - name: ..').replace('outputArtifacts: [Src]', 'outputArtifacts: [../x]')}\n`,
    expected: "'..' is not usable as a stage name",
  },
  { kind: 'pipeline', name: 'binary garbage', content: garbage(4096), expected: 'YAML syntax error' },
  { kind: 'pipeline', name: 'several documents', content: `name: a\n---\nname: b\n`, expected: 'a file holds one YAML document' },
  { kind: 'pipeline', name: 'terminal escapes in a name', content: `name: "\\e]0;owned\\a\\e[2J"\n${SOURCE_STAGE}\n`, expected: 'expected a pipeline name of 1-100 characters' },
  { kind: 'buildspec', name: 'alias bomb in env.variables', content: `version: 0.2\nenv:\n  variables:\n${aliasLevels('    ', 9)}\n${BUILD}`, expected: 'an alias bomb?' },
  { kind: 'buildspec', name: 'secondary artifact ../../x', content: `version: 0.2\n${BUILD}artifacts:\n  files: [a]\n  secondary-artifacts:\n    ../../x:\n      files: [a]\n`, expected: "got '../../x'" },
  { kind: 'buildspec', name: 'batch identifier ../up', content: `version: 0.2\nbatch:\n  build-list:\n    - identifier: ../up\n`, expected: "expected a batch task identifier of 1-127 characters from A-Z a-z 0-9 _ -, got '../up'" },
  { kind: 'buildspec', name: 'report group /etc', content: `version: 0.2\n${BUILD}reports:\n  /etc:\n    files: [r.xml]\n`, expected: "got '/etc'" },
  { kind: 'buildspec', name: 'nesting bomb in commands', content: `version: 0.2\nphases:\n  build:\n    commands: ${'['.repeat(200)}${']'.repeat(200)}\n`, expected: 'nests deeper than 64 levels' },
  { kind: 'buildspec', name: 'a 5 MB file', content: `version: 0.2\n${BUILD}${`# ${'z'.repeat(1021)}\n`.repeat(5 * 1024)}`, expected: "bytes, larger than pipe's limit of 1048576 bytes (1 MiB)" },
  { kind: 'buildspec', name: 'NUL bytes', content: `version: 0.2\u0000\n${BUILD}`, expected: 'null byte is not allowed in input' },
  { kind: 'buildspec', name: 'phases as a list', content: 'version: 0.2\nphases:\n  - build\n', expected: 'phases: expected a mapping, got a list' },
];

interface ZipCase {
  name: string;
  bytes: Buffer;
  /** What the artifact unpacker and the registry's upload check say. */
  unpack: string;
  upload: string;
}

const goodZip = rawZip([{ name: 'a.txt', content: 'a' }]);
const ZIP_CASES: ZipCase[] = [
  { name: 'entry ../evil', bytes: rawZip([{ name: 'ok.txt', content: 'ok' }, { name: '../evil', content: 'x' }]), unpack: 'entry ../evil lies outside the artifact root', upload: 'Could not unzip uploaded file' },
  { name: 'absolute entry /etc/evil', bytes: rawZip([{ name: '/etc/evil', content: 'x' }]), unpack: 'entry /etc/evil lies outside the artifact root', upload: 'Could not unzip uploaded file' },
  { name: 'symlink to ../../etc/passwd', bytes: rawZip([{ name: 'passwd', link: '../../etc/passwd' }]), unpack: 'symlink passwd points outside the artifact root', upload: 'symbolic link passwd points outside the archive' },
  { name: 'symlink to /etc', bytes: rawZip([{ name: 'etc', link: '/etc' }]), unpack: 'symlink etc points outside the artifact root', upload: 'symbolic link etc points outside the archive' },
  { name: 'a file written through a link', bytes: rawZip([{ name: 'd', link: 'sub' }, { name: 'd/x.txt', content: 'x' }]), unpack: 'entry d/x.txt lies under the symlink d', upload: '' },
  // The registry's check has no such rule: a function's code only ever unpacks inside its container.
  { name: 'a chain of inside-looking links (a -> ., a/b -> ..)', bytes: rawZip([{ name: 'a', link: '.' }, { name: 'a/b', link: '..' }]), unpack: 'entry a/b lies under the symlink a', upload: '' },
  { name: 'not a zip', bytes: garbage(2048), unpack: 'Could not read artifact', upload: 'Could not unzip uploaded file' },
  { name: 'a truncated zip', bytes: goodZip.subarray(0, goodZip.length - 10), unpack: 'Could not read artifact', upload: 'Could not unzip uploaded file' },
];

/** Every path under `root` with its size, to show that nothing was added, removed or changed. */
function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const st = statSync(full);
      // SQLite's side files come and go with every open; the store is compared by its rows instead.
      if (/^state\.db(-wal|-shm)?$/.test(name)) continue;
      out.push(`${relative(root, full)}${st.isDirectory() ? '/' : ` ${st.size}`}`);
      if (st.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}

/** Row counts of every table of the state database. */
function storeRows(home: string): Record<string, number> {
  const db = openDatabase(join(home, 'state.db'));
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    return Object.fromEntries(tables.map(({ name }) => [name, (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]));
  } finally {
    db.close();
  }
}

const tally = { tried: 0, clear: 0, unchanged: 0 };
afterAll(() => {
  const all = tally.tried === tally.clear && tally.clear === tally.unchanged ? 'nothing changed' : `${tally.tried - tally.unchanged} changed something`;
  process.stdout.write(`\n[hostile inputs] ${tally.tried} kinds tried, ${tally.clear} clear errors, ${all}\n\n`);
});

function expectClear(stderr: string, expected: string): void {
  expect(stderr.startsWith('error: ')).toBe(true);
  expect(stderr).toContain(expected);
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
}

describe('hostile pipelines and buildspecs, through the CLI', () => {
  const env = makePipeEnv();
  // PIPE_HOME and the artifact store, side by side.
  const pipeRoot = dirname(env.home);
  const sandbox = mkdtempSync(join(tmpdir(), 'pipe-hostile-'));

  it.each(FILE_CASES.map((c, i) => ({ ...c, i })))('$kind: $name', async ({ kind, content, expected, i }) => {
    tally.tried++;
    const dir = join(sandbox, `case-${i}`);
    mkdirSync(dir);
    const file = join(dir, kind === 'pipeline' ? 'pipeline.yml' : 'buildspec.yml');
    writeFileSync(file, content);
    // The store exists before the first look, so that opening it is not counted as a change.
    await pipe(['executions', '--json'], env);
    const before = { files: listTree(sandbox), home: listTree(pipeRoot), rows: storeRows(env.home) };

    const started = Date.now();
    try {
      if (kind === 'pipeline') loadPipelineSpec(file);
      else loadBuildspec(file);
      throw new Error('the file was accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
    }
    expect(Date.now() - started).toBeLessThan(PARSE_DEADLINE_MS);

    const commands = kind === 'pipeline' ? [['validate', file], ['run', file]] : [['build', dir, '--artifacts', join(dir, 'out')]];
    for (const args of commands) {
      const t0 = Date.now();
      const r = await pipe(args, env);
      expect(Date.now() - t0).toBeLessThan(CLI_DEADLINE_MS);
      expect(r.exitCode).toBe(2);
      expectClear(r.stderr, expected);
    }
    tally.clear++;
    expect({ files: listTree(sandbox), home: listTree(pipeRoot), rows: storeRows(env.home) }).toEqual(before);
    tally.unchanged++;
  });
});

describe('hostile zips, through the artifact unpacker and the registry upload check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-hostile-zips-'));

  it.each(ZIP_CASES.map((c, i) => ({ ...c, i })))('zip: $name', async ({ bytes, unpack, upload, i }) => {
    tally.tried++;
    const zipPath = join(dir, `case-${i}.zip`);
    writeFileSync(zipPath, bytes);
    const before = listTree(dir);
    const started = Date.now();
    const unpacked = await unzipToTar(zipPath).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(unpacked).toBeInstanceOf(PipeError);
    expect((unpacked as PipeError).message).toContain(unpack);
    if (upload) {
      const checked = await inspectZip(bytes).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((checked as Error | undefined)?.message ?? 'accepted').toContain(upload);
    }
    expect(Date.now() - started).toBeLessThan(PARSE_DEADLINE_MS);
    tally.clear++;
    expect(listTree(dir)).toEqual(before);
    tally.unchanged++;
  });
});
