// Artifact selection with CodeBuild semantics from a Docker-style tar, and unpacking zips for containers.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ZipArchive } from 'archiver';
import type { ZipEntryData } from 'archiver';
import { extract, pack } from 'tar-stream';
import yauzl from 'yauzl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PipeError } from '../../src/core/index.js';
import {
  artifactPath,
  combineZips,
  resolveInside,
  zipDirectory,
  selectArtifactsFromTar,
  selectFromTar,
  sha256File,
  unzipToTar,
  type ArtifactSelection,
} from '../../src/artifacts/index.js';

const ROOT = '/codebuild/output/src';
const MTIME = new Date('2024-05-01T12:00:00Z');

type Fixture = Record<string, string | { link: string } | { hardlink: string } | { content: string; mode: number }>;

/** A tar as Docker's getArchive gives it for ROOT: every entry under `src/`, directories first. */
function dockerTar(files: Fixture): Readable {
  const p = pack();
  const dirs = new Set<string>(['src']);
  p.entry({ name: 'src/', type: 'directory', mode: 0o755, mtime: MTIME });
  for (const [name, spec] of Object.entries(files)) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = `src/${parts.slice(0, i).join('/')}`;
      if (!dirs.has(dir)) p.entry({ name: `${dir}/`, type: 'directory', mode: 0o755, mtime: MTIME });
      dirs.add(dir);
    }
    if (typeof spec === 'string') p.entry({ name: `src/${name}`, mode: 0o644, mtime: MTIME }, spec);
    else if ('link' in spec) p.entry({ name: `src/${name}`, type: 'symlink', linkname: spec.link, mtime: MTIME });
    else if ('hardlink' in spec) p.entry({ name: `src/${name}`, type: 'link', linkname: `src/${spec.hardlink}`, mtime: MTIME });
    else p.entry({ name: `src/${name}`, mode: spec.mode, mtime: MTIME }, spec.content);
  }
  p.finalize();
  return Readable.from(p);
}

interface ZipContent {
  name: string;
  content: string;
  symlink: boolean;
  mode: number;
}

async function readZip(file: string): Promise<ZipContent[]> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  const out: ZipContent[] = [];
  for await (const entry of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const c of await zip.openReadStreamPromise(entry)) chunks.push(c as Buffer);
    const unix = entry.externalFileAttributes >>> 16;
    out.push({
      name: entry.fileName,
      content: Buffer.concat(chunks).toString('utf8'),
      symlink: (unix & 0o170000) === 0o120000,
      mode: unix & 0o777,
    });
  }
  zip.close();
  return out;
}

const select = (over: Partial<ArtifactSelection>): ArtifactSelection => ({
  files: ['**/*'],
  discardPaths: false,
  excludePaths: [],
  enableSymlinks: false,
  ...over,
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pipe-artifacts-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const LINKS_FOR_UNZIP: Fixture = {
  'readme.txt': 'hello',
  'bin/run.sh': { content: '#!/bin/sh', mode: 0o755 },
  current: { link: 'bin/run.sh' },
};

const APP: Fixture = {
  'index.js': 'main',
  'README.md': 'readme',
  '.env': 'SECRET=1',
  'lib/util.js': 'util',
  'dist/app.js': 'app',
  'dist/app.js.map': 'map',
  'dist/sub/chunk.js': 'chunk',
  '.git/config': '[core]',
  'bin/run.sh': { content: '#!/bin/sh', mode: 0o775 },
};

describe('selectFromTar', () => {
  it('selects files globs relative to the source root, a plain path selecting one file', async () => {
    const zipPath = path.join(dir, 'out', 'BuildOutput.zip');
    const result = await selectFromTar(dockerTar(APP), ROOT, select({ files: ['*.js', 'dist/*', 'README.md'] }), zipPath);
    expect(result.files).toEqual(['README.md', 'dist/app.js', 'dist/app.js.map', 'index.js']);
    expect(result.warnings).toEqual([]);
    expect(await readZip(zipPath)).toEqual([
      { name: 'README.md', content: 'readme', symlink: false, mode: 0o644 },
      { name: 'dist/app.js', content: 'app', symlink: false, mode: 0o644 },
      { name: 'dist/app.js.map', content: 'map', symlink: false, mode: 0o644 },
      { name: 'index.js', content: 'main', symlink: false, mode: 0o644 },
    ]);
    expect(result.path).toBe(zipPath);
    expect(result.sha256).toBe(await sha256File(zipPath));
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.size).toBe((await readFile(zipPath)).length);
    expect(await readdir(path.dirname(zipPath))).toEqual(['BuildOutput.zip']);
  });

  it("'**/*' takes every file recursively, dot-files included, keeping execute bits as 0755", async () => {
    const zipPath = path.join(dir, 'all.zip');
    const result = await selectFromTar(dockerTar(APP), ROOT, select({}), zipPath);
    expect(result.files).toEqual([
      '.env', '.git/config', 'README.md', 'bin/run.sh', 'dist/app.js', 'dist/app.js.map', 'dist/sub/chunk.js',
      'index.js', 'lib/util.js',
    ]);
    const zip = await readZip(zipPath);
    expect(zip.find((e) => e.name === 'bin/run.sh')?.mode).toBe(0o755);
    expect(zip.find((e) => e.name === '.env')?.content).toBe('SECRET=1');
  });

  it('writes the same bytes for the same input', async () => {
    const a = await selectFromTar(dockerTar(APP), ROOT, select({}), path.join(dir, 'a.zip'));
    const b = await selectFromTar(dockerTar(APP), ROOT, select({}), path.join(dir, 'b.zip'));
    expect(a.sha256).toBe(b.sha256);
  });

  it('removes exclude-paths from the selection', async () => {
    const result = await selectFromTar(
      dockerTar(APP), ROOT, select({ excludePaths: ['**/*.map', '.git/**/*', './.env'] }), path.join(dir, 'x.zip'),
    );
    expect(result.files).toEqual(['README.md', 'bin/run.sh', 'dist/app.js', 'dist/sub/chunk.js', 'index.js', 'lib/util.js']);
  });

  const DOCS: Fixture = {
    'my-build1/my-file1.txt': 'one',
    'my-build2/my-file2.txt': 'two',
    'my-build2/my-subdirectory/my-file3.txt': 'three',
  };

  it("base-directory: the docs' example, files ['*/my-file3.txt'] under my-build2", async () => {
    const zipPath = path.join(dir, 'docs1.zip');
    const result = await selectFromTar(
      dockerTar(DOCS), ROOT, select({ files: ['*/my-file3.txt'], baseDirectory: 'my-build2' }), zipPath,
    );
    expect(await readZip(zipPath)).toEqual([
      { name: 'my-subdirectory/my-file3.txt', content: 'three', symlink: false, mode: 0o644 },
    ]);
    expect(result.warnings).toEqual([]);
  });

  it("base-directory glob with discard-paths: the docs' example, every file at the root", async () => {
    const zipPath = path.join(dir, 'docs2.zip');
    await selectFromTar(dockerTar(DOCS), ROOT, select({ baseDirectory: 'my-build*', discardPaths: true }), zipPath);
    expect(await readZip(zipPath)).toEqual([
      { name: 'my-file1.txt', content: 'one', symlink: false, mode: 0o644 },
      { name: 'my-file2.txt', content: 'two', symlink: false, mode: 0o644 },
      { name: 'my-file3.txt', content: 'three', symlink: false, mode: 0o644 },
    ]);
  });

  it('base-directory glob keeps paths below each base, without the bases’ own names', async () => {
    const result = await selectFromTar(dockerTar(DOCS), ROOT, select({ baseDirectory: 'my-build*' }), path.join(dir, 'g.zip'));
    expect(result.files).toEqual(['my-file1.txt', 'my-file2.txt', 'my-subdirectory/my-file3.txt']);
  });

  it('accepts an absolute base-directory inside the archived directory', async () => {
    const result = await selectFromTar(
      dockerTar(DOCS), ROOT, select({ baseDirectory: `${ROOT}/my-build2/` }), path.join(dir, 'abs.zip'),
    );
    expect(result.files).toEqual(['my-file2.txt', 'my-subdirectory/my-file3.txt']);
  });

  it('discard-paths flattens; on a collision the last file wins, with a warning', async () => {
    const zipPath = path.join(dir, 'flat.zip');
    const tree = { 'a/x.txt': 'from a', 'b/x.txt': 'from b', 'b/deep/y.txt': 'y' };
    const result = await selectFromTar(dockerTar(tree), ROOT, select({ discardPaths: true }), zipPath);
    expect(result.warnings).toEqual(['Duplicate artifact path x.txt: b/x.txt replaces a/x.txt']);
    expect(await readZip(zipPath)).toEqual([
      { name: 'x.txt', content: 'from b', symlink: false, mode: 0o644 },
      { name: 'y.txt', content: 'y', symlink: false, mode: 0o644 },
    ]);
  });

  const LINKS: Fixture = {
    'top.txt': 'top',
    'lib/real.txt': 'real',
    'lib/link.txt': { link: 'real.txt' },
    'lib/abs.txt': { link: `${ROOT}/lib/real.txt` },
    'lib/up.txt': { link: '../top.txt' },
    dirlink: { link: 'lib' },
    'etc-passwd': { link: '/etc/passwd' },
    dangling: { link: 'nope.txt' },
  };

  it('enable-symlinks keeps links pointing inside the artifact as links', async () => {
    const zipPath = path.join(dir, 'links.zip');
    const result = await selectFromTar(dockerTar(LINKS), ROOT, select({ enableSymlinks: true }), zipPath);
    expect(await readZip(zipPath)).toEqual([
      { name: 'dangling', content: 'nope.txt', symlink: true, mode: 0o777 },
      { name: 'dirlink', content: 'lib', symlink: true, mode: 0o777 },
      { name: 'lib/abs.txt', content: 'real.txt', symlink: true, mode: 0o777 },
      { name: 'lib/link.txt', content: 'real.txt', symlink: true, mode: 0o777 },
      { name: 'lib/real.txt', content: 'real', symlink: false, mode: 0o644 },
      { name: 'lib/up.txt', content: '../top.txt', symlink: true, mode: 0o777 },
      { name: 'top.txt', content: 'top', symlink: false, mode: 0o644 },
    ]);
    expect(result.warnings).toEqual(['Skipping symlink etc-passwd: its target /etc/passwd is outside /codebuild/output/src']);
  });

  it('enable-symlinks stores the content of links that point out of the base directory', async () => {
    const zipPath = path.join(dir, 'links-base.zip');
    await selectFromTar(dockerTar(LINKS), ROOT, select({ enableSymlinks: true, baseDirectory: 'lib' }), zipPath);
    expect(await readZip(zipPath)).toEqual([
      { name: 'abs.txt', content: 'real.txt', symlink: true, mode: 0o777 },
      { name: 'link.txt', content: 'real.txt', symlink: true, mode: 0o777 },
      { name: 'real.txt', content: 'real', symlink: false, mode: 0o644 },
      { name: 'up.txt', content: 'top', symlink: false, mode: 0o644 },
    ]);
  });

  it('without enable-symlinks stores targets’ content and walks directory links', async () => {
    const zipPath = path.join(dir, 'nolinks.zip');
    const result = await selectFromTar(dockerTar(LINKS), ROOT, select({}), zipPath);
    const zip = await readZip(zipPath);
    expect(zip.map((e) => [e.name, e.content, e.symlink])).toEqual([
      ['dirlink/abs.txt', 'real', false],
      ['dirlink/link.txt', 'real', false],
      ['dirlink/real.txt', 'real', false],
      ['dirlink/up.txt', 'top', false],
      ['lib/abs.txt', 'real', false],
      ['lib/link.txt', 'real', false],
      ['lib/real.txt', 'real', false],
      ['lib/up.txt', 'top', false],
      ['top.txt', 'top', false],
    ]);
    expect(result.warnings).toEqual([
      'Skipping symlink dangling: its target nope.txt does not exist',
      'Skipping symlink etc-passwd: its target /etc/passwd is outside /codebuild/output/src',
    ]);
  });

  it('stores hard links (as Docker writes files sharing an inode) as copies of their file', async () => {
    const zipPath = path.join(dir, 'hard.zip');
    await selectFromTar(dockerTar({ 'a.txt': 'same', 'b.txt': { hardlink: 'a.txt' } }), ROOT, select({}), zipPath);
    expect((await readZip(zipPath)).map((e) => [e.name, e.content])).toEqual([['a.txt', 'same'], ['b.txt', 'same']]);
  });

  it('stops at a directory link that loops back', async () => {
    const tree = { 'a/f.txt': 'f', 'a/again': { link: '..' } };
    const result = await selectFromTar(dockerTar(tree), ROOT, select({}), path.join(dir, 'loop.zip'));
    expect(result.files).toEqual(['a/f.txt']);
    expect(result.warnings).toEqual(['Skipping symlink a/again: it loops back to .']);
  });

  it('warns about each pattern that matches nothing', async () => {
    const result = await selectFromTar(
      dockerTar(APP), ROOT, select({ files: ['index.js', 'missing/**/*', 'dist'] }), path.join(dir, 'w.zip'),
    );
    expect(result.files).toEqual(['index.js']);
    expect(result.warnings).toEqual(['Skipping invalid file path missing/**/*', 'Skipping invalid file path dist']);
  });

  it('fails with CLIENT_ERROR when nothing matches, leaving no zip behind', async () => {
    const zipPath = path.join(dir, 'out', 'Nothing.zip');
    const error = await selectFromTar(dockerTar(APP), ROOT, select({ files: ['build/**/*'] }), zipPath).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipeError);
    expect(error).toMatchObject({
      code: 'ARTIFACT_ERROR',
      message: 'CLIENT_ERROR: no matching artifact paths found',
      hint: 'Skipping invalid file path build/**/*',
    });
    expect(existsSync(zipPath)).toBe(false);
    expect(existsSync(path.dirname(zipPath)) ? await readdir(path.dirname(zipPath)) : []).toEqual([]);
  });

  it('reads the un-prefixed form Docker gives for `dir/.`', async () => {
    const p = pack();
    p.entry({ name: './', type: 'directory', mode: 0o755 });
    p.entry({ name: './a.txt', mode: 0o644 }, 'a');
    p.finalize();
    const result = await selectFromTar(Readable.from(p), `${ROOT}/.`, select({}), path.join(dir, 'dot.zip'));
    expect(result.files).toEqual(['a.txt']);
  });

  it('names the directory when the tar is not a tar, leaving no zip', async () => {
    const zipPath = path.join(dir, 'bad.zip');
    const garbage = Readable.from([Buffer.alloc(1024, 'x')]);
    await expect(selectFromTar(garbage, ROOT, select({}), zipPath)).rejects.toMatchObject({
      code: 'ARTIFACT_ERROR',
      message: expect.stringMatching(/^Could not read the archive of \/codebuild\/output\/src: /),
    });
    expect(existsSync(zipPath)).toBe(false);
  });

  it('serves a primary and secondary artifacts from one pass over the tar', async () => {
    const heard: string[] = [];
    const [primary, secondary] = await selectArtifactsFromTar(dockerTar(APP), ROOT, [
      { selection: select({ files: ['**/*', 'dist/**/*'], baseDirectory: 'dist' }), zipPath: path.join(dir, 'Primary.zip') },
      { selection: select({ files: ['lib/*'] }), zipPath: path.join(dir, 'Secondary.zip') },
    ], (m) => heard.push(m));
    expect(primary?.files).toEqual(['app.js', 'app.js.map', 'sub/chunk.js']);
    expect(heard).toEqual(['Skipping invalid file path dist/**/*']);
    expect(primary?.warnings).toEqual(['Skipping invalid file path dist/**/*']);
    expect(secondary?.files).toEqual(['lib/util.js']);
  });
});

interface TarContent {
  name: string;
  type: string;
  content: string;
  linkname?: string;
}

async function readTar(tar: Readable): Promise<TarContent[]> {
  const out: TarContent[] = [];
  const x = extract();
  tar.pipe(x);
  for await (const entry of x) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    const { name, type, linkname } = entry.header;
    out.push({ name, type: type ?? 'file', content: Buffer.concat(chunks).toString('utf8'), ...(linkname ? { linkname } : {}) });
  }
  return out;
}

/** A zip holding `entries`, with names written byte for byte (archiver would sanitize `../` and `/`). */
async function writeRawZip(file: string, entries: { name: string; content?: string; link?: string }[]): Promise<void> {
  const zip = new ZipArchive();
  const chunks: Buffer[] = [];
  zip.on('data', (c: Buffer) => chunks.push(c));
  const placeholders = entries.map((e, i) => ({ real: e.name, fake: `${String.fromCharCode(0x61 + i)}`.repeat(e.name.length) }));
  entries.forEach((e, i) => {
    const name = placeholders[i]?.fake ?? '';
    if (e.link !== undefined) zip.append(Buffer.alloc(0), { name, type: 'symlink', linkname: e.link, mode: 0o777 } as ZipEntryData);
    else zip.append(e.content ?? '', { name, date: MTIME });
  });
  await zip.finalize();
  let bytes = Buffer.concat(chunks).toString('latin1');
  for (const { real, fake } of placeholders) bytes = bytes.split(fake).join(real);
  await writeFile(file, Buffer.from(bytes, 'latin1'));
}

describe('unzipToTar', () => {
  it('turns a stored artifact back into a tar of relative paths, links and modes kept', async () => {
    const zipPath = path.join(dir, 'Source.zip');
    await selectFromTar(dockerTar(LINKS_FOR_UNZIP), ROOT, select({ enableSymlinks: true }), zipPath);
    const entries = await readTar(await unzipToTar(zipPath));
    expect(entries).toEqual([
      { name: 'bin/', type: 'directory', content: '' },
      { name: 'bin/run.sh', type: 'file', content: '#!/bin/sh' },
      { name: 'current', type: 'symlink', content: '', linkname: 'bin/run.sh' },
      { name: 'readme.txt', type: 'file', content: 'hello' },
    ]);
  });

  it('rejects an entry that climbs out with ../', async () => {
    const zipPath = path.join(dir, 'evil.zip');
    await writeRawZip(zipPath, [{ name: 'ok.txt', content: 'ok' }, { name: '../evil', content: 'x' }]);
    await expect(unzipToTar(zipPath)).rejects.toMatchObject({
      code: 'ARTIFACT_ERROR',
      message: `Refusing to unpack ${zipPath}: entry ../evil lies outside the artifact root`,
    });
  });

  it('rejects an absolute entry', async () => {
    const zipPath = path.join(dir, 'abs.zip');
    await writeRawZip(zipPath, [{ name: '/etc/evil', content: 'x' }]);
    await expect(unzipToTar(zipPath)).rejects.toMatchObject({
      code: 'ARTIFACT_ERROR',
      message: `Refusing to unpack ${zipPath}: entry /etc/evil lies outside the artifact root`,
    });
  });

  it('rejects a symlink pointing out of the root, and anything written through a link', async () => {
    const out = path.join(dir, 'link-out.zip');
    await writeRawZip(out, [{ name: 'passwd', link: '../../etc/passwd' }]);
    await expect(unzipToTar(out)).rejects.toThrow(
      `Refusing to unpack ${out}: symlink passwd points outside the artifact root (../../etc/passwd)`,
    );
    const through = path.join(dir, 'through.zip');
    await writeRawZip(through, [{ name: 'd', link: '.' }, { name: 'd/x.txt', content: 'x' }]);
    await expect(unzipToTar(through)).rejects.toThrow(`Refusing to unpack ${through}: entry d/x.txt lies under the symlink d`);
  });

  it('names a file that is not a zip', async () => {
    const bad = path.join(dir, 'not.zip');
    await writeFile(bad, 'plain text');
    await expect(unzipToTar(bad)).rejects.toThrow(`Could not read artifact ${bad}: `);
  });
});

describe('symlinks never lead out of a source tree or an artifact', () => {
  it('pipe build\'s source zip keeps a link to /etc as nothing: it is skipped with a warning, never followed (real files)', async () => {
    const src = path.join(dir, 'src');
    await mkdir(path.join(src, 'lib'), { recursive: true });
    await writeFile(path.join(src, 'lib', 'real.txt'), 'real');
    await symlink('/etc', path.join(src, 'etc'));
    await symlink('/etc/passwd', path.join(src, 'passwd'));
    await symlink('../../..', path.join(src, 'lib', 'up'));
    await symlink('real.txt', path.join(src, 'lib', 'inside.txt'));
    const warnings: string[] = [];
    const zipPath = path.join(dir, 'source.zip');
    const zipped = await zipDirectory(src, zipPath, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      `Skipping symlink etc: its target /etc is outside ${src}`,
      `Skipping symlink lib/up: its target ../../.. is outside ${src}`,
      `Skipping symlink passwd: its target /etc/passwd is outside ${src}`,
    ]);
    expect(zipped.files).toBe(2);
    const entries = await readTar(await unzipToTar(zipPath));
    expect(entries).toEqual([
      { name: 'lib/', type: 'directory', content: '' },
      { name: 'lib/inside.txt', type: 'symlink', content: '', linkname: 'real.txt' },
      { name: 'lib/real.txt', type: 'file', content: 'real' },
    ]);
  });

  it('combining a batch\'s zips keeps inside links as links and refuses one that points out', async () => {
    const good = path.join(dir, 'good.zip');
    await writeRawZip(good, [{ name: 'a.txt', content: 'a' }, { name: 'b.txt', link: 'a.txt' }]);
    const combined = path.join(dir, 'combined.zip');
    const result = await combineZips([{ folder: 'one', zipPath: good }], combined);
    expect(result.files).toEqual(['one/a.txt', 'one/b.txt']);
    const evil = path.join(dir, 'evil.zip');
    await writeRawZip(evil, [{ name: 'escape-link', link: '../../etc/hosts' }]);
    await expect(combineZips([{ folder: 'one', zipPath: good }, { folder: 'two', zipPath: evil }], path.join(dir, 'c2.zip'))).rejects.toThrow(
      `Refusing to combine ${evil}: symlink escape-link points outside the artifact root (../../etc/hosts)`,
    );
    expect(existsSync(path.join(dir, 'c2.zip'))).toBe(false);
  });
});

describe('artifactPath', () => {
  it('lays the store out as <root>/<pipeline>/<execution-id>/<ArtifactName>.zip', () => {
    expect(artifactPath('/store', 'hello-service', 'e-1', 'BuildOutput')).toBe('/store/hello-service/e-1/BuildOutput.zip');
  });

  it('refuses a name that is not one path segment', () => {
    expect(() => artifactPath('/store', 'p', '..', 'A')).toThrow('Invalid execution id for a path: ".."');
    expect(() => artifactPath('/store', '...', 'e', 'A')).toThrow('Invalid pipeline name for a path: "..."');
    expect(() => artifactPath('/store', 'p', 'e', 'a/b')).toThrow('Invalid artifact name for a path: "a/b"');
  });
});

describe('resolveInside, the one guard for names joined onto a host directory', () => {
  it('joins plain names and relative paths, and refuses every way out', () => {
    expect(resolveInside('/out', 'a', 'b/c.zip')).toBe('/out/a/b/c.zip');
    expect(resolveInside('/out', './x//y/')).toBe('/out/x/y');
    for (const bad of ['../../x.zip', '/etc/passwd', 'a/../../b', 'C:/x', 'a\0b']) {
      expect(() => resolveInside('/out', bad)).toThrow(/escapes \/out$/);
    }
    expect(() => resolveInside('/out', 'a', '../..', 'x')).toThrow('Path "a/../../x" escapes /out');
  });

  it('refuses to write through a symlink under the root that points outside it (real files)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pipe-inside-'));
    const outside = await mkdtemp(path.join(tmpdir(), 'pipe-outside-'));
    await mkdir(path.join(dir, 'real'));
    await symlink(outside, path.join(dir, 'out-link'));
    await symlink(path.join(outside, 'missing.zip'), path.join(dir, 'dangling.zip'));
    await symlink('real', path.join(dir, 'in-link'));
    expect(resolveInside(dir, 'real', 'new', 'a.zip')).toBe(path.join(dir, 'real', 'new', 'a.zip'));
    expect(resolveInside(dir, 'in-link', 'a.zip')).toBe(path.join(dir, 'in-link', 'a.zip'));
    expect(() => resolveInside(dir, 'out-link', 'sub', 'a.zip')).toThrow(
      `Path "out-link/sub/a.zip" would be written through a symlink (at or above ${path.join(dir, 'out-link')}) that points outside ${dir}`,
    );
    expect(() => resolveInside(dir, 'dangling.zip')).toThrow('would be written through a symlink');
    await rm(dir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });
});
