// Versioned schema of the execution store. Append new migrations; never edit an applied one.
import type { Migration } from '../infra/index.js';

export const STATE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'executions, stage and action executions, build counters',
    sql: `
      CREATE TABLE executions (
        id TEXT PRIMARY KEY,
        pipeline TEXT NOT NULL,
        pipeline_file TEXT NOT NULL,
        file_digest TEXT NOT NULL,
        status TEXT NOT NULL,
        status_message TEXT,
        trigger_type TEXT NOT NULL,
        trigger_detail TEXT NOT NULL,
        owner_pid INTEGER NOT NULL,
        owner_host TEXT NOT NULL,
        start_time TEXT NOT NULL,
        end_time TEXT,
        variables_json TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX executions_pipeline ON executions (pipeline, start_time);
      CREATE TABLE stage_executions (
        execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        status TEXT NOT NULL,
        start_time TEXT NOT NULL,
        end_time TEXT,
        PRIMARY KEY (execution_id, stage)
      );
      CREATE TABLE action_executions (
        execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        action TEXT NOT NULL,
        action_type TEXT NOT NULL,
        run_order INTEGER NOT NULL,
        status TEXT NOT NULL,
        status_message TEXT,
        start_time TEXT NOT NULL,
        end_time TEXT,
        configuration_json TEXT NOT NULL DEFAULT '{}',
        input_artifacts_json TEXT NOT NULL DEFAULT '[]',
        output_artifacts_json TEXT NOT NULL DEFAULT '[]',
        output_variables_json TEXT NOT NULL DEFAULT '{}',
        external_id TEXT,
        log_path TEXT,
        extra_json TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (execution_id, stage, action)
      );
      CREATE TABLE build_counters (project TEXT PRIMARY KEY, last_number INTEGER NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'output variables that carry a secret, sealed',
    sql: `ALTER TABLE action_executions ADD COLUMN sealed_variables_json TEXT NOT NULL DEFAULT '{}';`,
  },
  {
    version: 3,
    name: 'durable executions: attempts, the plan, leases, stop requests, the event log, stage locks and waits, transitions, approvals',
    sql: `
      ALTER TABLE executions ADD COLUMN execution_mode TEXT NOT NULL DEFAULT 'SUPERSEDED';
      ALTER TABLE executions ADD COLUMN execution_type TEXT NOT NULL DEFAULT 'STANDARD';
      ALTER TABLE executions ADD COLUMN plan_json TEXT;
      ALTER TABLE executions ADD COLUMN artifact_root TEXT;
      ALTER TABLE executions ADD COLUMN owner_id TEXT;
      ALTER TABLE executions ADD COLUMN lease_expires INTEGER;
      ALTER TABLE executions ADD COLUMN stop_request TEXT;
      ALTER TABLE executions ADD COLUMN stop_reason TEXT;
      ALTER TABLE executions ADD COLUMN rollback_target TEXT;
      ALTER TABLE executions ADD COLUMN sources_json TEXT NOT NULL DEFAULT '{}';

      CREATE TABLE stage_executions_v3 (
        execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 1,
        status TEXT NOT NULL,
        start_time TEXT NOT NULL,
        end_time TEXT,
        retry_trigger TEXT,
        retry_mode TEXT,
        PRIMARY KEY (execution_id, stage, attempt)
      );
      INSERT INTO stage_executions_v3 (execution_id, stage, attempt, status, start_time, end_time)
        SELECT execution_id, stage, 1, status, start_time, end_time FROM stage_executions;
      DROP TABLE stage_executions;
      ALTER TABLE stage_executions_v3 RENAME TO stage_executions;

      CREATE TABLE action_executions_v3 (
        execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        action TEXT NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 1,
        action_type TEXT NOT NULL,
        run_order INTEGER NOT NULL,
        status TEXT NOT NULL,
        status_message TEXT,
        start_time TEXT NOT NULL,
        end_time TEXT,
        configuration_json TEXT NOT NULL DEFAULT '{}',
        input_artifacts_json TEXT NOT NULL DEFAULT '[]',
        output_artifacts_json TEXT NOT NULL DEFAULT '[]',
        output_variables_json TEXT NOT NULL DEFAULT '{}',
        external_id TEXT,
        log_path TEXT,
        extra_json TEXT NOT NULL DEFAULT '{}',
        sealed_variables_json TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (execution_id, stage, action, attempt)
      );
      INSERT INTO action_executions_v3 (execution_id, stage, action, attempt, action_type, run_order, status, status_message,
          start_time, end_time, configuration_json, input_artifacts_json, output_artifacts_json, output_variables_json,
          external_id, log_path, extra_json, sealed_variables_json)
        SELECT execution_id, stage, action, 1, action_type, run_order, status, status_message, start_time, end_time,
          configuration_json, input_artifacts_json, output_artifacts_json, output_variables_json, external_id, log_path,
          extra_json, sealed_variables_json FROM action_executions;
      DROP TABLE action_executions;
      ALTER TABLE action_executions_v3 RENAME TO action_executions;

      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        execution_id TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX events_execution ON events (execution_id, seq);

      CREATE TABLE stage_locks (
        pipeline TEXT NOT NULL,
        stage TEXT NOT NULL,
        execution_id TEXT NOT NULL,
        since TEXT NOT NULL,
        PRIMARY KEY (pipeline, stage)
      );
      CREATE TABLE stage_waits (
        execution_id TEXT PRIMARY KEY,
        pipeline TEXT NOT NULL,
        stage TEXT NOT NULL,
        since TEXT NOT NULL,
        arrival INTEGER NOT NULL
      );
      CREATE TABLE transitions (
        pipeline TEXT NOT NULL,
        stage TEXT NOT NULL,
        reason TEXT NOT NULL,
        disabled_at TEXT NOT NULL,
        PRIMARY KEY (pipeline, stage)
      );
      CREATE TABLE approvals (
        execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        action TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        token TEXT NOT NULL,
        status TEXT NOT NULL,
        summary TEXT,
        custom_data TEXT,
        external_link TEXT,
        requested_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        responded_at TEXT,
        PRIMARY KEY (execution_id, stage, action, attempt)
      );
    `,
  },
  {
    version: 4,
    name: "a trigger's facts beyond type and detail: a git hook's ref, commits and filter; the source revisions asked for",
    sql: `ALTER TABLE executions ADD COLUMN trigger_json TEXT;`,
  },
  {
    version: 5,
    name: 'the kind of an execution: a pipeline, or a build pipe build ran',
    sql: `
      ALTER TABLE executions ADD COLUMN kind TEXT NOT NULL DEFAULT 'pipeline';
      CREATE INDEX executions_kind ON executions (kind, start_time);
    `,
  },
];
