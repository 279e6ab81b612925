// Secrets and parameters end to end: the real `pipe` binary stores them, real builds in Docker receive them,
// and every log line, stored log and event shows them as ***.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { makePipeEnv, pipe } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { makeRepo } from '../support/git-fixture.js';
import { readZip } from '../support/zip-read.js';

const PEM = '-----BEGIN TEST KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END TEST KEY-----\n';
/** Every value stored below: none may appear in any log, event or stored log. */
const SECRET_VALUES = ['db.internal', 'key-XYZ-321', 'tok-ABC-789', 'pw-current-456', 'pw-old-123', 'admin-user', 'MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu'];

let env: PipeEnv;

async function ok(args: string[]): Promise<string> {
  const r = await pipe(args, env);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

function pipeline(actions: string): string {
  return `name: secrets
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration: { repository: . }
        outputArtifacts: [Src]
  - name: Build
    actions:
${actions}`;
}

function buildAction(name: string, buildspec: string, variables: string, outputs = ''): string {
  return `      - name: ${name}
        type: Build/CodeBuild
        configuration:
          buildspec: ${buildspec}
          image: pipe/standard:1
          environmentVariables:
${variables}
        inputArtifacts: [Src]
${outputs ? `        outputArtifacts: [${outputs}]\n` : ''}`;
}

function expectNoSecrets(text: string): void {
  for (const v of SECRET_VALUES) expect(text, `leaked ${v}`).not.toContain(v);
}

describeDocker('secrets and parameters in builds', () => {
  beforeAll(async () => {
    env = makePipeEnv();
    await ok(['parameters', 'set', '/app/db-host', 'db.internal']);
    await ok(['parameters', 'set', '/app/api-key', 'key-XYZ-321']);
    await ok(['secrets', 'set', 'token', 'tok-ABC-789']);
    await ok(['secrets', 'set', 'prod/db', '{"password":"pw-old-123"}']);
    await ok(['secrets', 'set', 'prod/db', '{"password":"pw-current-456","user":"admin-user"}']);
    const pemFile = join(env.home, '..', 'key.pem');
    writeFileSync(pemFile, PEM);
    await ok(['secrets', 'set', 'signing-key', '--from-file', pemFile]);
  });

  it('delivers parameter-store, secrets-manager (whole, json-key, stage, ARN) and action values, masked everywhere', async () => {
    const repo = makeRepo({
      'buildspec.yml': `version: 0.2
env:
  variables:
    OVERRIDDEN: from-buildspec-variables
  parameter-store:
    DB_HOST: /app/db-host
    SHADOWED: /app/db-host
  secrets-manager:
    WHOLE: token
    PASSWORD: prod/db:password
    OLD_PASSWORD: prod/db:password:AWSPREVIOUS
    DB_USER: arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf:user
    PEM: signing-key
phases:
  build:
    commands:
      - printf '%s\\n' "$DB_HOST" "$WHOLE" "$PASSWORD" "$OLD_PASSWORD" "$DB_USER" "$API_KEY" "$ACTION_PW" "$SHADOWED" "$OVERRIDDEN" > values.txt
      - printf '%s' "$PEM" > pem.txt
      - echo "echoed $PASSWORD and $WHOLE for $DB_USER at $DB_HOST"
      - echo "$PEM"
      - echo "api $API_KEY old $OLD_PASSWORD action $ACTION_PW" >&2
artifacts:
  files: [values.txt, pem.txt]
`,
    });
    const variables = `            - { name: API_KEY, type: PARAMETER_STORE, value: /app/api-key }
            - { name: ACTION_PW, type: SECRETS_MANAGER, value: "prod/db:password:AWSPREVIOUS" }
            - { name: SHADOWED, type: PLAINTEXT, value: action-wins }`;
    writeFileSync(join(repo, 'pipeline.yml'), pipeline(buildAction('Build', 'buildspec.yml', variables, 'Out')));
    const run = await pipe(['run', join(repo, 'pipeline.yml'), '--json'], env);
    expect(run.exitCode).toBe(0);
    expectNoSecrets(run.stdout + run.stderr);
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; line?: string; executionId: string });
    const lines = events.filter((e) => e.type === 'log').map((e) => e.line);
    expect(lines).toContain('echoed *** and *** for *** at ***');
    expect(lines).toContain('api *** old *** action ***');
    const pemAt = lines.findIndex((l) => l?.endsWith('Running command echo "$PEM"'));
    expect(lines.slice(pemAt + 1, pemAt + 5)).toEqual(['***', '***', '***', '']);

    const executionId = String(events[0]?.executionId);
    const zip = await readZip(join(env.artifacts, 'secrets', executionId, 'Out.zip'));
    expect(zip['values.txt']?.split('\n')).toEqual([
      'db.internal', 'tok-ABC-789', 'pw-current-456', 'pw-old-123', 'admin-user', 'key-XYZ-321', 'pw-old-123', 'action-wins', 'from-buildspec-variables', '',
    ]);
    expect(zip['pem.txt']).toBe(PEM);

    const logs = await ok(['logs', executionId, 'Build.Build']);
    expectNoSecrets(logs);
    expect(logs).toContain('echoed *** and *** for *** at ***');
    const logsJson = await ok(['logs', executionId, '--json']);
    expectNoSecrets(logsJson);
    expect(logsJson).toContain('"line":"echoed *** and *** for *** at ***"');
    const detail = JSON.parse(await ok(['execution', executionId, '--json'])) as { actions: Array<{ action: string; logPath?: string }> };
    const stored = readFileSync(String(detail.actions.find((a) => a.action === 'Build')?.logPath), 'utf8');
    expectNoSecrets(stored);
    expect(stored).toContain('echoed *** and *** for *** at ***\n');
    expectNoSecrets(JSON.stringify(detail));

    const listed = await ok(['secrets', 'ls', '--json']);
    expectNoSecrets(listed);
  });

  it("a batch task's own buildspec gets its own parameter-store and secrets-manager values, masked", async () => {
    const repo = makeRepo({
      'buildspec.yml': `version: 0.2
batch:
  build-list:
    - identifier: child
      buildspec: child.yml
`,
      'child.yml': `version: 0.2
env:
  parameter-store:
    DB_HOST: /app/db-host
  secrets-manager:
    PASSWORD: prod/db:password
phases:
  build:
    commands:
      - printf '%s\\n' "$DB_HOST" "$PASSWORD" > child.txt
      - echo "child sees $PASSWORD at $DB_HOST"
artifacts:
  files: [child.txt]
`,
    });
    writeFileSync(
      join(repo, 'pipeline.yml'),
      pipeline(buildAction('Batch', 'buildspec.yml', '            - { name: PLAIN, type: PLAINTEXT, value: x }', 'child').replace(
        '          image: pipe/standard:1\n',
        '          image: pipe/standard:1\n          batchEnabled: "true"\n',
      )),
    );
    const run = await pipe(['run', join(repo, 'pipeline.yml'), '--json'], env);
    expect(run.exitCode).toBe(0);
    expectNoSecrets(run.stdout + run.stderr);
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; line?: string; executionId: string });
    expect(events.filter((e) => e.type === 'log').map((e) => e.line)).toContain('[child] child sees *** at ***');
    const executionId = String(events[0]?.executionId);
    const zip = await readZip(join(env.artifacts, 'secrets', executionId, 'child.zip'));
    expect(zip['child.txt']).toBe('db.internal\npw-current-456\n');
    const logs = await ok(['logs', executionId, 'Build.Batch']);
    expectNoSecrets(logs);
    expect(logs).toContain('[child] child sees *** at ***');
  });

  it('a reference that does not resolve fails the build in DOWNLOAD_SOURCE, naming it, before any command runs', async () => {
    const repo = makeRepo({
      'missing-param.yml': 'version: 0.2\nenv:\n  parameter-store:\n    MISSING: /does/not/exist\nphases:\n  install:\n    commands:\n      - echo should-not-run\n',
      'plain.yml': 'version: 0.2\nphases:\n  install:\n    commands:\n      - echo should-not-run-either\n',
    });
    const actions =
      buildAction('Param', 'missing-param.yml', '            - { name: X, type: PLAINTEXT, value: x }') +
      buildAction('Secret', 'plain.yml', '            - { name: DB_PASSWORD, type: SECRETS_MANAGER, value: "prod/db:nokey" }\n            - { name: TOKEN, type: SECRETS_MANAGER, value: gone }');
    writeFileSync(join(repo, 'pipeline.yml'), pipeline(actions));
    const run = await pipe(['run', join(repo, 'pipeline.yml')], env);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).not.toContain('should-not-run');
    expect(run.stdout).toContain(
      '- Build FAILED: parameter does not exist: /does/not/exist (variable MISSING, env.parameter-store: /does/not/exist)',
    );
    expect(run.stdout).toContain(
      "- Build FAILED: json key 'nokey' not found in secret prod/db (variable DB_PASSWORD, the action's SECRETS_MANAGER environment variable: prod/db:nokey); " +
        "ResourceNotFoundException: Secrets Manager can't find the specified secret. (variable TOKEN, the action's SECRETS_MANAGER environment variable: gone)",
    );
    const id = /Execution ([0-9a-f-]{36}) of/.exec(run.stdout)?.[1] ?? '';
    const logs = await ok(['logs', id, 'Build.Param']);
    expect(logs).not.toContain('should-not-run');
    expect(logs).toMatch(/Phase context status code: Decrypted Variables Error Message: parameter does not exist: \/does\/not\/exist \(variable MISSING/);
    const secretLogs = await ok(['logs', id, 'Build.Secret']);
    expect(secretLogs).toContain('Phase context status code: Secrets Manager Error Message: ');
    const detail = JSON.parse(await ok(['execution', id, '--json'])) as { actions: Array<{ action: string; extra: { phases?: Array<{ phase: string; status: string }> } }> };
    expect(detail.actions.find((a) => a.action === 'Param')?.extra.phases?.map((p) => `${p.phase} ${p.status}`)).toEqual(['DOWNLOAD_SOURCE FAILED']);
  });

  it("refuses to export a variable from the action's SECRETS_MANAGER or PARAMETER_STORE before any command runs", async () => {
    const repo = makeRepo({
      'buildspec.yml': 'version: 0.2\nenv:\n  exported-variables: [TOKEN]\nphases:\n  build:\n    commands:\n      - echo should-not-run\n',
    });
    writeFileSync(join(repo, 'pipeline.yml'), pipeline(buildAction('Build', 'buildspec.yml', '            - { name: TOKEN, type: SECRETS_MANAGER, value: token }')));
    const run = await pipe(['run', join(repo, 'pipeline.yml')], env);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).not.toContain('should-not-run');
    expect(run.stdout).toContain(
      "- Build FAILED: exported-variables: 'TOKEN' cannot be exported: it holds the action's SECRETS_MANAGER environment variable (token)",
    );
    expectNoSecrets(run.stdout);
  });

  it("refuses to export the buildspec's own parameter-store and secrets-manager values", async () => {
    const repo = makeRepo({
      'buildspec.yml': 'version: 0.2\nenv:\n  parameter-store:\n    HOST: /app/db-host\n  exported-variables: [HOST]\nphases:\n  build:\n    commands:\n      - echo should-not-run\n',
    });
    writeFileSync(join(repo, 'pipeline.yml'), pipeline(buildAction('Build', 'buildspec.yml', '            - { name: X, type: PLAINTEXT, value: x }')));
    const run = await pipe(['run', join(repo, 'pipeline.yml')], env);
    expect(run).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: [
        'error: buildspec.yml: 1 problem found',
        "  buildspec.yml:5:24 env.exported-variables[0]: 'HOST' cannot be exported: it holds a parameter-store value",
        '    5 |   exported-variables: [HOST]',
        '      |                        ^',
      ].join('\n'),
    });
  });
});

it('pipe parameters and pipe secrets: bad input exits 2 with a clear message', async () => {
  const p = makePipeEnv();
  expect(await pipe(['parameters', 'set', 'a/b', 'x'], p)).toEqual({
    exitCode: 2,
    stdout: '',
    stderr: "error: parameter name 'a/b' is a hierarchy, so it must begin with /\nhint: e.g. /my-app/db-host or DB_HOST",
  });
  expect(await pipe(['parameters', 'get', '/nope'], p)).toEqual({ exitCode: 2, stdout: '', stderr: "error: parameter /nope does not exist\nhint: 'pipe parameters ls' lists them" });
  expect(await pipe(['secrets', 'set', 's'], p)).toEqual({ exitCode: 2, stdout: '', stderr: 'error: secret s needs a value: pipe secrets set s VALUE, or --from-file FILE' });
  expect(await pipe(['secrets', 'set', 's', 'v', '--from-file', 'f'], p)).toEqual({ exitCode: 2, stdout: '', stderr: 'error: give the secret s a VALUE or --from-file, not both' });
  expect(await pipe(['secrets', 'rm', 'nope'], p)).toEqual({ exitCode: 2, stdout: '', stderr: "error: secret nope does not exist\nhint: 'pipe secrets ls' lists them" });
  expect((await pipe(['parameters', 'set', '/x'], p)).exitCode).toBe(2);

  expect(await pipe(['parameters', 'set', '/x', 'one'], p)).toMatchObject({ exitCode: 0, stdout: 'parameter /x version 1' });
  expect(await pipe(['parameters', 'set', '/x', 'two'], p)).toMatchObject({ exitCode: 0, stdout: 'parameter /x version 2' });
  expect((await pipe(['parameters', 'get', '/x'], p)).stdout).toBe('two');
  expect((await pipe(['parameters', 'get', '/x:1'], p)).stdout).toBe('one');
  expect(JSON.parse((await pipe(['parameters', 'ls', '--json'], p)).stdout)).toEqual([{ name: '/x', version: 2, lastModifiedDate: expect.any(String) }]);
  expect((await pipe(['parameters', 'rm', '/x'], p)).stdout).toBe('deleted parameter /x');
  expect((await pipe(['parameters', 'ls'], p)).stdout).toBe('no parameters');

  const set = JSON.parse((await pipe(['secrets', 'set', 's', 'value-1', '--json'], p)).stdout) as { versionId: string; created: boolean };
  expect(set.created).toBe(true);
  await pipe(['secrets', 'set', 's', 'value-2'], p);
  const listed = (await pipe(['secrets', 'ls'], p)).stdout;
  expect(listed).toMatch(new RegExp(`^s  2 versions  last changed \\S+\\n  [0-9a-f-]{36}  AWSCURRENT  \\S+\\n  ${set.versionId}  AWSPREVIOUS  \\S+$`));
  expect(listed).not.toContain('value-');
  expect((await pipe(['secrets', 'rm', 's'], p)).stdout).toBe('deleted secret s');
});
