// Rows an older pipe wrote in clear: sealed in place when a store opens, and the clear bytes wiped from the file.
import type { Db } from '../infra/index.js';
import type { SecretCipher } from './cipher.js';

export interface SealedColumn {
  table: 'parameter_versions' | 'secret_versions';
  /** The value column, sealed when `sealed = 1`. */
  value: string;
  /** The columns that name a row, in the order `context` takes them. */
  key: readonly [string, string];
  /** What a sealed value is bound to (the AES-GCM additional data): its row. */
  context(a: string, b: string): string;
}

/**
 * Seals every value of `column` still in clear (sealed = 0), in one transaction; then, if there were any, rebuilds
 * the database file (VACUUM) and empties the write-ahead log, so no page of the file keeps the clear text.
 */
export function sealClearRows(db: Db, cipher: SecretCipher, column: SealedColumn): number {
  const [ka, kb] = column.key;
  const rows = db
    .prepare(`SELECT ${ka} AS a, ${kb} AS b, ${column.value} AS v FROM ${column.table} WHERE sealed = 0`)
    .all() as Array<{ a: string | number; b: string | number; v: string }>;
  if (rows.length === 0) return 0;
  const update = db.prepare(`UPDATE ${column.table} SET ${column.value} = ?, sealed = 1 WHERE ${ka} = ? AND ${kb} = ?`);
  db.pragma('secure_delete = ON');
  db.transaction(() => {
    for (const r of rows) update.run(cipher.seal(r.v, column.context(String(r.a), String(r.b))), r.a, r.b);
  })();
  if (!db.inTransaction && db.name !== ':memory:') {
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
  }
  return rows.length;
}
