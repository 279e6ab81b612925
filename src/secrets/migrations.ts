// Versioned schema of the local parameter store and secret store ('secrets' component). Append; never edit.
import type { Migration } from '../infra/index.js';

export const SECRETS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'parameters with versions; secrets with versions and staging labels',
    sql: `
      CREATE TABLE parameters (
        name TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        last_modified TEXT NOT NULL
      );
      CREATE TABLE parameter_versions (
        name TEXT NOT NULL REFERENCES parameters (name) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        value TEXT NOT NULL,
        last_modified TEXT NOT NULL,
        PRIMARY KEY (name, version)
      );
      CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        created TEXT NOT NULL,
        last_changed TEXT NOT NULL
      );
      CREATE TABLE secret_versions (
        name TEXT NOT NULL REFERENCES secrets (name) ON DELETE CASCADE,
        version_id TEXT NOT NULL,
        secret_string TEXT NOT NULL,
        created TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (name, version_id)
      );
      CREATE TABLE secret_version_stages (
        name TEXT NOT NULL,
        stage TEXT NOT NULL,
        version_id TEXT NOT NULL,
        PRIMARY KEY (name, stage),
        FOREIGN KEY (name, version_id) REFERENCES secret_versions (name, version_id) ON DELETE CASCADE
      );
    `,
  },
  {
    version: 2,
    name: 'values sealed at rest (AES-256-GCM); rows written before stay 0 until they are sealed on open',
    sql: `
      ALTER TABLE parameter_versions ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE secret_versions ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 3,
    name: 'a parameter\'s Type and Description, a secret\'s Description (as the SSM and Secrets Manager APIs set them)',
    sql: `
      ALTER TABLE parameters ADD COLUMN type TEXT NOT NULL DEFAULT 'String';
      ALTER TABLE parameters ADD COLUMN description TEXT NOT NULL DEFAULT '';
      ALTER TABLE secrets ADD COLUMN description TEXT NOT NULL DEFAULT '';
    `,
  },
];
