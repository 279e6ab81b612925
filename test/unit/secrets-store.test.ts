// The local Parameter Store and Secrets Manager: versions, staging labels, names, limits, ARNs.
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/infra/sqlite.js';
import type { Db } from '../../src/infra/sqlite.js';
import { ParameterStore, SecretStore, checkParameterName, ephemeralCipher, checkSecretName, secretNameCandidates } from '../../src/secrets/index.js';

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function stores() {
  const db = openDatabase(':memory:');
  dbs.push(db);
  const cipher = ephemeralCipher();
  return { parameters: new ParameterStore(db, cipher), secrets: new SecretStore(db, cipher), db, cipher };
}

describe('ParameterStore', () => {
  it('numbers versions from 1 and reads the newest or any older one', () => {
    const { parameters } = stores();
    expect(parameters.putParameter('/my/app/db-host', 'one')).toBe(1);
    expect(parameters.putParameter('/my/app/db-host', 'two')).toBe(2);
    expect(parameters.getParameter('/my/app/db-host')).toMatchObject({ name: '/my/app/db-host', value: 'two', version: 2 });
    expect(parameters.getParameter('/my/app/db-host', 1)?.value).toBe('one');
    expect(parameters.getParameter('/my/app/db-host', 3)).toBeUndefined();
    expect(parameters.getParameter('/my/app/other')).toBeUndefined();
  });

  it('lists names and versions by name, and deletes every version', () => {
    const { parameters } = stores();
    parameters.putParameter('b', '1');
    parameters.putParameter('/a/x', '1');
    parameters.putParameter('/a/x', '2');
    expect(parameters.listParameters().map((p) => `${p.name} ${p.version}`)).toEqual(['/a/x 2', 'b 1']);
    expect(parameters.listParameters()[0]).not.toHaveProperty('value');
    expect(parameters.deleteParameter('/a/x')).toBe(true);
    expect(parameters.deleteParameter('/a/x')).toBe(false);
    expect(parameters.getParameter('/a/x', 1)).toBeUndefined();
    expect(parameters.putParameter('/a/x', 'again')).toBe(1);
  });

  it('the two stores share the migrations and survive a reopen of the same database', () => {
    const { db, parameters, cipher } = stores();
    parameters.putParameter('P', 'v');
    const again = new ParameterStore(db, cipher);
    new SecretStore(db, cipher);
    expect(again.getParameter('P')?.value).toBe('v');
  });

  it('refuses names and values SSM refuses, saying why', () => {
    const { parameters } = stores();
    expect(checkParameterName('/my/app/db-host')).toBeUndefined();
    expect(checkParameterName('DB_HOST.v-1')).toBeUndefined();
    expect(checkParameterName('a/b')).toBe("parameter name 'a/b' is a hierarchy, so it must begin with /");
    expect(checkParameterName('/a b')).toBe("parameter name '/a b' may hold only letters, digits and . - _ /");
    expect(checkParameterName('/a//b')).toBe("parameter name '/a//b' has an empty level");
    expect(checkParameterName('/aws/x')).toBe("parameter name '/aws/x' cannot begin with aws or ssm (reserved by AWS)");
    expect(checkParameterName('SSMthing')).toBe("parameter name 'SSMthing' cannot begin with aws or ssm (reserved by AWS)");
    expect(checkParameterName(`/${'a/'.repeat(15)}b`)).toBe(`parameter name '/${'a/'.repeat(15)}b' has 16 levels; at most 15`);
    expect(() => parameters.putParameter('a/b', 'x')).toThrow("parameter name 'a/b' is a hierarchy, so it must begin with /");
    expect(() => parameters.putParameter('/a', '')).toThrow('parameter /a: the value cannot be empty');
    expect(() => parameters.putParameter('/a', 'x'.repeat(8193))).toThrow('parameter /a: the value is 8193 characters; at most 8192');
  });
});

describe('SecretStore', () => {
  it('moves AWSCURRENT to the newest version and AWSPREVIOUS to the one before', () => {
    const { secrets } = stores();
    const v1 = secrets.putSecretValue('prod/db', 'one');
    expect(v1.created).toBe(true);
    const v2 = secrets.putSecretValue('prod/db', 'two');
    expect(v2.created).toBe(false);
    const v3 = secrets.putSecretValue('prod/db', 'three');
    expect(secrets.getSecretValue('prod/db')).toMatchObject({ secretString: 'three', versionId: v3.versionId, stages: ['AWSCURRENT'] });
    expect(secrets.getSecretValue('prod/db', { versionStage: 'AWSPREVIOUS' })).toMatchObject({ secretString: 'two', versionId: v2.versionId });
    expect(secrets.getSecretValue('prod/db', { versionId: v1.versionId })).toMatchObject({ secretString: 'one', stages: [] });
    expect(secrets.getSecretValue('prod/db', { versionStage: 'AWSPENDING' })).toBeUndefined();
    expect(secrets.getSecretValue('prod/db', { versionId: 'nope' })).toBeUndefined();
    const [listed] = secrets.listSecrets();
    expect(listed?.versions.map((v) => [v.versionId, v.stages])).toEqual([
      [v3.versionId, ['AWSCURRENT']],
      [v2.versionId, ['AWSPREVIOUS']],
      [v1.versionId, []],
    ]);
    expect(JSON.stringify(secrets.listSecrets())).not.toContain('three');
  });

  it('finds a secret by name or by ARN, with or without the six-character suffix', () => {
    const { secrets } = stores();
    secrets.putSecretValue('prod/db', 'x');
    expect(secrets.findSecretName('prod/db')).toBe('prod/db');
    expect(secrets.findSecretName('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf')).toBe('prod/db');
    expect(secrets.findSecretName('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db')).toBe('prod/db');
    expect(secrets.findSecretName('prod/other')).toBeUndefined();
    expect(secrets.findSecretName('arn:aws:ssm:eu-west-1:123456789012:parameter/x')).toBeUndefined();
    expect(secretNameCandidates('arn:aws:secretsmanager:r:1:secret:a-b-123456')).toEqual(['a-b-123456', 'a-b']);
  });

  it('deletes a secret with its versions and labels', () => {
    const { secrets } = stores();
    secrets.putSecretValue('s', 'a');
    secrets.putSecretValue('s', 'b');
    expect(secrets.deleteSecret('s')).toBe(true);
    expect(secrets.deleteSecret('s')).toBe(false);
    expect(secrets.listSecrets()).toEqual([]);
    const again = secrets.putSecretValue('s', 'c');
    expect(again.created).toBe(true);
    expect(secrets.getSecretValue('s', { versionStage: 'AWSPREVIOUS' })).toBeUndefined();
  });

  it('refuses names and values Secrets Manager refuses', () => {
    const { secrets } = stores();
    expect(checkSecretName('prod/db+x=y.z@w-1_2')).toBeUndefined();
    expect(checkSecretName('a:b')).toBe("secret name 'a:b' may hold only letters, digits and / _ + = . @ -");
    expect(() => secrets.putSecretValue('', 'x')).toThrow('a secret name cannot be empty');
    expect(() => secrets.putSecretValue('s', '')).toThrow('secret s: the secret string cannot be empty');
    expect(() => secrets.putSecretValue('s', 'x'.repeat(65537))).toThrow('secret s: the secret string is 65537 bytes; at most 65536');
  });
});
