// Builds stored by versions before `pipe build` ran as an execution (their own `builds` table, component `builds`)
// are listed and shown by today's `pipe builds` and `pipe build ID`: the state migration 6 makes them executions of
// kind build. The PIPE_HOME is written here in that old layout, as those versions wrote it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATE_MIGRATIONS } from '../../src/execute/store-migrations.js';
import { migrate, openDatabase } from '../../src/infra/sqlite.js';
import { makePipeEnv, pipe } from '../support/cli.js';

const OLD_BUILDS_TABLE = `
  CREATE TABLE builds (
    id TEXT PRIMARY KEY, project TEXT NOT NULL, build_number INTEGER NOT NULL, source_dir TEXT NOT NULL,
    buildspec TEXT NOT NULL, image TEXT NOT NULL, status TEXT NOT NULL, status_message TEXT, owner_pid INTEGER NOT NULL,
    start_time TEXT NOT NULL, end_time TEXT, log_path TEXT NOT NULL, artifacts_dir TEXT NOT NULL,
    detail_json TEXT NOT NULL DEFAULT '{}'
  );`;

const OK = 'web:1b2c3d4e-0000-4000-8000-000000000001';
const SLOW = 'web:1b2c3d4e-0000-4000-8000-000000000002';
const KILLED = 'api:9f8e7d6c-0000-4000-8000-000000000003';

/** A PIPE_HOME as the version before migration 6 left it: state migrations 1-5, and three builds in `builds`. */
function oldHome() {
  const p = makePipeEnv();
  mkdirSync(join(p.home, 'logs', 'builds'), { recursive: true });
  const db = openDatabase(join(p.home, 'state.db'));
  migrate(db, 'state', STATE_MIGRATIONS.filter((m) => m.version <= 5));
  migrate(db, 'builds', [{ version: 1, name: 'single builds (pipe build)', sql: OLD_BUILDS_TABLE }]);
  const insert = db.prepare(`INSERT INTO builds (id, project, build_number, source_dir, buildspec, image, status, status_message, owner_pid,
    start_time, end_time, log_path, artifacts_dir, detail_json) VALUES (?, ?, ?, ?, ?, 'pipe/standard:1', ?, ?, 999999, ?, ?, ?, ?, ?)`);
  const row = (id: string, project: string, n: number, status: string, message: string | null, start: string, end: string | null, detail: object) => {
    const log = join(p.home, 'logs', 'builds', `${id}.log`);
    writeFileSync(log, `[Container] log of ${id}\n`);
    insert.run(id, project, n, `/src/${project}`, `/src/${project}/buildspec.yml`, status, message, start, end, log, join(p.artifacts, 'local', id), JSON.stringify(detail));
  };
  row(OK, 'web', 1, 'SUCCEEDED', null, '2026-11-01T10:00:00.000Z', '2026-11-01T10:00:02.500Z', {
    phases: [{ phase: 'BUILD', status: 'SUCCEEDED', durationMs: 2000 }],
    artifacts: [{ path: join(p.artifacts, 'local', OK, 'artifact.zip'), files: ['a.txt', 'b.txt'], size: 321 }],
    exportedVariables: { VERSION: '1.2.3' },
    reports: [],
  });
  row(SLOW, 'web', 2, 'TIMED_OUT', 'Build timed out after 1 minutes', '2026-11-02T10:00:00.000Z', '2026-11-02T10:01:00.000Z', { phases: [], artifacts: [], exportedVariables: {}, reports: [] });
  row(KILLED, 'api', 1, 'IN_PROGRESS', null, '2026-11-03T10:00:00.000Z', null, {});
  db.close();
  return p;
}

describe('builds of the old layout', () => {
  it('pipe builds lists them, newest first, with their CodeBuild status', async () => {
    const p = oldHome();
    const list = await pipe(['builds', '--json'], p);
    expect(list.stderr).toBe('');
    expect(list.exitCode).toBe(0);
    const builds = JSON.parse(list.stdout) as { buildId: string; project: string; buildNumber: number; status: string; statusMessage?: string; startTime: string; endTime?: string }[];
    expect(builds.map((b) => [b.buildId, b.project, b.buildNumber, b.status])).toEqual([
      [KILLED, 'api', 1, 'FAILED'],
      [SLOW, 'web', 2, 'TIMED_OUT'],
      [OK, 'web', 1, 'SUCCEEDED'],
    ]);
    expect(builds[0]?.statusMessage).toBe('interrupted: the process running this build died');
    expect(builds[1]).toMatchObject({ statusMessage: 'Build timed out after 1 minutes', startTime: '2026-11-02T10:00:00.000Z', endTime: '2026-11-02T10:01:00.000Z' });
    expect((await pipe(['builds', '--project', 'web'], p)).stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0])).toEqual([SLOW, OK]);
  });

  it('pipe build ID shows one with its phases, artifact and variables; pipe logs ID prints its log', async () => {
    const p = oldHome();
    const shown = await pipe(['build', OK], p);
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toContain(`Build ${OK}\n  status    SUCCEEDED\n  project   web #1 (/src/web)\n`);
    expect(shown.stdout).toContain('  phases    BUILD SUCCEEDED 2000ms\n');
    expect(shown.stdout).toContain(`  artifact  ${join(p.artifacts, 'local', OK, 'artifact.zip')} (2 files, 321 bytes)\n`);
    expect(shown.stdout).toContain('  variable  VERSION=1.2.3\n');
    expect((await pipe(['logs', OK], p)).stdout).toBe(`[Container] log of ${OK}`);
  });

  it('leaves no old table behind, and a second start finds nothing more to move', async () => {
    const p = oldHome();
    expect((await pipe(['builds'], p)).exitCode).toBe(0);
    expect((await pipe(['builds', '--json'], p)).stdout).toContain(OK);
    const db = openDatabase(join(p.home, 'state.db'));
    try {
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'builds'").all()).toEqual([]);
      expect(db.prepare("SELECT COUNT(*) AS n FROM executions WHERE kind = 'build'").get()).toEqual({ n: 3 });
      expect(db.prepare("SELECT last_number FROM build_counters WHERE project = 'web'").get()).toEqual({ last_number: 2 });
    } finally {
      db.close();
    }
    const fresh = makePipeEnv();
    expect((await pipe(['builds'], fresh)).stdout).toBe('no builds (pipe build DIR runs one)');
    const freshDb = openDatabase(join(fresh.home, 'state.db'));
    try {
      expect(freshDb.prepare("SELECT name FROM sqlite_master WHERE name IN ('builds', 'old_builds')").all()).toEqual([]);
    } finally {
      freshDb.close();
    }
  });
});
