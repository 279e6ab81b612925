// The dashboard's token: made once in PIPE_HOME (0600) and kept, so a browser's cookie outlives a server restart.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PipeError } from '../core/index.js';
import { PRIVATE_FILE_MODE, makePrivateDir } from '../infra/index.js';

export const TOKEN_FILE = 'serve-token';
/** A token given on the command line shorter than this is refused: it must not be guessable. */
export const MIN_TOKEN_LENGTH = 24;

/** The token in `<home>/serve-token`, made (32 random bytes, base64url) when absent. */
export function ensureServeToken(home: string): string {
  makePrivateDir(home);
  const file = join(home, TOKEN_FILE);
  if (existsSync(file)) {
    chmodSync(file, PRIVATE_FILE_MODE);
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= MIN_TOKEN_LENGTH) return kept;
  }
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: PRIVATE_FILE_MODE });
  chmodSync(file, PRIVATE_FILE_MODE);
  return token;
}

/** A token the user chose (`--token`, for binding beyond loopback): long enough, and only URL-safe characters. */
export function checkGivenToken(token: string): string {
  if (token.length < MIN_TOKEN_LENGTH || !/^[A-Za-z0-9_.~-]+$/.test(token)) {
    throw new PipeError('INVALID_ARGUMENT', `--token must be at least ${MIN_TOKEN_LENGTH} characters of A-Z a-z 0-9 _ . ~ -`, {
      hint: "e.g. --token \"$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')\"",
    });
  }
  return token;
}
