// The local Secrets Manager: secret name -> versions of a secret string, with AWSCURRENT on the newest and
// AWSPREVIOUS on the one before, as PutSecretValue leaves them. Kept in the state store, every secret string sealed
// (AES-256-GCM) with the key in PIPE_HOME.
import { randomUUID } from 'node:crypto';
import { PipeError } from '../core/index.js';
import { migrate } from '../infra/index.js';
import type { Db } from '../infra/index.js';
import type { SecretCipher } from './cipher.js';
import { SECRETS_MIGRATIONS } from './migrations.js';
import { sealClearRows } from './sealed-rows.js';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';
/** Secrets Manager's limits: 512 characters of name, 64 KB of secret string. */
export const SECRET_NAME_MAX = 512;
export const SECRET_VALUE_MAX = 65536;

export interface SecretVersionSummary {
  versionId: string;
  stages: string[];
  createdDate: string;
}

export interface SecretSummary {
  name: string;
  description: string;
  createdDate: string;
  lastChangedDate: string;
  /** Newest first. */
  versions: SecretVersionSummary[];
}

export interface SecretValue {
  name: string;
  versionId: string;
  stages: string[];
  secretString: string;
  createdDate: string;
}

/** Which version to read: a staging label, or a version id; neither means AWSCURRENT. */
export interface SecretVersionSelector {
  versionStage?: string;
  versionId?: string;
}

/** Why a secret name is not one Secrets Manager would accept, or undefined when it is. */
export function checkSecretName(name: string): string | undefined {
  if (name === '') return 'a secret name cannot be empty';
  if (name.length > SECRET_NAME_MAX) return `secret name is ${name.length} characters; at most ${SECRET_NAME_MAX}`;
  if (!/^[A-Za-z0-9/_+=.@-]+$/.test(name)) return `secret name '${name}' may hold only letters, digits and / _ + = . @ -`;
  return undefined;
}

/**
 * The secret name a secret id stands for. A name is itself; an ARN
 * (`arn:aws:secretsmanager:region:account:secret:name-AbCdEf`) stands for its name, found with or without the
 * six-character suffix Secrets Manager adds. Region and account are not checked: there is one local store.
 */
export function secretNameCandidates(secretId: string): string[] {
  if (!secretId.startsWith('arn:')) return [secretId];
  const at = secretId.indexOf(':secret:');
  if (at < 0) return [];
  const name = secretId.slice(at + ':secret:'.length);
  const suffixed = /^(.+)-[A-Za-z0-9]{6}$/.exec(name);
  return suffixed?.[1] ? [name, suffixed[1]] : [name];
}

type VersionRow = { name: string; version_id: string; secret_string: string; created: string };

/** What a secret string's sealed value is bound to: it opens only in its own row. */
function sealContext(name: string, versionId: string): string {
  return `secret ${name} version ${versionId}`;
}

export class SecretStore {
  constructor(
    private readonly db: Db,
    private readonly cipher: SecretCipher,
  ) {
    migrate(db, 'secrets', SECRETS_MIGRATIONS);
    sealClearRows(db, cipher, { table: 'secret_versions', value: 'secret_string', key: ['name', 'version_id'], context: sealContext });
  }

  /**
   * Stores a new version of a secret (creating the secret if need be): it takes AWSCURRENT, the version that had
   * AWSCURRENT takes AWSPREVIOUS, and the one that had AWSPREVIOUS is left without a label.
   */
  putSecretValue(name: string, secretString: string, options: { versionId?: string; description?: string } = {}): { name: string; versionId: string; created: boolean } {
    const problem = checkSecretName(name);
    if (problem) throw new PipeError('INVALID_ARGUMENT', problem, { hint: 'e.g. prod/db or github-token' });
    if (secretString === '') throw new PipeError('INVALID_ARGUMENT', `secret ${name}: the secret string cannot be empty`);
    if (Buffer.byteLength(secretString) > SECRET_VALUE_MAX) {
      throw new PipeError('INVALID_ARGUMENT', `secret ${name}: the secret string is ${Buffer.byteLength(secretString)} bytes; at most ${SECRET_VALUE_MAX}`);
    }
    const versionId = options.versionId ?? randomUUID();
    const now = new Date().toISOString();
    return this.db.transaction(() => {
      const exists = this.db.prepare('SELECT 1 FROM secrets WHERE name = ?').get(name) !== undefined;
      if (exists) this.db.prepare('UPDATE secrets SET last_changed = ? WHERE name = ?').run(now, name);
      else this.db.prepare('INSERT INTO secrets (name, created, last_changed, description) VALUES (?, ?, ?, ?)').run(name, now, now, options.description ?? '');
      const seq = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM secret_versions WHERE name = ?').get(name) as { n: number }).n + 1;
      this.db
        .prepare('INSERT INTO secret_versions (name, version_id, secret_string, created, seq, sealed) VALUES (?, ?, ?, ?, ?, 1)')
        .run(name, versionId, this.cipher.seal(secretString, sealContext(name, versionId)), now, seq);
      const current = this.stageHolder(name, AWSCURRENT);
      this.db.prepare('DELETE FROM secret_version_stages WHERE name = ? AND stage IN (?, ?)').run(name, AWSCURRENT, AWSPREVIOUS);
      const label = this.db.prepare('INSERT INTO secret_version_stages (name, stage, version_id) VALUES (?, ?, ?)');
      if (current) label.run(name, AWSPREVIOUS, current);
      label.run(name, AWSCURRENT, versionId);
      return { name, versionId, created: !exists };
    }).immediate();
  }

  /** A secret with no version yet (CreateSecret without a value); false when one of that name exists. */
  createEmptySecret(name: string, description = ''): boolean {
    const problem = checkSecretName(name);
    if (problem) throw new PipeError('INVALID_ARGUMENT', problem, { hint: 'e.g. prod/db or github-token' });
    const now = new Date().toISOString();
    return this.db.prepare('INSERT OR IGNORE INTO secrets (name, created, last_changed, description) VALUES (?, ?, ?, ?)').run(name, now, now, description).changes > 0;
  }

  /** The stored name a secret id (name or ARN) stands for, or undefined when there is no such secret. */
  findSecretName(secretId: string): string | undefined {
    const has = this.db.prepare('SELECT 1 FROM secrets WHERE name = ?');
    return secretNameCandidates(secretId).find((n) => has.get(n) !== undefined);
  }

  /** One version of a secret by stage or id (AWSCURRENT by default); undefined when there is none such. */
  getSecretValue(name: string, selector: SecretVersionSelector = {}): SecretValue | undefined {
    const versionId = selector.versionId ?? this.stageHolder(name, selector.versionStage ?? AWSCURRENT);
    if (versionId === undefined) return undefined;
    const row = this.db
      .prepare('SELECT name, version_id, secret_string, created FROM secret_versions WHERE name = ? AND version_id = ?')
      .get(name, versionId) as VersionRow | undefined;
    if (!row) return undefined;
    return { name: row.name, versionId: row.version_id, stages: this.stagesOf(name, row.version_id), secretString: this.cipher.open(row.secret_string, sealContext(row.name, row.version_id)), createdDate: row.created };
  }

  /** Every secret with its versions and their stages, by name; secret strings are never listed. */
  listSecrets(): SecretSummary[] {
    const secrets = this.db.prepare('SELECT name, created, last_changed, description FROM secrets ORDER BY name').all() as Array<{ name: string; created: string; last_changed: string; description: string }>;
    const versions = this.db.prepare('SELECT version_id, created FROM secret_versions WHERE name = ? ORDER BY seq DESC');
    return secrets.map((s) => ({
      name: s.name,
      description: s.description,
      createdDate: s.created,
      lastChangedDate: s.last_changed,
      versions: (versions.all(s.name) as Array<{ version_id: string; created: string }>).map((v) => ({
        versionId: v.version_id,
        stages: this.stagesOf(s.name, v.version_id),
        createdDate: v.created,
      })),
    }));
  }

  /** Deletes a secret and all its versions at once (no recovery window locally); false when there was none. */
  deleteSecret(name: string): boolean {
    return this.db.prepare('DELETE FROM secrets WHERE name = ?').run(name).changes > 0;
  }

  private stageHolder(name: string, stage: string): string | undefined {
    const row = this.db.prepare('SELECT version_id FROM secret_version_stages WHERE name = ? AND stage = ?').get(name, stage) as { version_id: string } | undefined;
    return row?.version_id;
  }

  private stagesOf(name: string, versionId: string): string[] {
    const rows = this.db.prepare('SELECT stage FROM secret_version_stages WHERE name = ? AND version_id = ? ORDER BY stage').all(name, versionId) as Array<{ stage: string }>;
    return rows.map((r) => r.stage);
  }
}
