// Resolution of parameter-store / secrets-manager references and the action's typed variables, with the exact
// failure messages; and the masker.
import { afterEach, describe, expect, it } from 'vitest';
import type { EnvironmentVariable } from '../../src/core/index.js';
import { openDatabase } from '../../src/infra/sqlite.js';
import type { Db } from '../../src/infra/sqlite.js';
import { SecretMasker, ephemeralCipher, openLocalSecrets, resolveBuildSecrets } from '../../src/secrets/index.js';
import { parseBuildspec } from '../../src/parse/index.js';

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function fixture() {
  const db = openDatabase(':memory:');
  dbs.push(db);
  const local = openLocalSecrets(db, ephemeralCipher());
  local.parameters.putParameter('/app/db-host', 'db-old.internal');
  local.parameters.putParameter('/app/db-host', 'db.internal');
  const v1 = local.secrets.putSecretValue('prod/db', '{"username":"admin","password":"s3cr3t-one","port":5432,"tags":{"a":1}}');
  const v2 = local.secrets.putSecretValue('prod/db', '{"username":"admin","password":"s3cr3t-two"}');
  local.secrets.putSecretValue('token', 'plain-token-value');
  return { local, v1, v2 };
}

function env(yaml: string) {
  return parseBuildspec(`version: 0.2\nenv:\n${yaml}\nphases:\n  build:\n    commands: ["true"]\n`, 'buildspec.yml').env;
}

const none: EnvironmentVariable[] = [];

describe('resolveBuildSecrets', () => {
  it('resolves parameter-store names and every secrets-manager reference form', () => {
    const { local, v1 } = fixture();
    const r = resolveBuildSecrets(
      env(`  parameter-store:
    DB_HOST: /app/db-host
    OLD_HOST: /app/db-host:1
  secrets-manager:
    WHOLE: token
    PASSWORD: prod/db:password
    PORT: prod/db:port:AWSPREVIOUS
    TAGS: prod/db:tags:AWSPREVIOUS
    PREVIOUS: prod/db:password:AWSPREVIOUS
    BY_ID: prod/db:password::${v1.versionId}
    BY_ARN: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf:username`),
      none,
      local,
    );
    expect(r).toEqual({
      ok: true,
      buildspecSecrets: {
        DB_HOST: 'db.internal',
        OLD_HOST: 'db-old.internal',
        WHOLE: 'plain-token-value',
        PASSWORD: 's3cr3t-two',
        PORT: '5432',
        TAGS: '{"a":1}',
        PREVIOUS: 's3cr3t-one',
        BY_ID: 's3cr3t-one',
        BY_ARN: 'admin',
      },
      actionEnvironment: {},
      maskedValues: ['db.internal', 'db-old.internal', 'plain-token-value', 's3cr3t-two', '5432', '{"a":1}', 's3cr3t-one', 's3cr3t-one', 'admin'],
    });
  });

  it("resolves the action's PLAINTEXT, PARAMETER_STORE and SECRETS_MANAGER variables", () => {
    const { local } = fixture();
    const r = resolveBuildSecrets(
      env('  variables:\n    X: "1"'),
      [
        { name: 'STAGE', value: 'dev', type: 'PLAINTEXT' },
        { name: 'DB_HOST', value: '/app/db-host', type: 'PARAMETER_STORE' },
        { name: 'DB_PASSWORD', value: 'prod/db:password', type: 'SECRETS_MANAGER' },
      ],
      local,
    );
    expect(r).toEqual({
      ok: true,
      buildspecSecrets: {},
      actionEnvironment: { STAGE: 'dev', DB_HOST: 'db.internal', DB_PASSWORD: 's3cr3t-two' },
      maskedValues: ['db.internal', 's3cr3t-two'],
    });
  });

  it('names the variable and the reference of every one that does not resolve', () => {
    const { local } = fixture();
    const r = resolveBuildSecrets(
      env(`  parameter-store:
    A: /x/y
    B: /app/db-host:9
  secrets-manager:
    C: nope
    D: prod/db:missing
    E: token:key
    F: prod/db::AWSPENDING
    G: prod/db:::0000`),
      [
        { name: 'H', value: '/act/param', type: 'PARAMETER_STORE' },
        { name: 'I', value: 'arn:aws:secretsmanager:us-east-1:1:secret:gone-AbCdEf', type: 'SECRETS_MANAGER' },
        { name: 'J', value: 'a:b:c:d', type: 'SECRETS_MANAGER' },
      ],
      local,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.statusCode).toBe('Decrypted Variables Error');
    expect(r.failure.message).toBe([
      'parameter does not exist: /x/y (variable A, env.parameter-store: /x/y)',
      'parameter does not exist: /app/db-host:9 (variable B, env.parameter-store: /app/db-host:9)',
      "ResourceNotFoundException: Secrets Manager can't find the specified secret. (variable C, env.secrets-manager: nope)",
      "json key 'missing' not found in secret prod/db (variable D, env.secrets-manager: prod/db:missing)",
      "secret token is not a JSON object, so json key 'key' cannot be read (variable E, env.secrets-manager: token:key)",
      "ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSPENDING (variable F, env.secrets-manager: prod/db::AWSPENDING)",
      "ResourceNotFoundException: Secrets Manager can't find the specified secret value for VersionId: 0000 (variable G, env.secrets-manager: prod/db:::0000)",
      "parameter does not exist: /act/param (variable H, the action's PARAMETER_STORE environment variable: /act/param)",
      "ResourceNotFoundException: Secrets Manager can't find the specified secret. (variable I, the action's SECRETS_MANAGER environment variable: arn:aws:secretsmanager:us-east-1:1:secret:gone-AbCdEf)",
      "'a:b:c:d' names both a version stage and a version id; give one of them (variable J, the action's SECRETS_MANAGER environment variable: a:b:c:d)",
    ].join('; '));
  });

  it("refuses to export the action's PARAMETER_STORE and SECRETS_MANAGER variables, before resolving anything", () => {
    const { local } = fixture();
    const r = resolveBuildSecrets(
      env('  exported-variables: [TOKEN, HOST, STAGE]'),
      [
        { name: 'TOKEN', value: 'token', type: 'SECRETS_MANAGER' },
        { name: 'HOST', value: '/nope', type: 'PARAMETER_STORE' },
        { name: 'STAGE', value: 'dev', type: 'PLAINTEXT' },
      ],
      local,
    );
    expect(r).toEqual({
      ok: false,
      failure: {
        statusCode: 'CLIENT_ERROR',
        message:
          "exported-variables: 'TOKEN' cannot be exported: it holds the action's SECRETS_MANAGER environment variable (token); " +
          "exported-variables: 'HOST' cannot be exported: it holds the action's PARAMETER_STORE environment variable (/nope)",
      },
    });
  });

  it('the buildspec parser refuses exporting its own secrets and AWS_ names', () => {
    expect(() => env('  parameter-store:\n    P: /x\n  exported-variables: [P, AWS_REGION]')).toThrow(/2 problems found/);
  });
});

describe('SecretMasker', () => {
  it('masks every occurrence, the longest value first, and leaves other text alone', () => {
    const m = new SecretMasker();
    expect(m.mask('nothing yet')).toBe('nothing yet');
    m.add(['abc', 'abcdef', '']);
    expect(m.mask('x abcdef y abc z abcabc')).toBe('x *** y *** z ******');
    expect(m.size).toBe(2);
  });

  it('treats values literally, not as patterns', () => {
    const m = new SecretMasker();
    m.add(['a.b*c(d)$1']);
    expect(m.mask('a.b*c(d)$1 axbbc')).toBe('*** axbbc');
  });

  it('masks each longer line of a multi-line secret, since logs arrive line by line', () => {
    const m = new SecretMasker();
    m.add(['-----BEGIN KEY-----\nMIIEvQIBADANBg\n{\n-----END KEY-----\n']);
    expect(m.mask('MIIEvQIBADANBg')).toBe('***');
    expect(m.mask('{')).toBe('{');
    expect(m.mask('echo -----END KEY-----')).toBe('echo ***');
  });

  it('masks the text of events, not their structure', () => {
    const m = new SecretMasker();
    m.add(['hunter2']);
    const base = { executionId: 'e', time: 't', stage: 'Build', action: 'Build' } as const;
    expect(m.maskEvent({ ...base, type: 'log', stream: 'stdout', line: 'pw=hunter2' })).toEqual({ ...base, type: 'log', stream: 'stdout', line: 'pw=***' });
    expect(m.maskEvent({ ...base, type: 'warning', message: 'hunter2!' }).message).toBe('***!');
    expect(m.maskEvent({ ...base, type: 'phase', phase: 'BUILD', status: 'FAILED', message: 'echo hunter2' }).message).toBe('echo ***');
    expect(m.maskEvent({ ...base, type: 'variables', variables: { A: 'hunter2', B: 'b' } }).variables).toEqual({ A: '***', B: 'b' });
    const action = m.maskEvent({ ...base, type: 'action', status: 'Failed', message: 'failed: hunter2', details: { outputVariables: { X: 'hunter2' }, runOrder: 1 } });
    expect(action).toEqual({ ...base, type: 'action', status: 'Failed', message: 'failed: ***', details: { outputVariables: { X: '***' }, runOrder: 1 } });
    expect(m.maskEvent({ executionId: 'e', time: 't', type: 'execution', pipeline: 'p', status: 'Failed', message: 'x hunter2' }).message).toBe('x ***');
  });
});
