// Small in-memory tar archives, for handing scripts and directories to a container through the Docker API.
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';

export interface TarFile {
  path: string;
  content: string | Buffer;
  mode?: number;
}

/** Packs files (and the directories leading to them) into a tar buffer. */
export function packFiles(files: readonly TarFile[], options: { dirMode?: number } = {}): Promise<Buffer> {
  const p = pack();
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (dir && !dirs.has(dir)) {
        dirs.add(dir);
        p.entry({ name: `${dir}/`, type: 'directory', mode: options.dirMode ?? 0o755 });
      }
    }
    if (f.path.endsWith('/.keep')) continue;
    p.entry({ name: f.path, mode: f.mode ?? 0o644 }, f.content);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    p.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    p.on('end', () => resolve(Buffer.concat(chunks)));
    p.on('error', reject);
  });
}

/** A tar's end: two zero blocks. */
const END_OF_TAR = 1024;

/**
 * One archive of `head` (a whole tar, as packFiles makes) followed by the entries of `tail`: head's end-of-archive
 * blocks are dropped, so Docker extracts both in one request.
 */
export function concatTar(head: Buffer, tail: Buffer | Readable): Readable {
  const end = head.length - END_OF_TAR;
  if (end < 0 || head.subarray(end).some((b) => b !== 0)) throw new Error('concatTar: the head is not a finished tar');
  const entries = head.subarray(0, end);
  return Readable.from((async function* () {
    yield entries;
    if (Buffer.isBuffer(tail)) yield tail;
    else for await (const chunk of tail) yield chunk as Buffer;
  })(), { objectMode: false });
}
