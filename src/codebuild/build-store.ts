// The builds `pipe build` ran without a pipeline: one row each in the state database, with its log and artifacts.
import type { BuildStatus } from '../core/index.js';
import { join } from 'node:path';
import { migrate } from '../infra/index.js';
import type { Db, Migration } from '../infra/index.js';

const BUILD_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'single builds (pipe build)',
    sql: `
      CREATE TABLE builds (
        id TEXT PRIMARY KEY,
        project TEXT NOT NULL,
        build_number INTEGER NOT NULL,
        source_dir TEXT NOT NULL,
        buildspec TEXT NOT NULL,
        image TEXT NOT NULL,
        status TEXT NOT NULL,
        status_message TEXT,
        owner_pid INTEGER NOT NULL,
        start_time TEXT NOT NULL,
        end_time TEXT,
        log_path TEXT NOT NULL,
        artifacts_dir TEXT NOT NULL,
        detail_json TEXT NOT NULL DEFAULT '{}'
      );
    `,
  },
];

export interface BuildRecord {
  buildId: string;
  project: string;
  buildNumber: number;
  sourceDir: string;
  buildspec: string;
  image: string;
  status: BuildStatus;
  statusMessage?: string;
  startTime: string;
  endTime?: string;
  logPath: string;
  artifactsDir: string;
  /** Phases, artifacts, exported variables and, for a batch, its builds. */
  detail: Record<string, unknown>;
}

type Row = Record<string, unknown>;

export const INTERRUPTED_BUILD = 'interrupted: the process running this build died';

/** Where a build keeps its temporary files (its zipped source): under PIPE_HOME, so recovery finds them. */
export function buildWorkDir(home: string, buildId: string): string {
  return join(home, 'tmp', 'builds', buildId.replace(/[^A-Za-z0-9._-]/g, '_'));
}

export class BuildStore {
  constructor(private readonly db: Db) {
    migrate(db, 'builds', BUILD_MIGRATIONS);
  }

  start(r: Omit<BuildRecord, 'status' | 'detail' | 'endTime' | 'statusMessage'>): void {
    this.db
      .prepare(
        `INSERT INTO builds (id, project, build_number, source_dir, buildspec, image, status, owner_pid, start_time, log_path, artifacts_dir)
         VALUES (?, ?, ?, ?, ?, ?, 'IN_PROGRESS', ?, ?, ?, ?)`,
      )
      .run(r.buildId, r.project, r.buildNumber, r.sourceDir, r.buildspec, r.image, process.pid, r.startTime, r.logPath, r.artifactsDir);
  }

  finish(buildId: string, status: BuildStatus, message: string | undefined, detail: Record<string, unknown>): void {
    this.db
      .prepare('UPDATE builds SET status = ?, status_message = ?, end_time = ?, detail_json = ? WHERE id = ?')
      .run(status, message ?? null, new Date().toISOString(), JSON.stringify(detail), buildId);
  }

  /**
   * Marks FAILED every build left IN_PROGRESS by a `pipe build` whose process is gone (killed), and returns their
   * ids, so the caller removes their containers and temporary files.
   */
  recoverInterrupted(isAlive: (pid: number) => boolean): string[] {
    const rows = this.db.prepare("SELECT id, owner_pid FROM builds WHERE status = 'IN_PROGRESS'").all() as Row[];
    const dead = rows.filter((r) => Number(r['owner_pid']) !== process.pid && !isAlive(Number(r['owner_pid']))).map((r) => String(r['id']));
    const mark = this.db.prepare("UPDATE builds SET status = 'FAILED', status_message = ?, end_time = ? WHERE id = ? AND status = 'IN_PROGRESS'");
    this.db.transaction(() => {
      for (const id of dead) mark.run(INTERRUPTED_BUILD, new Date().toISOString(), id);
    })();
    return dead;
  }

  get(buildId: string): BuildRecord | undefined {
    const r = this.db.prepare('SELECT * FROM builds WHERE id = ?').get(buildId) as Row | undefined;
    return r ? toRecord(r) : undefined;
  }

  /** Newest first, optionally of one project. */
  list(options: { project?: string; limit?: number } = {}): BuildRecord[] {
    const rows = this.db
      .prepare(`SELECT * FROM builds ${options.project ? 'WHERE project = ?' : ''} ORDER BY start_time DESC, rowid DESC LIMIT ?`)
      .all(...(options.project ? [options.project] : []), options.limit ?? -1) as Row[];
    return rows.map(toRecord);
  }

  /**
   * The build an id names: the whole id (`project:uuid`), or a unique prefix of the whole id or of its uuid.
   * `matches` says how many a prefix matched, so the caller can say it is ambiguous.
   */
  find(id: string): { build?: BuildRecord; matches: number } {
    const exact = this.get(id);
    if (exact) return { build: exact, matches: 1 };
    const like = `${id.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    const rows = this.db
      .prepare("SELECT * FROM builds WHERE id LIKE ? ESCAPE '\\' OR substr(id, instr(id, ':') + 1) LIKE ? ESCAPE '\\' LIMIT 2")
      .all(like, like) as Row[];
    const only = rows.length === 1 ? rows[0] : undefined;
    return only ? { build: toRecord(only), matches: 1 } : { matches: rows.length };
  }
}

function toRecord(r: Row): BuildRecord {
  return {
    buildId: String(r['id']),
    project: String(r['project']),
    buildNumber: Number(r['build_number']),
    sourceDir: String(r['source_dir']),
    buildspec: String(r['buildspec']),
    image: String(r['image']),
    status: r['status'] as BuildStatus,
    ...(r['status_message'] != null ? { statusMessage: String(r['status_message']) } : {}),
    startTime: String(r['start_time']),
    ...(r['end_time'] != null ? { endTime: String(r['end_time']) } : {}),
    logPath: String(r['log_path']),
    artifactsDir: String(r['artifacts_dir']),
    detail: JSON.parse(String(r['detail_json'])) as Record<string, unknown>,
  };
}
