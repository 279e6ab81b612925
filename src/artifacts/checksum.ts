// SHA-256 of stored artifacts, as lowercase hex.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

/** The SHA-256 (hex) of a file's bytes, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** What the store records about a written file. */
export interface FileDigest {
  path: string;
  sha256: string;
  size: number;
}

/** Size and SHA-256 of a file. */
export async function digestFile(file: string): Promise<FileDigest> {
  const [sha256, info] = await Promise.all([sha256File(file), stat(file)]);
  return { path: file, sha256, size: info.size };
}
