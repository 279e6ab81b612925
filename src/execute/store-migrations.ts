// Versioned schema of the execution store. Append new migrations; never edit an applied one.
import type { Migration } from '../infra/sqlite.js';

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
];
