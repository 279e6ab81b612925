// The local SSM Parameter Store: name -> value, every put a new version, kept in the state store with every value
// sealed (AES-256-GCM), as SSM keeps a SecureString.
import { PipeError } from '../core/index.js';
import { migrate } from '../infra/index.js';
import type { Db } from '../infra/index.js';
import type { SecretCipher } from './cipher.js';
import { SECRETS_MIGRATIONS } from './migrations.js';
import { sealClearRows } from './sealed-rows.js';

/** SSM's limits: 1011 characters of name, 15 levels, 8 KB of value (the advanced tier). */
export const PARAMETER_NAME_MAX = 1011;
export const PARAMETER_LEVELS_MAX = 15;
export const PARAMETER_VALUE_MAX = 8192;

/** SSM's parameter types. Every value is sealed at rest whatever its type; the type says how the API answers it. */
export const PARAMETER_TYPES = ['String', 'StringList', 'SecureString'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export function isParameterType(v: unknown): v is ParameterType {
  return typeof v === 'string' && (PARAMETER_TYPES as readonly string[]).includes(v);
}

export interface ParameterSummary {
  name: string;
  version: number;
  lastModifiedDate: string;
  type: ParameterType;
  description: string;
}

export interface PutParameterOptions {
  /** Kept from the version before when not given; String for a new parameter. */
  type?: ParameterType;
  description?: string;
}

export interface Parameter extends ParameterSummary {
  value: string;
}

/** Why a parameter name is not one SSM would accept, or undefined when it is. */
export function checkParameterName(name: string): string | undefined {
  if (name === '') return 'a parameter name cannot be empty';
  if (name.length > PARAMETER_NAME_MAX) return `parameter name is ${name.length} characters; at most ${PARAMETER_NAME_MAX}`;
  if (!/^[A-Za-z0-9_.\-/]+$/.test(name)) return `parameter name '${name}' may hold only letters, digits and . - _ /`;
  if (name.includes('/') && !name.startsWith('/')) return `parameter name '${name}' is a hierarchy, so it must begin with /`;
  if (name.endsWith('/') || name.includes('//')) return `parameter name '${name}' has an empty level`;
  const levels = name.split('/').length - 1;
  if (levels > PARAMETER_LEVELS_MAX) return `parameter name '${name}' has ${levels} levels; at most ${PARAMETER_LEVELS_MAX}`;
  if (/^\/?(aws|ssm)/i.test(name)) return `parameter name '${name}' cannot begin with aws or ssm (reserved by AWS)`;
  return undefined;
}

function validName(name: string): string {
  const problem = checkParameterName(name);
  if (problem) throw new PipeError('INVALID_ARGUMENT', problem, { hint: 'e.g. /my-app/db-host or DB_HOST' });
  return name;
}

type Row = { name: string; version: number; last_modified: string; type: ParameterType; description: string; value?: string };

/** What a parameter's sealed value is bound to: it opens only in its own row. */
function sealContext(name: string, version: number | string): string {
  return `parameter ${name} version ${version}`;
}

function summaryOf(r: Row): ParameterSummary {
  return { name: r.name, version: r.version, lastModifiedDate: r.last_modified, type: r.type, description: r.description };
}

export class ParameterStore {
  constructor(
    private readonly db: Db,
    private readonly cipher: SecretCipher,
  ) {
    migrate(db, 'secrets', SECRETS_MIGRATIONS);
    sealClearRows(db, cipher, { table: 'parameter_versions', value: 'value', key: ['name', 'version'], context: sealContext });
  }

  /** Sets a parameter (creating it or adding a version); returns its new version number. */
  putParameter(name: string, value: string, options: PutParameterOptions = {}): number {
    validName(name);
    if (value === '') throw new PipeError('INVALID_ARGUMENT', `parameter ${name}: the value cannot be empty`);
    if (value.length > PARAMETER_VALUE_MAX) {
      throw new PipeError('INVALID_ARGUMENT', `parameter ${name}: the value is ${value.length} characters; at most ${PARAMETER_VALUE_MAX}`);
    }
    const now = new Date().toISOString();
    return this.db.transaction(() => {
      const current = this.db.prepare('SELECT version, type, description FROM parameters WHERE name = ?').get(name) as Row | undefined;
      const version = (current?.version ?? 0) + 1;
      const type = options.type ?? current?.type ?? 'String';
      const description = options.description ?? current?.description ?? '';
      if (current) this.db.prepare('UPDATE parameters SET version = ?, last_modified = ?, type = ?, description = ? WHERE name = ?').run(version, now, type, description, name);
      else this.db.prepare('INSERT INTO parameters (name, version, last_modified, type, description) VALUES (?, ?, ?, ?, ?)').run(name, version, now, type, description);
      this.db
        .prepare('INSERT INTO parameter_versions (name, version, value, last_modified, sealed) VALUES (?, ?, ?, ?, 1)')
        .run(name, version, this.cipher.seal(value, sealContext(name, version)), now);
      return version;
    }).immediate();
  }

  /** The newest version, or the one asked for; undefined when there is no such parameter or version. */
  getParameter(name: string, version?: number): Parameter | undefined {
    const row = this.db
      .prepare(
        `SELECT v.name, v.version, v.value, v.last_modified, p.type, p.description FROM parameter_versions v JOIN parameters p ON p.name = v.name
         WHERE v.name = ? AND v.version = ${version === undefined ? 'p.version' : '?'}`,
      )
      .get(...(version === undefined ? [name] : [name, version])) as (Row & { value: string }) | undefined;
    if (!row) return undefined;
    return { ...summaryOf(row), value: this.cipher.open(row.value, sealContext(row.name, row.version)), version: row.version, lastModifiedDate: row.last_modified };
  }

  /** A version's value as it is stored, sealed: what GetParameter answers for a SecureString read without decryption. */
  getSealedValue(name: string, version: number): string | undefined {
    const row = this.db.prepare('SELECT value FROM parameter_versions WHERE name = ? AND version = ?').get(name, version) as { value: string } | undefined;
    return row?.value;
  }

  /** Every parameter's name and newest version, by name; values are not listed. */
  listParameters(): ParameterSummary[] {
    const rows = this.db.prepare('SELECT name, version, last_modified, type, description FROM parameters ORDER BY name').all() as Row[];
    return rows.map(summaryOf);
  }

  /** Deletes a parameter and all its versions; false when there was none. */
  deleteParameter(name: string): boolean {
    return this.db.prepare('DELETE FROM parameters WHERE name = ?').run(name).changes > 0;
  }
}
