// The SQLite adapter: opens the state database and applies versioned migrations, each component its own series.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
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

export function openDatabase(file: string): Db {
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL cannot corrupt the database; it only skips an fsync per commit (a run writes many).
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
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

/** Applies, in one transaction each, the migrations of `component` not applied yet. */
export function migrate(db: Db, component: string, migrations: readonly Migration[]): void {
  const applied = new Set(
    db
      .prepare('SELECT version FROM schema_migrations WHERE component = ?')
      .all(component)
      .map((r) => (r as { version: number }).version),
  );
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (const m of sorted) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (component, version, name, applied_at) VALUES (?, ?, ?, ?)').run(
        component,
        m.version,
        m.name,
        new Date().toISOString(),
      );
    })();
  }
}
