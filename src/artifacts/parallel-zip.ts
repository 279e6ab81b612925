// A zip writer that deflates several files at once (zlib on libuv's thread pool), then writes them in the given
// order: archiver deflates one file after the other, so a build's upload ran on one core while `zip -qry` ... also
// does, but in C. Small files are read whole and deflated in parallel; a large one, or one read from a stream, is
// deflated as it is written (a data descriptor after it). Files that do not shrink, and empty ones, are stored.
// No ZIP64: writeZip uses archiver for archives that could pass 4 GiB or 65,535 entries.
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { ZipEntry } from './zip-writer.js';

const deflateRaw = promisify(zlib.deflateRaw);
/** Files up to this size are read whole and deflated ahead of their turn; larger ones are streamed in turn. */
const BUFFERED_MAX = 8 * 1024 * 1024;
/** At most this many bytes of files read ahead of their turn. */
const AHEAD_BYTES = 64 * 1024 * 1024;
const LEVEL = 6;
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

async function prepare(entry: ZipEntry, size: number): Promise<Ready | undefined> {
  if (entry.kind === 'symlink') {
    const data = Buffer.from(entry.target);
    return { method: 0, crc: crc32(data), size: data.length, data };
  }
  if (typeof entry.source === 'function' || size > BUFFERED_MAX) return undefined;
  const raw = Buffer.isBuffer(entry.source) ? entry.source : await readFile(entry.source);
  const crc = crc32(raw);
  if (raw.length === 0) return { method: 0, crc, size: 0, data: raw };
  const deflated = await deflateRaw(raw, { level: LEVEL });
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
      const p = prepare(entry, sizes[i] ?? 0);
      // Read when its turn comes; until then a failure must not be an unhandled rejection.
      p.catch(() => undefined);
      pending[i] = p;
    }
  };
  const out = await open(path, 'w');
  try {
    const written: Written[] = [];
    let position = 0;
    const put = async (b: Buffer) => {
      await out.write(b, 0, b.length, position);
      position += b.length;
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
      const source = typeof file.source === 'string' ? createReadStream(file.source) : Buffer.isBuffer(file.source) ? Readable.from([file.source]) : file.source();
      const r = await streamEntry(out, source, position);
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
  } finally {
    await out.close();
  }
  return true;
}
