// The zip writer that deflates several files at once: what it writes is a zip Python's zipfile reads back with every
// CRC checked, names, modes, dates and bytes as given; small files deflated ahead, a large one streamed with a data
// descriptor, empty and incompressible ones stored, links kept as links.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { writeParallelZip } from '../../src/artifacts/parallel-zip.js';
import { writeZip } from '../../src/artifacts/zip-writer.js';
import type { ZipEntry } from '../../src/artifacts/zip-writer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const READ = `
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps([{'name': i.filename, 'method': i.compress_type, 'mode': oct(i.external_attr >> 16), 'date': list(i.date_time),
  'sha': hashlib.sha256(z.read(i)).hexdigest()[:12], 'size': i.file_size} for i in z.infolist()]))
`;

function sha(b: Buffer | string): string {
  return execFileSync('sha256sum', { input: b }).toString().slice(0, 12);
}

test('a zip of small, large, empty, incompressible files and a link reads back whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-pzip-'));
  dirs.push(dir);
  const text = Buffer.from('exports.x = 1;\n'.repeat(5000));
  const big = Buffer.from(Array.from({ length: 1_200_000 }, (_, i) => `line ${i % 977}\n`).join(''));
  const noise = randomBytes(64 * 1024);
  const files: Record<string, Buffer> = { text, big, noise, empty: Buffer.alloc(0) };
  for (const [n, b] of Object.entries(files)) writeFileSync(join(dir, n), b);
  expect(big.length).toBeGreaterThan(8 * 1024 * 1024);
  const mtime = new Date(2024, 2, 3, 4, 5, 6);
  const entries: ZipEntry[] = [
    { kind: 'file', name: 'bin/run.sh', source: join(dir, 'text'), mode: 0o755, mtime },
    { kind: 'file', name: 'dist/big.log', source: join(dir, 'big'), mode: 0o644, mtime },
    { kind: 'file', name: 'dist/empty', source: join(dir, 'empty'), mode: 0o644, mtime },
    { kind: 'file', name: 'dist/noise.bin', source: join(dir, 'noise'), mode: 0o644, mtime },
    { kind: 'symlink', name: 'dist/latest', target: 'big.log', mtime },
    { kind: 'file', name: 'docs/ünïcode ✓.txt', source: join(dir, 'text'), mode: 0o644, mtime },
  ];
  const zip = join(dir, 'out.zip');
  expect(await writeParallelZip(zip, entries)).toBe(true);
  const read = JSON.parse(execFileSync('python3', ['-c', READ, zip]).toString()) as Array<Record<string, unknown>>;
  const date = [2024, 3, 3, 4, 5, 6];
  expect(read).toEqual([
    { name: 'bin/run.sh', method: 8, mode: '0o100755', date, sha: sha(text), size: text.length },
    { name: 'dist/big.log', method: 8, mode: '0o100644', date, sha: sha(big), size: big.length },
    { name: 'dist/empty', method: 0, mode: '0o100644', date, sha: sha(''), size: 0 },
    { name: 'dist/noise.bin', method: 0, mode: '0o100644', date, sha: sha(noise), size: noise.length },
    { name: 'dist/latest', method: 0, mode: '0o120777', date, sha: sha('big.log'), size: 7 },
    { name: 'docs/ünïcode ✓.txt', method: 8, mode: '0o100644', date, sha: sha(text), size: text.length },
  ]);
  // Info-ZIP's unzip agrees (it checks the data descriptor of the streamed entry too).
  expect(execFileSync('unzip', ['-tq', zip]).toString()).toContain('No errors detected');
});

test('writeZip keeps its order and normalizes modes on either path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-pzip-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'a'), 'a');
  const mtime = new Date(2020, 0, 1);
  const zip = join(dir, 'w.zip');
  await writeZip(zip, [
    { kind: 'file', name: 'z', source: join(dir, 'a'), mode: 0o100700, mtime },
    { kind: 'file', name: 'a', source: join(dir, 'a'), mode: 0o100600, mtime },
  ]);
  const read = JSON.parse(execFileSync('python3', ['-c', READ, zip]).toString()) as Array<{ name: string; mode: string }>;
  expect(read.map((r) => `${r.name} ${r.mode}`)).toEqual(['a 0o100644', 'z 0o100755']);
});

test('hundreds of small files (deflated on the writer threads) and large ones, from a file in pieces or from memory, read back whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-pzip-'));
  dirs.push(dir);
  const mtime = new Date(2024, 0, 2, 3, 4, 6);
  const small = Array.from({ length: 300 }, (_, i) => Buffer.from(`module.exports = ${i};\n`.repeat(1 + (i % 40))));
  const big = Buffer.from(Array.from({ length: 1_500_000 }, (_, i) => `row ${i % 1013} ${i % 7}\n`).join(''));
  writeFileSync(join(dir, 'big'), big);
  const entries: ZipEntry[] = [
    ...small.map((b, i): ZipEntry => ({ kind: 'file', name: `lib/m${String(i).padStart(3, '0')}.js`, source: b, mode: 0o644, mtime })),
    { kind: 'file', name: 'z/big-from-file.log', source: join(dir, 'big'), mode: 0o644, mtime },
    { kind: 'file', name: 'z/big-from-memory.log', source: big, mode: 0o644, mtime },
  ];
  const zip = join(dir, 'many.zip');
  expect(await writeParallelZip(zip, entries)).toBe(true);
  const read = JSON.parse(execFileSync('python3', ['-c', READ, zip], { maxBuffer: 1 << 24 }).toString()) as Array<{ name: string; sha: string; size: number; method: number }>;
  expect(read.map((r) => `${r.name} ${r.sha} ${r.size}`)).toEqual([
    ...small.map((b, i) => `lib/m${String(i).padStart(3, '0')}.js ${sha(b)} ${b.length}`),
    `z/big-from-file.log ${sha(big)} ${big.length}`,
    `z/big-from-memory.log ${sha(big)} ${big.length}`,
  ]);
  expect(execFileSync('unzip', ['-tq', zip]).toString()).toContain('No errors detected');
  // The pieces of the large file, each primed with the 32 KiB before it, deflate about as well as one stream does.
  const sizes = JSON.parse(execFileSync('python3', ['-c', 'import json,sys,zipfile; print(json.dumps({i.filename: i.compress_size for i in zipfile.ZipFile(sys.argv[1]).infolist()}))', zip]).toString()) as Record<string, number>;
  const pieces = sizes['z/big-from-file.log'] ?? 0;
  const whole = sizes['z/big-from-memory.log'] ?? 0;
  expect(Math.abs(pieces - whole) / whole).toBeLessThan(0.01);
});
