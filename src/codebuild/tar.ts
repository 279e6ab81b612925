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

/** `head`'s entries without its end-of-archive blocks (checked: a finished tar, as packFiles makes). */
function entriesOf(head: Buffer): Buffer {
  const end = head.length - END_OF_TAR;
  if (end < 0 || head.subarray(end).some((b) => b !== 0)) throw new Error('concatTar: the head is not a finished tar');
  return head.subarray(0, end);
}

/**
 * One archive of `head` (a whole tar, as packFiles makes) followed by the entries of `tail`: head's end-of-archive
 * blocks are dropped, so Docker extracts both in one request.
 */
export function concatTar(head: Buffer, tail: Buffer | Readable): Readable {
  const entries = entriesOf(head);
  return Readable.from((async function* () {
    yield entries;
    if (Buffer.isBuffer(tail)) yield tail;
    else for await (const chunk of tail) yield chunk as Buffer;
  })(), { objectMode: false });
}

/** The same archive as concatTar, in memory. */
export function concatTarBuffers(head: Buffer, tail: Buffer): Buffer {
  return Buffer.concat([entriesOf(head), tail]);
}

/**
 * Reads `stream` whole when it holds at most `limit` bytes; otherwise gives back a stream of the same bytes (those
 * read so far, then the rest), read no further.
 */
export function readIfSmall(stream: Readable, limit: number): Promise<{ whole: Buffer } | { rest: Readable }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', reject);
    };
    const onData = (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (size <= limit) return;
      stream.pause();
      done();
      resolve({
        rest: Readable.from((async function* () {
          yield* chunks;
          for await (const chunk of stream) yield chunk as Buffer;
        })(), { objectMode: false }),
      });
    };
    const onEnd = () => {
      done();
      resolve({ whole: Buffer.concat(chunks) });
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', reject);
  });
}
