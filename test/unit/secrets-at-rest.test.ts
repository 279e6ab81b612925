// Secrets at rest: parameter and secret values are sealed (AES-256-GCM) in the state database with a key kept in
// PIPE_HOME, so the database file's bytes hold none of them; values an older pipe stored in clear are sealed on open.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { PipeError } from '../../src/core/index.js';
import { migrate, openDatabase } from '../../src/infra/sqlite.js';
import { KEY_FILE, ephemeralCipher, openLocalSecrets, openSecretCipher } from '../../src/secrets/index.js';
import { SECRETS_MIGRATIONS } from '../../src/secrets/migrations.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function freshHome(): string {
  const root = mkdtempSync(join(tmpdir(), 'pipe-at-rest-'));
  roots.push(root);
  return join(root, 'home');
}

/** Every byte pipe keeps for the database: the file and, when there is one, its write-ahead log. */
function databaseBytes(file: string): string {
  return [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1')).join('');
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

it('seals values with the key in PIPE_HOME: none is in the database bytes, and they read back after a reopen', () => {
  const home = freshHome();
  const file = join(home, 'state.db');
  const db = openDatabase(file);
  const local = openLocalSecrets(db, openSecretCipher(home));
  local.parameters.putParameter('/app/db-host', 'param-value-1234');
  local.secrets.putSecretValue('prod/db', '{"password":"secret-value-5678"}');
  const walWhileOpen = databaseBytes(file);
  db.close();

  for (const bytes of [walWhileOpen, databaseBytes(file)]) {
    expect(bytes).toContain('/app/db-host');
    expect(bytes).not.toContain('param-value-1234');
    expect(bytes).not.toContain('secret-value-5678');
  }
  const again = openLocalSecrets(openDatabase(file), openSecretCipher(home));
  expect(again.parameters.getParameter('/app/db-host')?.value).toBe('param-value-1234');
  expect(again.secrets.getSecretValue('prod/db')?.secretString).toBe('{"password":"secret-value-5678"}');
});

it('creates PIPE_HOME 0700 and the key, the database and its -wal and -shm files 0600', () => {
  const home = freshHome();
  const file = join(home, 'state.db');
  const db = openDatabase(file);
  const local = openLocalSecrets(db, openSecretCipher(home));
  local.parameters.putParameter('/x', 'y');
  expect(mode(home)).toBe('700');
  expect(readFileSync(join(home, KEY_FILE))).toHaveLength(32);
  expect([KEY_FILE, 'state.db', 'state.db-wal', 'state.db-shm'].map((f) => `${f} ${mode(join(home, f))}`)).toEqual([
    `${KEY_FILE} 600`, 'state.db 600', 'state.db-wal 600', 'state.db-shm 600',
  ]);
  db.close();
});

it('seals, on open, the values an older pipe stored in clear, and leaves no clear byte in the file', () => {
  const home = freshHome();
  const file = join(home, 'state.db');
  const old = openDatabase(file);
  migrate(old, 'secrets', SECRETS_MIGRATIONS.filter((m) => m.version === 1));
  old.prepare("INSERT INTO parameters VALUES ('/old', 1, 't')").run();
  old.prepare("INSERT INTO parameter_versions VALUES ('/old', 1, 'old-param-value-42', 't')").run();
  old.prepare("INSERT INTO secrets VALUES ('old-secret', 't', 't')").run();
  // Long enough to spill onto overflow pages, which an update frees rather than rewrites.
  const long = `${'x'.repeat(6000)}-old-secret-tail-44`;
  old.prepare("INSERT INTO secret_versions VALUES ('old-secret', 'v1', 'old-secret-value-43', 't', 1)").run();
  old.prepare("INSERT INTO secret_versions VALUES ('old-secret', 'v0', ?, 't', 0)").run(long);
  old.prepare("INSERT INTO secret_version_stages VALUES ('old-secret', 'AWSCURRENT', 'v1')").run();
  old.close();
  expect(databaseBytes(file)).toContain('old-param-value-42');
  expect(databaseBytes(file)).toContain('old-secret-tail-44');

  const db = openDatabase(file);
  const local = openLocalSecrets(db, openSecretCipher(home));
  expect(local.parameters.getParameter('/old')?.value).toBe('old-param-value-42');
  expect(local.secrets.getSecretValue('old-secret')?.secretString).toBe('old-secret-value-43');
  expect(local.secrets.getSecretValue('old-secret', { versionId: 'v0' })?.secretString).toBe(long);
  expect(db.prepare('SELECT sealed FROM parameter_versions UNION ALL SELECT sealed FROM secret_versions').all()).toEqual([{ sealed: 1 }, { sealed: 1 }, { sealed: 1 }]);
  db.close();
  const bytes = databaseBytes(file);
  expect(bytes).not.toContain('old-param-value-42');
  expect(bytes).not.toContain('old-secret-value-43');
  expect(bytes).not.toContain('old-secret-tail-44');
});

it('a database copied without its key does not open its values, and says why', () => {
  const db = openDatabase(':memory:');
  openLocalSecrets(db, ephemeralCipher()).parameters.putParameter('/p', 'v');
  const elsewhere = openLocalSecrets(db, ephemeralCipher());
  let error: unknown;
  try {
    elsewhere.parameters.getParameter('/p');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PipeError);
  expect(error).toMatchObject({
    code: 'STATE_ERROR',
    message: `a stored secret value (parameter /p version 1) does not decrypt with the key in PIPE_HOME/${KEY_FILE}`,
  });
  db.close();
});
