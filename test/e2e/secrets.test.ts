// Secrets and parameters end to end: the real `pipe` binary stores them (sealed in state.db), real builds in Docker
// receive them, and every log line, stored log, event, report, JSON output and database byte shows them as *** or
// not at all; PIPE_HOME is 0700, its files 0600.
import { execa } from 'execa';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { PIPE_BIN, makePipeEnv, pipe } from '../support/cli.js';
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

/** The bytes of state.db and, when there is one, its write-ahead log: what a copied database would hold. */
function databaseBytes(home: string): string {
  return ['state.db', 'state.db-wal'].map((f) => join(home, f)).filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1')).join('');
}

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** A build that writes a JUnit report whose file, suite, test case and failure all carry $TOKEN. */
const JUNIT_WITH_TOKEN = `      - |
        mkdir -p reports
        printf '<testsuite name="suite %s" tests="1" failures="1"><testcase name="logs in with %s" classname="c"><failure message="bad %s">trace %s</failure></testcase></testsuite>' "$TOKEN" "$TOKEN" "$TOKEN" "$TOKEN" > "reports/TEST-$TOKEN.xml"
`;
const JUNIT_REPORTS = `reports:
  junit:
    files: ['*.xml']
    base-directory: reports
`;

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

  it("a variable exported from a secret reaches a later action, and is *** in its configuration, reports, logs, JSON and the database", async () => {
    const repo = makeRepo({
      'first.yml': `version: 0.2
env:
  secrets-manager:
    TOKEN: token
  exported-variables: [COPY]
${JUNIT_REPORTS}phases:
  build:
    commands:
      - COPY="prefix-$TOKEN"
${JUNIT_WITH_TOKEN}`,
      'second.yml': `version: 0.2
phases:
  build:
    commands:
      - echo "second got $GOT"
      - printf '%s' "$GOT" > got.txt
artifacts:
  files: [got.txt]
`,
    });
    writeFileSync(
      join(repo, 'pipeline.yml'),
      pipeline(
        buildAction('First', 'first.yml', '            - { name: PLAIN, type: PLAINTEXT, value: x }').replace('        inputArtifacts: [Src]\n', '        inputArtifacts: [Src]\n        namespace: BuildVariables\n') +
          buildAction('Second', 'second.yml', '            - { name: GOT, type: PLAINTEXT, value: "#{BuildVariables.COPY}" }', 'Got').replace('        type: Build/CodeBuild\n', '        type: Build/CodeBuild\n        runOrder: 2\n'),
      ),
    );
    const run = await pipe(['run', join(repo, 'pipeline.yml'), '--json'], env);
    expect(run.exitCode).toBe(0);
    expectNoSecrets(run.stdout + run.stderr);
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; action?: string; line?: string; executionId: string });
    expect(run.stdout).toContain('"environmentVariables":[{"name":"GOT","value":"***","type":"PLAINTEXT"}]');
    expect(run.stdout).toContain('"outputVariables":{"COPY":"***"}');
    expect(run.stdout).toMatch(/"sealedOutputVariables":\{"COPY":"aes256gcm:[A-Za-z0-9+/=]+"\}/);
    expect(events.filter((e) => e.type === 'log' && e.action === 'Second').map((e) => e.line)).toContain('second got ***');
    const executionId = String(events[0]?.executionId);
    const zip = await readZip(join(env.artifacts, 'secrets', executionId, 'Got.zip'));
    expect(zip['got.txt']).toBe('prefix-tok-ABC-789');

    const detailJson = await ok(['execution', executionId, '--json']);
    expectNoSecrets(detailJson);
    type Action = { action: string; logPath: string; outputVariables: Record<string, string>; configuration: Record<string, unknown>; extra: { reports?: unknown[] } };
    const detail = JSON.parse(detailJson) as { actions: Action[] };
    const first = detail.actions.find((a) => a.action === 'First');
    expect(first?.outputVariables).toEqual({ COPY: '***' });
    expect(first?.extra.reports).toMatchObject([
      { group: 'junit', files: ['TEST-***.xml'], failed: 1, failedCases: [{ name: 'logs in with ***', message: 'bad ***', details: 'trace ***', file: 'TEST-***.xml' }] },
    ]);
    expect(detail.actions.find((a) => a.action === 'Second')?.configuration['environmentVariables']).toEqual([{ name: 'GOT', value: '***', type: 'PLAINTEXT' }]);
    expectNoSecrets(await ok(['execution', executionId]));
    expectNoSecrets(await ok(['logs', executionId, '--json']));

    const logs = filesUnder(join(env.home, 'logs'));
    expect(logs.length).toBeGreaterThanOrEqual(3);
    for (const f of logs) {
      expectNoSecrets(readFileSync(f, 'utf8'));
      expect(`${f} ${modeOf(f)}`).toBe(`${f} 600`);
    }
    expect(modeOf(env.home)).toBe('700');
    expect(modeOf(join(env.home, 'logs', executionId))).toBe('700');
    expect(modeOf(join(env.home, 'state.db'))).toBe('600');
    expect(modeOf(join(env.home, 'secrets.key'))).toBe('600');
    // Every parameter and secret set above, and everything this run recorded: none in the database's bytes.
    const bytes = databaseBytes(env.home);
    expect(bytes).toContain('prod/db');
    expectNoSecrets(bytes);
  });

  it('pipe build: exported variables, artifact names and JUnit reports carrying a secret are *** in its output, log and record', async () => {
    const dir = makeRepo({
      'buildspec.yml': `version: 0.2
env:
  secrets-manager:
    TOKEN: token
  exported-variables: [COPY]
${JUNIT_REPORTS}phases:
  build:
    commands:
      - COPY="prefix-$TOKEN"
      - echo "built with $TOKEN" > out.txt
${JUNIT_WITH_TOKEN}artifacts:
  files: [out.txt]
  name: app-$TOKEN.zip
`,
    });
    const out = join(env.home, '..', 'build-out');
    const json = await pipe(['build', dir, '--artifacts', out, '--json'], env);
    expect(json.exitCode).toBe(0);
    expectNoSecrets(json.stdout + json.stderr);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const result = lines.at(-1) as { status: string; exportedVariables: Record<string, string>; artifacts: Array<{ path: string }>; reports: unknown[]; logPath: string };
    expect(result.status).toBe('SUCCEEDED');
    // The engine's one masker: a value built from a secret is a secret itself, *** whole, as in a pipeline.
    expect(result.exportedVariables).toEqual({ COPY: '***' });
    expect(result.artifacts.map((a) => a.path)).toEqual([join(out, 'app-***.zip')]);
    expect(result.reports).toMatchObject([{ group: 'junit', files: ['TEST-***.xml'], failedCases: [{ name: 'logs in with ***', message: 'bad ***' }] }]);
    expectNoSecrets(readFileSync(result.logPath, 'utf8'));
    expect(modeOf(result.logPath)).toBe('600');

    const text = await pipe(['build', dir, '--artifacts', join(out, 'again')], env);
    expect(text.exitCode).toBe(0);
    expectNoSecrets(text.stdout + text.stderr);
    expect(text.stdout).toContain('  variable COPY=***\n');
    expect(text.stdout).toContain(`  artifact ${join(out, 'again', 'app-***.zip')} (1 files,`);
    expect(text.stdout).toContain('logs in with ***');
    expectNoSecrets(databaseBytes(env.home));
  });

  it('while a build runs, PIPE_HOME is 0700 and state.db, its -wal and -shm files and the log are 0600', async () => {
    const dir = makeRepo({ 'buildspec.yml': 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo ready-for-mode-check\n      - sleep 300\n' });
    const home = join(env.home, '..', 'fresh-home');
    const child = execa('node', [PIPE_BIN, 'build', dir, '--json'], { env: { ...env.env, PIPE_HOME: home }, reject: false });
    let logPath = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const m = /"logPath":"([^"]+)"/.exec(chunk.toString());
      if (m?.[1]) logPath = m[1];
    });
    await expect.poll(() => logPath !== '' && readFileSync(logPath, 'utf8').includes('ready-for-mode-check'), { timeout: 60_000, interval: 100 }).toBe(true);
    const modes = [home, join(home, 'state.db'), join(home, 'state.db-wal'), join(home, 'state.db-shm'), join(home, 'secrets.key'), join(home, 'logs', 'builds'), logPath].map(
      (f) => `${f.slice(home.length) || '/'} ${modeOf(f)}`,
    );
    child.kill('SIGINT');
    const ended = await child;
    expect(modes).toEqual([
      '/ 700', '/state.db 600', '/state.db-wal 600', '/state.db-shm 600', '/secrets.key 600', '/logs/builds 700', `${logPath.slice(home.length)} 600`,
    ]);
    expect(ended.exitCode).toBe(1);
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
  expect(JSON.parse((await pipe(['parameters', 'ls', '--json'], p)).stdout)).toEqual([{ name: '/x', version: 2, lastModifiedDate: expect.any(String), type: 'String', description: '' }]);
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
