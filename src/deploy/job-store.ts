// CodePipeline jobs in the state database: what an Invoke/Lambda action handed its function (the artifacts' S3
// keys and the files behind them) and how the function answered. The action's process writes the job and waits;
// whichever process serves the CodePipeline API (a `pipe registry serve`, or the action's own call-back server)
// records the answer. SQLite is what they share.
import { randomUUID } from 'node:crypto';
import { isProcessAlive, migrate } from '../infra/index.js';
import type { Db, Migration } from '../infra/index.js';
import { transitionJob } from '../core/index.js';
import type { JobFailureType, JobStatus } from '../core/index.js';

const JOB_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'codepipeline jobs',
    sql: `
      CREATE TABLE codepipeline_jobs (
        id TEXT PRIMARY KEY,
        execution_id TEXT NOT NULL,
        action_id TEXT NOT NULL,
        function_name TEXT NOT NULL,
        owner_pid INTEGER NOT NULL,
        status TEXT NOT NULL,
        artifacts TEXT NOT NULL,
        result TEXT,
        created_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX codepipeline_jobs_by_action ON codepipeline_jobs (execution_id, action_id);`,
  },
];

/** One artifact of a job: its S3 location as the event gives it, and the zip behind it. */
export interface JobArtifact {
  kind: 'input' | 'output';
  name: string;
  bucket: string;
  key: string;
  /** The zip in the artifact store (an output's is written by PutObject). */
  path: string;
  revision?: string;
}

export type JobResult =
  | {
      status: 'Succeeded';
      continuationToken?: string;
      outputVariables?: Record<string, string>;
      summary?: string;
      externalExecutionId?: string;
      percentComplete?: number;
    }
  | { status: 'Failed'; type: JobFailureType; message: string; externalExecutionId?: string }
  | { status: 'TimedOut'; message: string };

export interface JobRecord {
  id: string;
  executionId: string;
  actionId: string;
  functionName: string;
  status: JobStatus;
  artifacts: JobArtifact[];
  result?: JobResult;
}

interface Row {
  id: string;
  execution_id: string;
  action_id: string;
  function_name: string;
  owner_pid: number;
  status: string;
  artifacts: string;
  result: string | null;
}

export class JobStore {
  constructor(private readonly db: Db) {
    migrate(db, 'codepipeline-jobs', JOB_MIGRATIONS);
  }

  /** A new job in progress; its id is a lowercase UUID, as CodePipeline's. */
  /** A job owned by this process: it waits for the answer. */
  create(job: Omit<JobRecord, 'id' | 'status' | 'result'>, id: string = randomUUID()): JobRecord {
    this.db
      .prepare('INSERT INTO codepipeline_jobs (id, execution_id, action_id, function_name, owner_pid, status, artifacts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, job.executionId, job.actionId, job.functionName, process.pid, 'InProgress', JSON.stringify(job.artifacts), new Date().toISOString());
    return { ...job, id, status: 'InProgress' };
  }

  /** A job whose waiting process died is over: it is Failed with that reason when next looked at. */
  get(id: string): JobRecord | undefined {
    const row = this.db.prepare('SELECT * FROM codepipeline_jobs WHERE id = ?').get(id) as Row | undefined;
    return row && toRecord(this.settleOrphan(row));
  }

  /**
   * Records the answer of a job in progress; false when it was already finished (a second report, or a report
   * after the timeout), which the API answers with InvalidJobStateException.
   */
  finish(id: string, result: JobResult): boolean {
    return this.db.transaction(() => {
      const job = this.get(id);
      if (!job || job.status !== 'InProgress') return false;
      transitionJob(job.status, result.status);
      this.db
        .prepare('UPDATE codepipeline_jobs SET status = ?, result = ?, finished_at = ? WHERE id = ?')
        .run(result.status, JSON.stringify(result), new Date().toISOString(), id);
      return true;
    }).immediate();
  }

  /** The artifact a bucket and key name, for a job still in progress (artifacts are readable only while it runs). */
  artifactAt(bucket: string, key: string): { job: JobRecord; artifact: JobArtifact } | undefined {
    const rows = this.db
      .prepare("SELECT * FROM codepipeline_jobs WHERE status = 'InProgress' AND instr(artifacts, ?) > 0")
      .all(JSON.stringify(key)) as Row[];
    for (const row of rows) {
      const job = toRecord(this.settleOrphan(row));
      if (job.status !== 'InProgress') continue;
      const artifact = job.artifacts.find((a) => a.bucket === bucket && a.key === key);
      if (artifact) return { job, artifact };
    }
    return undefined;
  }

  private settleOrphan(row: Row): Row {
    if (row.status !== 'InProgress' || row.owner_pid === process.pid || isProcessAlive(row.owner_pid)) return row;
    const result: JobResult = { status: 'Failed', type: 'JobFailed', message: 'the process running the action ended without an answer to this job' };
    this.db
      .prepare("UPDATE codepipeline_jobs SET status = 'Failed', result = ?, finished_at = ? WHERE id = ? AND status = 'InProgress'")
      .run(JSON.stringify(result), new Date().toISOString(), row.id);
    return { ...row, status: 'Failed', result: JSON.stringify(result) };
  }
}

function toRecord(row: Row): JobRecord {
  const record: JobRecord = {
    id: row.id,
    executionId: row.execution_id,
    actionId: row.action_id,
    functionName: row.function_name,
    status: row.status as JobStatus,
    artifacts: JSON.parse(row.artifacts) as JobArtifact[],
  };
  if (row.result !== null) record.result = JSON.parse(row.result) as JobResult;
  return record;
}
