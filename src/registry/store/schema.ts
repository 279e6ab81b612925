// The registry's tables in the shared state database, as the `registry` component's migrations.
import type { Migration } from '../../infra/index.js';

export const REGISTRY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'functions, versions, aliases, layers',
    sql: `
      CREATE TABLE registry_functions (
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        last_version INTEGER NOT NULL DEFAULT 0,
        reserved_concurrency INTEGER,
        created_at TEXT NOT NULL,
        PRIMARY KEY (region, name)
      );
      CREATE TABLE registry_function_versions (
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        number INTEGER NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (region, name, version),
        FOREIGN KEY (region, name) REFERENCES registry_functions (region, name) ON DELETE CASCADE
      );
      CREATE TABLE registry_aliases (
        region TEXT NOT NULL,
        function_name TEXT NOT NULL,
        name TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (region, function_name, name),
        FOREIGN KEY (region, function_name) REFERENCES registry_functions (region, name) ON DELETE CASCADE
      );
      CREATE TABLE registry_layers (
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        last_version INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (region, name)
      );
      CREATE TABLE registry_layer_versions (
        region TEXT NOT NULL,
        layer_name TEXT NOT NULL,
        version INTEGER NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (region, layer_name, version)
      );`,
  },
];
