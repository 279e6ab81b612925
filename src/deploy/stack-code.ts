// A function's code or a layer's content as the registry takes it: a digest of the files (to tell a change from
// none without zipping), and a deterministic zip (fixed dates, sorted names) kept in the stack's folder, so that
// a rollback can put the previous code back byte for byte.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, lstat, mkdir, readdir } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sha256File, writeZip } from '../artifacts/index.js';
import type { ZipEntry } from '../artifacts/index.js';
import type { CodeSource } from './template-models.js';

/** Zip dates are fixed, so the same files always give the same zip (and CodeSha256). */
const ZIP_DATE = new Date('1980-01-01T00:00:00Z');

interface CodeFile { rel: string; abs: string; mode: number }

async function listFiles(root: string): Promise<CodeFile[]> {
  const out: CodeFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const abs = join(dir, name);
      const st = await lstat(abs);
      if (st.isDirectory()) await walk(abs);
      else if (st.isFile()) out.push({ rel: relative(root, abs).split(sep).join(posix.sep), abs, mode: st.mode });
    }
  };
  await walk(root);
  return out;
}

/** The digest of a code source: the zip's SHA-256 for a .zip, else one over every file's name, mode and bytes. */
export async function digestCode(code: CodeSource): Promise<string> {
  if (code.kind === 'inline') return createHash('sha256').update(`inline\0${code.fileName}\0${code.text}`).digest('hex');
  if (code.isZip) return sha256File(code.path);
  const hash = createHash('sha256');
  for (const f of await listFiles(code.path)) {
    hash.update(`${f.rel}\0${f.mode & 0o111 ? 'x' : '-'}\0`);
    await pipeline(createReadStream(f.abs), hash, { end: false });
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The zip of a code source under `dir`, named by its digest (written once). */
export async function zipCode(code: CodeSource, digest: string, dir: string): Promise<string> {
  const target = join(dir, `${digest}.zip`);
  if (existsSync(target)) return target;
  await mkdir(dir, { recursive: true });
  if (code.kind === 'path' && code.isZip) {
    await copyFile(code.path, target);
    return target;
  }
  const entries: ZipEntry[] =
    code.kind === 'inline'
      ? [{ kind: 'file', name: code.fileName, source: () => Readable.from([Buffer.from(code.text)]), mode: 0o644, mtime: ZIP_DATE }]
      : (await listFiles(code.path)).map((f) => ({ kind: 'file', name: f.rel, source: f.abs, mode: f.mode, mtime: ZIP_DATE }));
  await writeZip(target, entries);
  return target;
}
