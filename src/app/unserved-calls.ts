// The AWS calls builds made that pipe does not serve, counted by the access key that signed them (each build has its
// own): every pipe server of a PIPE_HOME writes here, the build that made them reads its own at its end.
import { migrate } from '../infra/index.js';
import type { Db, Migration } from '../infra/index.js';
import type { UnservedCall } from '../codebuild/index.js';
import type { UnservedRequest } from '../registry/index.js';

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'AWS calls pipe does not serve, by access key, service and operation',
    sql: `
      CREATE TABLE aws_unserved_calls (
        access_key_id TEXT NOT NULL,
        service TEXT NOT NULL,
        operation TEXT NOT NULL,
        count INTEGER NOT NULL,
        last_at TEXT NOT NULL,
        PRIMARY KEY (access_key_id, service, operation)
      );
    `,
  },
];

export class UnservedCallLog {
  constructor(private readonly db: Db) {
    migrate(db, 'aws-calls', MIGRATIONS);
  }

  /** Counts one call; unsigned ones and those of no access key are not anyone's to report. */
  record(call: UnservedRequest): void {
    if (call.accessKeyId === undefined) return;
    this.db
      .prepare(
        `INSERT INTO aws_unserved_calls (access_key_id, service, operation, count, last_at) VALUES (?, ?, ?, 1, ?)
         ON CONFLICT (access_key_id, service, operation) DO UPDATE SET count = count + 1, last_at = excluded.last_at`,
      )
      .run(call.accessKeyId, call.service, call.operation, new Date().toISOString());
  }

  /** The calls signed with one access key, most frequent first. */
  callsOf(accessKeyId: string): UnservedCall[] {
    return this.db
      .prepare('SELECT service, operation, count FROM aws_unserved_calls WHERE access_key_id = ? ORDER BY count DESC, service, operation')
      .all(accessKeyId) as UnservedCall[];
  }
}
