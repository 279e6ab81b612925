// A zip writer that deflates several files at once (zlib on libuv's thread pool), then writes them in the given
// order: archiver deflates one file after the other, so a build's upload ran on one core while `zip -qry` ... also
// does, but in C. Small files are read whole and deflated in parallel; a large file is deflated in 1 MiB pieces at
// once, as pigz does (each piece primed with the 32 KiB before it and ended on a byte boundary by a sync flush, so
// the pieces joined are one deflate stream); one read from a stream is deflated as it is written. Those two carry a
// data descriptor after their data. Files that do not shrink, and empty ones, are stored.
// No ZIP64: writeZip uses archiver for archives that could pass 4 GiB or 65,535 entries.
import { open, readFile, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import zlib from 'node:zlib';
import type { ZipEntry } from './zip-writer.js';

const deflateRaw = promisify(zlib.deflateRaw);
/** Files up to this size are read whole and deflated ahead of their turn; larger ones are streamed in turn. */
const BUFFERED_MAX = 8 * 1024 * 1024;
/** At most this many bytes of files read ahead of their turn. */
const AHEAD_BYTES = 64 * 1024 * 1024;
const LEVEL = 6;
/** Files up to this size are deflated with zlib's synchronous call (a millisecond or two each), on the writer's threads. */
const SMALL_DEFLATE_MAX = 64 * 1024;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
/** Past these an archive needs ZIP64, which this writer does not write. */
export const PARALLEL_ZIP_MAX_BYTES = 0xf000_0000;
export const PARALLEL_ZIP_MAX_ENTRIES = 0xffff;

/** Whether this Node has zlib.crc32 (20.15, 22.2 and later), which the writer needs. */
export function canWriteParallelZip(): boolean {
  return typeof (zlib as { crc32?: unknown }).crc32 === 'function';
}

function crc32(data: Buffer, previous = 0): number {
  return (zlib as unknown as { crc32(d: Buffer, v?: number): number }).crc32(data, previous);
}

interface Ready {
  method: 0 | 8;
  crc: number;
  size: number;
  data: Buffer;
}

interface Written {
  name: Buffer;
  method: 0 | 8;
  crc: number;
  compressed: number;
  size: number;
  mode: number;
  time: number;
  date: number;
  offset: number;
  descriptor: boolean;
}

/** DOS time and date of `d` in local time, as archiver and Info-ZIP write them. */
function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getFullYear());
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** Deflates one small file's bytes: in place, or on one of the writer's threads. */
type SmallDeflater = (raw: Buffer) => Buffer | Promise<Buffer>;

const inPlace: SmallDeflater = (raw) => zlib.deflateRawSync(raw, { level: LEVEL });

const DEFLATE_THREAD_SOURCE = `const { parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
parentPort.on('message', ({ id, data, level }) => parentPort.postMessage({ id, out: zlib.deflateRawSync(data, { level }) }));`;

/**
 * Threads that deflate small files with zlib's synchronous call, one per core: a call through libuv's pool costs
 * more in set-up than the deflate of a 10 KB file, and the main thread alone is one core.
 */
class DeflateThreads {
  private readonly threads: Worker[];
  private readonly waiting = new Map<number, { resolve: (b: Buffer) => void; reject: (e: unknown) => void }>();
  private next = 0;

  constructor(count: number) {
    this.threads = Array.from({ length: count }, () => {
      const w = new Worker(DEFLATE_THREAD_SOURCE, { eval: true });
      w.on('message', ({ id, out }: { id: number; out: Uint8Array }) => {
        const p = this.waiting.get(id);
        this.waiting.delete(id);
        p?.resolve(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
      });
      w.on('error', (e) => this.failAll(e));
      return w;
    });
  }

  readonly deflate: SmallDeflater = (raw) =>
    new Promise<Buffer>((resolve, reject) => {
      const id = this.next++;
      this.waiting.set(id, { resolve, reject });
      (this.threads[id % this.threads.length] as Worker).postMessage({ id, data: raw, level: LEVEL });
    });

  private failAll(e: unknown): void {
    for (const p of this.waiting.values()) p.reject(e);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.failAll(new Error('the zip writer stopped'));
    await Promise.all(this.threads.map((w) => w.terminate()));
  }
}

/** Headers and small entries are written in chunks of about this size. */
const WRITE_BYTES = 1024 * 1024;

/** Below this many small files the threads' start-up (tens of ms) costs more than they save. */
const THREADS_FROM_FILES = 256;

async function prepare(entry: ZipEntry, size: number, deflateSmall: SmallDeflater): Promise<Ready | undefined> {
  if (entry.kind === 'symlink') {
    const data = Buffer.from(entry.target);
    return { method: 0, crc: crc32(data), size: data.length, data };
  }
  if (typeof entry.source === 'function' || size > BUFFERED_MAX) return undefined;
  const raw = Buffer.isBuffer(entry.source) ? entry.source : await readFile(entry.source);
  const crc = crc32(raw);
  if (raw.length === 0) return { method: 0, crc, size: 0, data: raw };
  // A small file deflates faster with zlib's synchronous call than through libuv's pool, whose set-up per call costs
  // more than the deflate itself (measured: 8,469 files of 10 KB, 2.3 s on one thread, 4-5 s through the pool).
  const deflated = raw.length <= SMALL_DEFLATE_MAX ? await deflateSmall(raw) : await deflateRaw(raw, { level: LEVEL });
  return deflated.length < raw.length ? { method: 8, crc, size: raw.length, data: deflated } : { method: 0, crc, size: raw.length, data: raw };
}

function localHeader(w: Omit<Written, 'offset'>): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(0x0800 | (w.descriptor ? 0x0008 : 0), 6);
  h.writeUInt16LE(w.method, 8);
  h.writeUInt16LE(w.time, 10);
  h.writeUInt16LE(w.date, 12);
  h.writeUInt32LE(w.descriptor ? 0 : w.crc, 14);
  h.writeUInt32LE(w.descriptor ? 0 : w.compressed, 18);
  h.writeUInt32LE(w.descriptor ? 0 : w.size, 22);
  h.writeUInt16LE(w.name.length, 26);
  h.writeUInt16LE(0, 28);
  return Buffer.concat([h, w.name]);
}

function centralRecord(w: Written): Buffer {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode in the external attributes is read
  h.writeUInt16LE(20, 6);
  h.writeUInt16LE(0x0800 | (w.descriptor ? 0x0008 : 0), 8);
  h.writeUInt16LE(w.method, 10);
  h.writeUInt16LE(w.time, 12);
  h.writeUInt16LE(w.date, 14);
  h.writeUInt32LE(w.crc, 16);
  h.writeUInt32LE(w.compressed, 20);
  h.writeUInt32LE(w.size, 24);
  h.writeUInt16LE(w.name.length, 28);
  h.writeUInt32LE((w.mode << 16) >>> 0, 38);
  h.writeUInt32LE(w.offset, 42);
  return Buffer.concat([h, w.name]);
}

/** The size of the pieces a large file is deflated in, and the window each piece is primed with. */
const PIECE_BYTES = 1024 * 1024;
const WINDOW_BYTES = 32 * 1024;
/** An empty final block (fixed Huffman): what ends a deflate stream made of sync-flushed pieces. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/**
 * Deflates a large file in pieces on the thread pool, several at a time, and writes them in order at `position`;
 * returns what the data descriptor and central record need.
 */
async function pieceEntry(out: FileHandle, file: string, position: number): Promise<{ crc: number; compressed: number; size: number }> {
  const input = await open(file, 'r');
  try {
    const width = Math.max(2, availableParallelism()) * 2;
    const inFlight: Promise<Buffer>[] = [];
    let crc = 0;
    let size = 0;
    let compressed = 0;
    let previous: Buffer | undefined;
    const writeNext = async () => {
      const data = await (inFlight.shift() as Promise<Buffer>);
      await out.write(data, 0, data.length, position + compressed);
      compressed += data.length;
    };
    for (;;) {
      const piece = Buffer.allocUnsafe(PIECE_BYTES);
      const { bytesRead } = await input.read(piece, 0, PIECE_BYTES, size);
      if (bytesRead === 0) break;
      const data = piece.subarray(0, bytesRead);
      crc = crc32(data, crc);
      size += bytesRead;
      const dictionary = previous ? previous.subarray(Math.max(0, previous.length - WINDOW_BYTES)) : undefined;
      const deflated = deflateRaw(data, { level: LEVEL, finishFlush: zlib.constants.Z_SYNC_FLUSH, ...(dictionary ? { dictionary } : {}) });
      deflated.catch(() => undefined);
      inFlight.push(deflated);
      previous = data;
      if (inFlight.length >= width) await writeNext();
    }
    while (inFlight.length > 0) await writeNext();
    await out.write(FINAL_BLOCK, 0, FINAL_BLOCK.length, position + compressed);
    compressed += FINAL_BLOCK.length;
    return { crc, compressed, size };
  } finally {
    await input.close();
  }
}

/** Deflates a stream into the file as it comes; returns what the data descriptor and central record need. */
async function streamEntry(out: FileHandle, source: Readable, position: number): Promise<{ crc: number; compressed: number; size: number }> {
  let crc = 0;
  let size = 0;
  let compressed = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.write(chunk, 0, chunk.length, position + compressed).then(() => {
        compressed += chunk.length;
        done();
      }, done);
    },
  });
  await pipeline(source, counting, zlib.createDeflateRaw({ level: LEVEL }), sink);
  return { crc, compressed, size };
}

/**
 * Writes `entries`, in their order and with their modes as given, as a zip at `path` (a new file). Returns false,
 * writing nothing, when the archive could need ZIP64 (past 65,535 entries or 3.75 GiB of input) or a file is read
 * from a stream of unknown size; the caller then writes it another way.
 */
export async function writeParallelZip(path: string, entries: readonly ZipEntry[]): Promise<boolean> {
  if (entries.length > PARALLEL_ZIP_MAX_ENTRIES) return false;
  const sizes = await Promise.all(entries.map(async (e) => (e.kind !== 'file' ? 0 : typeof e.source === 'string' ? (await stat(e.source)).size : Buffer.isBuffer(e.source) ? e.source.length : Infinity)));
  if (sizes.reduce((a, b) => a + b, 0) > PARALLEL_ZIP_MAX_BYTES) return false;
  // Most files of a tree are small, so many are read and deflated ahead (the thread pool keeps every core busy),
  // as long as what is held in memory stays under AHEAD_BYTES.
  const ahead = Math.max(2, availableParallelism()) * 32;
  let held = 0;
  let next = 0;
  const pending: Array<Promise<Ready | undefined> | undefined> = [];
  const start = (i: number) => {
    const entry = entries[i];
    if (entry && pending[i] === undefined) {
      const p = prepare(entry, sizes[i] ?? 0, deflateSmall);
      // Read when its turn comes; until then a failure must not be an unhandled rejection.
      p.catch(() => undefined);
      pending[i] = p;
    }
  };
  const smallFiles = sizes.filter((n, i) => entries[i]?.kind === 'file' && n > 0 && n <= SMALL_DEFLATE_MAX).length;
  const threads = smallFiles >= THREADS_FROM_FILES ? new DeflateThreads(Math.max(1, availableParallelism())) : undefined;
  const deflateSmall = threads?.deflate ?? inPlace;
  const out = await open(path, 'w').catch(async (e: unknown) => {
    await threads?.close();
    throw e;
  });
  try {
    const written: Written[] = [];
    let position = 0;
    // Headers and small entries are gathered and written a megabyte at a time (a write per entry cost a thread-pool
    // round trip each); large entries write their own data at their offsets.
    let gathered: Buffer[] = [];
    let gatheredBytes = 0;
    const flush = async () => {
      if (gatheredBytes === 0) return;
      const chunk = gathered.length === 1 ? (gathered[0] as Buffer) : Buffer.concat(gathered, gatheredBytes);
      const at = position - gatheredBytes;
      gathered = [];
      gatheredBytes = 0;
      await out.write(chunk, 0, chunk.length, at);
    };
    const put = async (b: Buffer) => {
      gathered.push(b);
      gatheredBytes += b.length;
      position += b.length;
      if (gatheredBytes >= WRITE_BYTES) await flush();
    };
    for (let i = 0; i < entries.length; i++) {
      next = Math.max(next, i);
      while (next < entries.length && next < i + ahead && (next === i || held < AHEAD_BYTES)) {
        held += Math.min(sizes[next] ?? 0, BUFFERED_MAX + 1);
        start(next++);
      }
      const entry = entries[i] as ZipEntry;
      const ready = await pending[i];
      pending[i] = undefined;
      held -= Math.min(sizes[i] ?? 0, BUFFERED_MAX + 1);
      const name = Buffer.from(entry.name, 'utf8');
      const mode = entry.kind === 'symlink' ? S_IFLNK | 0o777 : S_IFREG | (entry.mode & 0o7777);
      const when = dosDateTime(entry.mtime);
      const offset = position;
      if (ready) {
        const w: Written = { name, method: ready.method, crc: ready.crc, compressed: ready.data.length, size: ready.size, mode, ...when, offset, descriptor: false };
        await put(Buffer.concat([localHeader(w), ready.data]));
        written.push(w);
        continue;
      }
      const file = entry as Extract<ZipEntry, { kind: 'file' }>;
      const head = { name, method: 8 as const, crc: 0, compressed: 0, size: 0, mode, ...when, descriptor: true };
      await put(localHeader(head));
      await flush(); // what was gathered lies before this entry's data, which is written at its own offset
      const r = typeof file.source === 'string'
        ? await pieceEntry(out, file.source, position)
        : await streamEntry(out, Buffer.isBuffer(file.source) ? Readable.from([file.source]) : file.source(), position);
      position += r.compressed;
      const descriptor = Buffer.alloc(16);
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(r.crc, 4);
      descriptor.writeUInt32LE(r.compressed, 8);
      descriptor.writeUInt32LE(r.size, 12);
      await put(descriptor);
      written.push({ ...head, ...r, offset });
    }
    const cdOffset = position;
    for (const w of written) await put(centralRecord(w));
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(written.length, 8);
    end.writeUInt16LE(written.length, 10);
    end.writeUInt32LE(position - cdOffset, 12);
    end.writeUInt32LE(cdOffset, 16);
    await put(end);
    await flush();
  } finally {
    await out.close();
    await threads?.close();
  }
  return true;
}
