// The metric alarms pipe knows by name: put through CloudWatch's PutMetricAlarm (or by a stack), looked up by
// Deploy/Lambda's `Alarms`, listed by DescribeAlarms.
import { migrate } from '../infra/index.js';
import type { Db, Migration } from '../infra/index.js';
import type { AlarmSpec } from './traffic-types.js';

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'metric alarms by name',
    sql: `CREATE TABLE deploy_alarms (name TEXT PRIMARY KEY, spec TEXT NOT NULL, updated_at INTEGER NOT NULL);`,
  },
];

export class AlarmStore {
  constructor(private readonly db: Db) {
    migrate(db, 'deploy-alarms', MIGRATIONS);
  }

  put(spec: AlarmSpec, now = Date.now()): void {
    this.db.prepare('INSERT OR REPLACE INTO deploy_alarms (name, spec, updated_at) VALUES (?, ?, ?)').run(spec.name, JSON.stringify(spec), now);
  }

  get(name: string): AlarmSpec | undefined {
    const row = this.db.prepare('SELECT spec FROM deploy_alarms WHERE name = ?').get(name) as { spec: string } | undefined;
    return row && (JSON.parse(row.spec) as AlarmSpec);
  }

  list(): { spec: AlarmSpec; updatedAt: number }[] {
    return (this.db.prepare('SELECT spec, updated_at FROM deploy_alarms ORDER BY name').all() as { spec: string; updated_at: number }[])
      .map((r) => ({ spec: JSON.parse(r.spec) as AlarmSpec, updatedAt: r.updated_at }));
  }

  delete(names: readonly string[]): void {
    const del = this.db.prepare('DELETE FROM deploy_alarms WHERE name = ?');
    for (const n of names) del.run(n);
  }
}
