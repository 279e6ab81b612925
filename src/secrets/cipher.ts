// Encryption at rest for secret values: AES-256-GCM with a random 32-byte key kept in PIPE_HOME (0600), so the
// state database alone, copied elsewhere, holds no secret in clear.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PipeError } from '../core/index.js';

/** The key file's name inside PIPE_HOME. */
export const KEY_FILE = 'secrets.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Marks a sealed value: the format may change, and an old one must still be told apart. */
const PREFIX = 'aes256gcm:';

/** Seals and opens values; `context` (e.g. the row a value belongs to) is authenticated, so a sealed value moved to another row does not open. */
export class SecretCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new PipeError('INTERNAL', `a secret key is ${KEY_BYTES} bytes, not ${key.length}`);
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string, context: string): string {
    const raw = sealed.startsWith(PREFIX) ? Buffer.from(sealed.slice(PREFIX.length), 'base64') : undefined;
    if (!raw || raw.length < IV_BYTES + TAG_BYTES) throw new PipeError('STATE_ERROR', `a stored secret value (${context}) is not a sealed value`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (e) {
      throw new PipeError('STATE_ERROR', `a stored secret value (${context}) does not decrypt with the key in PIPE_HOME/${KEY_FILE}`, {
        hint: 'the database was copied without its key, or the key was replaced; set the value again',
        cause: e,
      });
    }
  }
}

/** A cipher with a fresh random key that is kept nowhere: for tests and in-memory databases. */
export function ephemeralCipher(): SecretCipher {
  return new SecretCipher(randomBytes(KEY_BYTES));
}

/** The cipher of a PIPE_HOME: its key file, created (0600, in a 0700 directory) on first use. */
export function openSecretCipher(home: string): SecretCipher {
  const file = join(home, KEY_FILE);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  // Written whole under another name, then linked into place: two pipes starting at once agree on one key, and
  // neither can read a half-written one.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(temp, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
    linkSync(temp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw stateError(file, e);
  } finally {
    rmSync(temp, { force: true });
  }
  let key: Buffer;
  try {
    chmodSync(file, 0o600);
    key = readFileSync(file);
  } catch (e) {
    throw stateError(file, e);
  }
  if (key.length !== KEY_BYTES) {
    throw new PipeError('STATE_ERROR', `the secret key ${file} holds ${key.length} bytes, not ${KEY_BYTES}`, {
      hint: 'it was damaged or is being written by another pipe; values sealed with the lost key must be set again',
    });
  }
  return new SecretCipher(key);
}

function stateError(file: string, cause: unknown): PipeError {
  return new PipeError('STATE_ERROR', `cannot read or create the secret key ${file}: ${(cause as Error).message}`, {
    hint: 'check that PIPE_HOME points at a writable directory',
    cause,
  });
}
