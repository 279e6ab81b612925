// The SQLite adapter: opens the state database and applies versioned migrations, each component its own series.
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PipeError } from '../core/index.js';

export type Db = Database.Database;

export interface Migration {
  version: number;
  /** What it changes, for the migrations table. */
  name: string;
  sql: string;
}

export { pipeHome } from './workspace.js';

/** Modes of the state: only its owner may read it (it names secrets, and holds them sealed). */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates a directory of pipe's state readable by its owner only. A directory that already exists keeps its mode:
 * it may be one the user shares on purpose, and the files in it are private anyway.
 */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * The database file, created 0600 before SQLite opens it, since SQLite gives its -wal and -shm files the mode of
 * the database; files an older pipe left 0644 are made 0600.
 */
function makePrivateDatabaseFiles(file: string): void {
  makePrivateDir(dirname(file));
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, PRIVATE_FILE_MODE);
}

export function openDatabase(file: string): Db {
  try {
    if (file !== ':memory:') makePrivateDatabaseFiles(file);
    const db = new Database(file);
    // First, so that switching to WAL and creating tables wait for another process doing the same.
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL cannot corrupt the database; it only skips an fsync per commit (a run writes many).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL,
      PRIMARY KEY (component, version))`);
    return db;
  } catch (e) {
    throw new PipeError('STATE_ERROR', `cannot open the state database ${file}: ${(e as Error).message}`, {
      hint: 'check that PIPE_HOME points at a writable directory',
      cause: e,
    });
  }
}

/**
 * Applies the migrations of `component` not applied yet, all in one exclusive transaction that reads what was applied
 * inside it: pipe processes started together on a fresh PIPE_HOME wait for each other instead of racing to create
 * the same tables.
 */
export function migrate(db: Db, component: string, migrations: readonly Migration[]): void {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const pending = () => {
    const applied = new Set(
      db
        .prepare('SELECT version FROM schema_migrations WHERE component = ?')
        .all(component)
        .map((r) => (r as { version: number }).version),
    );
    return sorted.filter((m) => !applied.has(m.version));
  };
  if (pending().length === 0) return; // the common case: no write lock taken
  db.transaction(() => {
    for (const m of pending()) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (component, version, name, applied_at) VALUES (?, ?, ?, ?)').run(
        component,
        m.version,
        m.name,
        new Date().toISOString(),
      );
    }
  }).exclusive();
}
