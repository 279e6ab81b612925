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
  {
    version: 6,
    name: 'builds pipe build kept in its own table (before it ran as an execution) become executions of kind build',
    // Their table (`builds`, component `builds`, one version) is read as those versions wrote it; a PIPE_HOME that never
    // had it gets it empty for the copy, and loses it with the rest. A build still IN_PROGRESS there had lost its
    // process to the upgrade: it ends Failed, interrupted, as recovery would have ended it. The plan and the sources
    // are those `pipe build` records today (codebuild's build-records.ts reads them).
    sql: `
      CREATE TABLE IF NOT EXISTS builds (
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
      CREATE TEMP TABLE old_builds AS
        SELECT b.*,
          substr(b.id, instr(b.id, ':') + 1) AS execution_id,
          CASE b.status WHEN 'SUCCEEDED' THEN 'Succeeded' WHEN 'STOPPED' THEN 'Stopped' ELSE 'Failed' END AS execution_status,
          CASE b.status WHEN 'IN_PROGRESS' THEN 'FAILED' ELSE b.status END AS build_status,
          CASE b.status WHEN 'IN_PROGRESS' THEN 'interrupted: the process running this build died' ELSE b.status_message END AS message,
          COALESCE(b.end_time, b.start_time) AS ended
        FROM builds b
        WHERE instr(b.id, ':') > 0 AND substr(b.id, instr(b.id, ':') + 1) NOT IN (SELECT id FROM executions);
      INSERT INTO executions (id, pipeline, pipeline_file, file_digest, status, status_message, trigger_type, trigger_detail,
          owner_pid, owner_host, start_time, end_time, variables_json, execution_mode, execution_type, plan_json, artifact_root,
          sources_json, kind)
        SELECT execution_id, project, buildspec, '', execution_status, message, 'StartBuild', 'pipe build ' || source_dir,
          owner_pid, '', start_time, ended, '{}', 'PARALLEL', 'STANDARD',
          json_object('pipeline', project, 'file', buildspec, 'digest', '', 'structureDigest', '', 'executionMode', 'PARALLEL',
            'maxParallelActions', 1, 'baseDir', source_dir, 'variables', json('[]'),
            'stages', json('[{"name":"Build","groups":[[{"stage":"Build","name":"Build","id":"Build.Build","type":"Build/CodeBuild","category":"Build","runOrder":1,"configuration":{},"inputArtifacts":[],"outputArtifacts":[],"references":[]}]],"onFailure":{"result":"FAIL"}}]'),
            'artifactProducers', json('{}'), 'warnings', json('[]')),
          CASE WHEN substr(artifacts_dir, -length('/local/' || id)) = '/local/' || id
            THEN substr(artifacts_dir, 1, length(artifacts_dir) - length('/local/' || id)) ELSE artifacts_dir END,
          json_object('build', json_object('buildId', id, 'project', project, 'buildNumber', build_number, 'sourceDir', source_dir,
            'buildspec', buildspec, 'image', image, 'artifactsDir', artifacts_dir, 'logPath', log_path)),
          'build'
        FROM old_builds;
      INSERT INTO stage_executions (execution_id, stage, attempt, status, start_time, end_time)
        SELECT execution_id, 'Build', 1, execution_status, start_time, ended FROM old_builds;
      INSERT INTO action_executions (execution_id, stage, action, attempt, action_type, run_order, status, status_message,
          start_time, end_time, output_artifacts_json, external_id, log_path, extra_json)
        SELECT execution_id, 'Build', 'Build', 1, 'Build/CodeBuild', 1, execution_status, message, start_time, ended,
          COALESCE(json_extract(detail_json, '$.artifacts'), '[]'), id, log_path,
          json_set(json_remove(detail_json, '$.artifacts'), '$.buildId', id, '$.buildStatus', build_status)
        FROM old_builds;
      INSERT INTO build_counters (project, last_number)
        SELECT project, MAX(build_number) FROM old_builds WHERE true GROUP BY project
        ON CONFLICT (project) DO UPDATE SET last_number = MAX(last_number, excluded.last_number);
      DROP TABLE old_builds;
      DROP TABLE builds;
      DELETE FROM schema_migrations WHERE component = 'builds';
    `,
  },
];
