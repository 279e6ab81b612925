// Unpacks an artifact zip into a host folder (a deploy reads its template and code from it), every entry checked
// by unzipToTar and written through resolveInside, so nothing lands outside the folder.
import { createWriteStream } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { resolveInside } from './safe-paths.js';
import { unzipToTar } from './unzip-to-tar.js';

export async function unzipToDirectory(zipPath: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tar = await unzipToTar(zipPath);
  const x = extract();
  x.on('entry', (header, stream, next) => {
    const done = (e?: unknown) => (e ? x.destroy(e as Error) : next());
    const target = resolveInside(dir, header.name);
    if (header.type === 'directory') {
      stream.resume();
      mkdir(target, { recursive: true }).then(() => done(), done);
    } else if (header.type === 'symlink' && header.linkname) {
      stream.resume();
      mkdir(path.dirname(target), { recursive: true }).then(() => symlink(header.linkname!, target)).then(() => done(), done);
    } else if (header.type === 'file') {
      mkdir(path.dirname(target), { recursive: true })
        .then(() => pipeline(stream, createWriteStream(target, { mode: (header.mode ?? 0o644) & 0o755 })))
        .then(() => done(), done);
    } else {
      stream.resume();
      next();
    }
  });
  await pipeline(tar, x);
}
