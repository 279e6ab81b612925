// Content-addressed blobs (code and layer zips) on disk, named by the hex SHA-256 of their bytes.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StoredBlob {
  /** Base64 SHA-256, as Lambda's CodeSha256. */
  codeSha256: string;
  size: number;
  path: string;
}

export class BlobStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Writes the bytes once (atomically, by rename); storing the same bytes again is a no-op. */
  put(bytes: Buffer): StoredBlob {
    const digest = createHash('sha256').update(bytes).digest();
    const path = join(this.dir, `${digest.toString('hex')}.zip`);
    if (!existsSync(path)) {
      const tmp = `${path}.${randomUUID()}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, path);
    }
    return { codeSha256: digest.toString('base64'), size: bytes.length, path };
  }

  /** The file of a blob, from its base64 CodeSha256. */
  pathOf(codeSha256: string): string {
    return join(this.dir, `${Buffer.from(codeSha256, 'base64').toString('hex')}.zip`);
  }

  /** Removes a blob's file (no-op when it is not there); callers check first that nothing refers to it. */
  remove(codeSha256: string): void {
    rmSync(this.pathOf(codeSha256), { force: true });
  }

  /** The hex name a blob is served under. */
  static hexOf(codeSha256: string): string {
    return Buffer.from(codeSha256, 'base64').toString('hex');
  }
}

/** Base64 SHA-256 of bytes, computed without storing them. */
export function sha256Base64(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('base64');
}
