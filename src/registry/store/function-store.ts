// Functions, their versions and aliases in SQLite: rows keyed by (region, name), records kept as JSON.
import type { Db } from '../../infra/index.js';
import { LATEST } from '../model.js';
import type { AliasRecord, FunctionVersionRecord } from '../model.js';

export interface FunctionRow {
  region: string;
  name: string;
  /** Highest version number ever published: numbers only grow, also after deletions. */
  lastVersion: number;
  reservedConcurrency: number | undefined;
}

interface RawFunctionRow {
  region: string;
  name: string;
  last_version: number;
  reserved_concurrency: number | null;
}

export class FunctionStore {
  constructor(private readonly db: Db) {}

  /**
   * Runs `fn` in one transaction: the checks and the writes of one operation see the same state. IMMEDIATE, so it
   * takes the write lock before its first read: a deferred one that read and then wrote after another process's
   * commit would fail at once with "database is locked" (SQLite cannot move its snapshot, and waits for nothing).
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  getFunction(region: string, name: string): FunctionRow | undefined {
    const row = this.db.prepare('SELECT * FROM registry_functions WHERE region = ? AND name = ?').get(region, name) as
      | RawFunctionRow
      | undefined;
    return row && toFunctionRow(row);
  }

  insertFunction(latest: FunctionVersionRecord): void {
    this.db
      .prepare('INSERT INTO registry_functions (region, name, last_version, created_at) VALUES (?, ?, 0, ?)')
      .run(latest.region, latest.functionName, latest.lastModified);
    this.putVersion(latest);
  }

  /** Names of the functions of a region, sorted, starting after `marker`. */
  listFunctionNames(region: string, after: string, limit: number): string[] {
    return (
      this.db
        .prepare('SELECT name FROM registry_functions WHERE region = ? AND name > ? ORDER BY name LIMIT ?')
        .all(region, after, limit) as { name: string }[]
    ).map((r) => r.name);
  }

  countFunctions(region: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM registry_functions WHERE region = ?').get(region) as { n: number }).n;
  }

  /** Sum of reserved concurrency over the region's functions, except `exceptName`. */
  sumReservedConcurrency(region: string, exceptName: string): number {
    const row = this.db
      .prepare('SELECT COALESCE(SUM(reserved_concurrency), 0) AS n FROM registry_functions WHERE region = ? AND name != ?')
      .get(region, exceptName) as { n: number };
    return row.n;
  }

  /** Sum of the code size of every version and layer version of the region (AWS's TotalCodeSize). */
  totalCodeSize(region: string): number {
    const fns = this.db.prepare('SELECT record FROM registry_function_versions WHERE region = ?').all(region) as { record: string }[];
    return fns.reduce((n, r) => n + (JSON.parse(r.record) as FunctionVersionRecord).codeSize, 0);
  }

  /** Whether any version of any function, in any region, has this code or a layer of this content. */
  refersToBlob(codeSha256: string): boolean {
    // The base64 digest is quoted in the JSON record exactly as written: a plain substring test finds it.
    return this.db.prepare('SELECT 1 FROM registry_function_versions WHERE instr(record, ?) > 0 LIMIT 1').get(`"${codeSha256}"`) !== undefined;
  }

  deleteFunction(region: string, name: string): void {
    this.db.prepare('DELETE FROM registry_functions WHERE region = ? AND name = ?').run(region, name);
  }

  /** Takes the next version number: one more than any ever published. */
  takeVersionNumber(region: string, name: string): number {
    this.db.prepare('UPDATE registry_functions SET last_version = last_version + 1 WHERE region = ? AND name = ?').run(region, name);
    return this.getFunction(region, name)?.lastVersion ?? 0;
  }

  setReservedConcurrency(region: string, name: string, value: number | undefined): void {
    this.db
      .prepare('UPDATE registry_functions SET reserved_concurrency = ? WHERE region = ? AND name = ?')
      .run(value ?? null, region, name);
  }

  getVersion(region: string, name: string, version: string): FunctionVersionRecord | undefined {
    const row = this.db
      .prepare('SELECT record FROM registry_function_versions WHERE region = ? AND name = ? AND version = ?')
      .get(region, name, version) as { record: string } | undefined;
    return row && (JSON.parse(row.record) as FunctionVersionRecord);
  }

  putVersion(record: FunctionVersionRecord): void {
    const number = record.version === LATEST ? 0 : Number(record.version);
    this.db
      .prepare(
        `INSERT INTO registry_function_versions (region, name, version, number, record) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (region, name, version) DO UPDATE SET record = excluded.record`,
      )
      .run(record.region, record.functionName, record.version, number, JSON.stringify(record));
  }

  /** `$LATEST` first, then published versions in ascending order. */
  listVersions(region: string, name: string): FunctionVersionRecord[] {
    return (
      this.db
        .prepare('SELECT record FROM registry_function_versions WHERE region = ? AND name = ? ORDER BY number')
        .all(region, name) as { record: string }[]
    ).map((r) => JSON.parse(r.record) as FunctionVersionRecord);
  }

  deleteVersion(region: string, name: string, version: string): void {
    this.db.prepare('DELETE FROM registry_function_versions WHERE region = ? AND name = ? AND version = ?').run(region, name, version);
  }

  getAlias(region: string, functionName: string, alias: string): AliasRecord | undefined {
    const row = this.db
      .prepare('SELECT record FROM registry_aliases WHERE region = ? AND function_name = ? AND name = ?')
      .get(region, functionName, alias) as { record: string } | undefined;
    return row && (JSON.parse(row.record) as AliasRecord);
  }

  putAlias(region: string, alias: AliasRecord): void {
    this.db
      .prepare(
        `INSERT INTO registry_aliases (region, function_name, name, record) VALUES (?, ?, ?, ?)
         ON CONFLICT (region, function_name, name) DO UPDATE SET record = excluded.record`,
      )
      .run(region, alias.functionName, alias.name, JSON.stringify(alias));
  }

  deleteAlias(region: string, functionName: string, alias: string): void {
    this.db.prepare('DELETE FROM registry_aliases WHERE region = ? AND function_name = ? AND name = ?').run(region, functionName, alias);
  }

  listAliases(region: string, functionName: string): AliasRecord[] {
    return (
      this.db
        .prepare('SELECT record FROM registry_aliases WHERE region = ? AND function_name = ? ORDER BY name')
        .all(region, functionName) as { record: string }[]
    ).map((r) => JSON.parse(r.record) as AliasRecord);
  }
}

function toFunctionRow(row: RawFunctionRow): FunctionRow {
  return {
    region: row.region,
    name: row.name,
    lastVersion: row.last_version,
    reservedConcurrency: row.reserved_concurrency ?? undefined,
  };
}
