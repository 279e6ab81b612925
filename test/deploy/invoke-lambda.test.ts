// Invoke/Lambda end to end: `pipe run` (the bundle, real git, real Docker) of pipelines whose functions get the
// CodePipeline.job event, read their input artifact and write their output one through the S3 endpoint, and
// report through the CodePipeline JSON API on the call-back server pipe starts for the action: success with output
// variables a later action uses, a continuation token, a failure, a function that never reports (a short timeout
// by PIPE_DEPLOY_TIME_SCALE) and one that throws before reporting.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { LABELS } from '../../src/core/index.js';
import { DockerEngine } from '../../src/infra/docker.js';
import { openDatabase } from '../../src/infra/index.js';
import { Registry } from '../../src/registry/index.js';
import { REPO_ROOT, makePipeEnv, pipe } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PIPE_BIN } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { makeRepo } from '../support/git-fixture.js';
import { readZip } from '../support/zip-read.js';
import { EchoInvoker, ROLE, makeZip } from '../registry/support.js';

/** What every job worker below shares: the two API calls, S3 GET/PUT, and a stored-zip reader and writer. */
const JOB_LIB = `
const endpoint = process.env.AWS_ENDPOINT_URL;
async function codepipeline(op, body) {
  const res = await fetch(endpoint, { method: 'POST', body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'CodePipeline_20150709.' + op } });
  if (!res.ok) throw new Error(op + ' answered ' + res.status + ': ' + await res.text());
}
const url = (a) => endpoint + '/' + a.location.s3Location.bucketName + '/' + a.location.s3Location.objectKey;
async function getObject(a) {
  const res = await fetch(url(a));
  if (!res.ok) throw new Error('GetObject ' + res.status + ': ' + await res.text());
  return Buffer.from(await res.arrayBuffer());
}
async function putObject(a, bytes) {
  const res = await fetch(url(a), { method: 'PUT', body: bytes });
  if (!res.ok) throw new Error('PutObject ' + res.status + ': ' + await res.text());
}
/** Entry names, from the central directory. */
function zipNames(zip) {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = zip.readUInt32LE(end + 16);
  const names = [];
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const n = zip.readUInt16LE(at + 28), x = zip.readUInt16LE(at + 30), c = zip.readUInt16LE(at + 32);
    names.push(zip.subarray(at + 46, at + 46 + n).toString());
    at += 46 + n + x + c;
  }
  return names;
}
const CRC = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc32 = (b) => { let c = 0xffffffff; for (const x of b) c = CRC[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
/** A zip of one stored (uncompressed) file. */
function storedZip(name, text) {
  const data = Buffer.from(text), n = Buffer.from(name), crc = crc32(data);
  const local = Buffer.alloc(30); local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14); local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46); central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16); central.writeUInt32LE(data.length, 20); central.writeUInt32LE(data.length, 24); central.writeUInt16LE(n.length, 28);
  const localPart = Buffer.concat([local, n, data]), centralPart = Buffer.concat([central, n]);
  const end = Buffer.alloc(22); end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralPart.length, 12); end.writeUInt32LE(localPart.length, 16);
  return Buffer.concat([localPart, centralPart, end]);
}
/** The first file of a stored zip. */
function storedText(zip) {
  return zip.subarray(30 + zip.readUInt16LE(26) + zip.readUInt16LE(28), 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28) + zip.readUInt32LE(18)).toString();
}
module.exports = { codepipeline, getObject, putObject, zipNames, storedZip, storedText };
`;

const WORKERS: Record<string, string> = {
  // Continues once, then reads its input, writes its output and reports variables.
  'job-worker': `const j = require('./job.js');
exports.handler = async (event) => {
  const job = event['CodePipeline.job'];
  if (job.data.continuationToken === undefined) {
    await j.codepipeline('PutJobSuccessResult', { jobId: job.id, continuationToken: 'step-1', executionDetails: { summary: 'half way', percentComplete: 50 } });
    return;
  }
  const names = j.zipNames(await j.getObject(job.data.inputArtifacts[0]));
  const params = JSON.parse(job.data.actionConfiguration.configuration.UserParameters);
  await j.putObject(job.data.outputArtifacts[0], j.storedZip('report.txt', params.greeting + ' from ' + names.join('+')));
  await j.codepipeline('PutJobSuccessResult', { jobId: job.id, outputVariables: { Greeting: params.greeting, Files: names.join(','), Token: job.data.continuationToken, Account: job.accountId }, executionDetails: { summary: 'all done', externalExecutionId: 'run-42' } });
};`,
  // Reads the worker's output artifact; its UserParameters carry the worker's variable.
  'job-reader': `const j = require('./job.js');
exports.handler = async (event) => {
  const job = event['CodePipeline.job'];
  const report = j.storedText(await j.getObject(job.data.inputArtifacts[0]));
  await j.codepipeline('PutJobSuccessResult', { jobId: job.id, outputVariables: { Seen: job.data.actionConfiguration.configuration.UserParameters, Report: report } });
};`,
  'job-failer': `const j = require('./job.js');
exports.handler = async (event) => {
  await j.codepipeline('PutJobFailureResult', { jobId: event['CodePipeline.job'].id, failureDetails: { type: 'JobFailed', message: '3 tests failed', externalExecutionId: 'tests-7' } });
};`,
  'job-silent': `exports.handler = async () => 'nothing reported';`,
  'job-thrower': `exports.handler = async () => { throw new TypeError('no such table'); };`,
  'job-sleeper': `exports.handler = async () => { console.log('sleeping'); await new Promise((r) => setTimeout(r, 20000)); };`,
  'job-echo': `const j = require('./job.js');
exports.handler = async (event) => {
  await j.codepipeline('PutJobSuccessResult', { jobId: event['CodePipeline.job'].id, outputVariables: { Endpoint: process.env.AWS_ENDPOINT_URL } });
};`,
};

function createFunctions(home: string): Promise<void> {
  const registry = Registry.open({ invoker: new EchoInvoker(), home });
  return (async () => {
    try {
      for (const [name, code] of Object.entries(WORKERS)) {
        const zip = makeZip([{ name: 'index.js', content: code }, { name: 'job.js', content: JOB_LIB }]);
        await registry.createFunction({ FunctionName: name, Role: ROLE, Runtime: 'nodejs18.x', Handler: 'index.handler', Code: { ZipFile: zip }, Timeout: 10 });
        await registry.waitUntilReady({ FunctionName: name });
      }
    } finally {
      registry.close();
    }
  })();
}

interface ActionDetail { stage: string; action: string; status: string; outputVariables: Record<string, string>; statusMessage?: string; externalExecutionId?: string }

async function execution(env: PipeEnv, id: string): Promise<{ status: string; actions: ActionDetail[] }> {
  const shown = await pipe(['execution', id, '--json'], env);
  return JSON.parse(shown.stdout) as { status: string; actions: ActionDetail[] };
}

function executionId(stdout: string): string {
  const id = /Execution ([0-9a-f-]{36}): /.exec(stdout)?.[1];
  if (id === undefined) throw new Error(`no execution id in:\n${stdout}`);
  return id;
}

describeDocker('Invoke/Lambda', () => {
  it('success with variables a later action uses, a continuation, reading and writing artifacts; failure, silence, a throw', async () => {
    const env = makePipeEnv();
    await createFunctions(env.home);
    const repo = makeRepo({ 'a.txt': 'a', 'b/c.txt': 'c' });
    const dir = mkdtempSync(join(tmpdir(), 'pipe-invoke-pipelines-'));
    const ok = join(dir, 'ok.yml');
    writeFileSync(ok, `name: invoke-ok
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration: { repository: ${repo} }
        outputArtifacts: [Src]
  - name: Test
    actions:
      - name: Smoke
        type: Invoke/Lambda
        runOrder: 1
        namespace: Smoke
        configuration:
          FunctionName: job-worker
          UserParameters: '{"greeting":"hello"}'
        inputArtifacts: [Src]
        outputArtifacts: [Report]
      - name: Check
        type: Invoke/Lambda
        runOrder: 2
        configuration:
          FunctionName: job-reader
          UserParameters: "#{Smoke.Greeting} via #{Smoke.Token}"
        inputArtifacts: [Report]
`);
    const run = await pipe(['run', ok], env);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const id = executionId(run.stdout);
    const detail = await execution(env, id);
    expect(detail.status).toBe('Succeeded');
    const [, smoke, check] = detail.actions;
    expect(smoke).toMatchObject({
      action: 'Smoke', status: 'Succeeded', externalExecutionId: 'run-42',
      outputVariables: { Greeting: 'hello', Files: 'a.txt,b/,b/c.txt', Token: 'step-1', Account: '000000000000' },
    });
    expect(check).toMatchObject({ action: 'Check', status: 'Succeeded', outputVariables: { Seen: 'hello via step-1', Report: 'hello from a.txt+b/+b/c.txt' } });
    const report = await readZip(join(env.artifacts, 'invoke-ok', id, 'Report.zip'));
    expect(report).toEqual({ 'report.txt': 'hello from a.txt+b/+b/c.txt' });
    const logs = await pipe(['logs', id.slice(0, 8), 'Test.Smoke'], env);
    expect(logs.stdout).toMatch(/job [0-9a-f-]{36}: continues \(half way, 50%\)/);
    expect(logs.stdout).toMatch(/job [0-9a-f-]{36}: invoking job-worker \(continuation 1\)/);
    expect(logs.stdout).toMatch(/job [0-9a-f-]{36}: succeeded \(all done\)/);

    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, `name: invoke-bad
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration: { repository: ${repo} }
        outputArtifacts: [Src]
  - name: Test
    actions:
      - { name: Fails, type: Invoke/Lambda, configuration: { FunctionName: job-failer } }
      - { name: Silent, type: Invoke/Lambda, configuration: { FunctionName: job-silent } }
      - { name: Throws, type: Invoke/Lambda, configuration: { FunctionName: job-thrower } }
      - { name: Missing, type: Invoke/Lambda, configuration: { FunctionName: no-such-function } }
`);
    // CodePipeline's 20 minutes at time scale 200: six seconds (three cold starts at once fit in it).
    const failed = await pipe(['run', bad], env, { PIPE_DEPLOY_TIME_SCALE: '200' });
    expect(failed.exitCode).toBe(1);
    const badDetail = await execution(env, executionId(failed.stdout));
    expect(badDetail.status).toBe('Failed');
    const byName = Object.fromEntries(badDetail.actions.map((a) => [a.action, a]));
    expect(byName['Fails']).toMatchObject({ status: 'Failed', statusMessage: '3 tests failed', externalExecutionId: 'tests-7' });
    expect(byName['Silent']?.status).toBe('Failed');
    expect(byName['Silent']?.statusMessage).toMatch(/^job [0-9a-f-]{36} timed out: job-silent reported no result within 20 minutes \(6000 ms at time scale 200\)$/);
    expect(byName['Throws']).toMatchObject({ status: 'Failed', statusMessage: 'the function failed before reporting: TypeError: no such table' });
    expect(byName['Missing']).toMatchObject({ status: 'Failed', statusMessage: 'cannot invoke no-such-function: Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function' });

    // Every environment the runs started is gone with them.
    const engine = new DockerEngine(undefined, { home: env.home });
    expect(await engine.listContainers({ [LABELS.managed]: 'true', [LABELS.home]: engine.home })).toEqual([]);
    expect(readdirSync(join(env.artifacts, 'invoke-bad'))).toHaveLength(1);
  });

  it('with a registry server on the PIPE_HOME, the action invokes through it and its function calls back there', async () => {
    const env = makePipeEnv();
    await createFunctions(env.home);
    const repo = makeRepo({ 'a.txt': 'a' });
    const server = spawn('node', [PIPE_BIN, 'registry', 'serve', '--port', '0', '--json'], { env: { ...process.env, ...env.env }, stdio: ['ignore', 'pipe', 'inherit'] });
    const events: Record<string, unknown>[] = [];
    const listening = new Promise<string>((resolve) => {
      createInterface({ input: server.stdout }).on('line', (line) => {
        const e = JSON.parse(line) as Record<string, unknown>;
        events.push(e);
        if (e['type'] === 'listening') resolve(String(e['url']));
      });
    });
    const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
    try {
      const url = await listening;
      const file = join(mkdtempSync(join(tmpdir(), 'pipe-invoke-pipelines-')), 'echo.yml');
      writeFileSync(file, `name: invoke-echo
stages:
  - name: Source
    actions:
      - { name: Checkout, type: Source/Git, configuration: { repository: ${repo} }, outputArtifacts: [Src] }
  - name: Test
    actions:
      - { name: Echo, type: Invoke/Lambda, configuration: { FunctionName: job-echo } }
`);
      const run = await pipe(['run', file], env);
      expect(run.exitCode).toBe(0);
      const detail = await execution(env, executionId(run.stdout));
      expect(detail.actions[1]?.outputVariables).toEqual({ Endpoint: url });
      expect(events.filter((e) => e['type'] === 'invocation').map((e) => [e['functionArn'], e['status']])).toEqual([
        ['arn:aws:lambda:us-east-1:000000000000:function:job-echo', 'ok'],
      ]);
    } finally {
      server.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('a stop (Ctrl-C) while the function runs: the action is abandoned, its environment removed, its job closed', async () => {
    const env = makePipeEnv();
    await createFunctions(env.home);
    const repo = makeRepo({ 'a.txt': 'a' });
    const file = join(mkdtempSync(join(tmpdir(), 'pipe-invoke-pipelines-')), 'sleep.yml');
    writeFileSync(file, `name: invoke-sleep
stages:
  - name: Source
    actions:
      - { name: Checkout, type: Source/Git, configuration: { repository: ${repo} }, outputArtifacts: [Src] }
  - name: Test
    actions:
      - { name: Sleep, type: Invoke/Lambda, configuration: { FunctionName: job-sleeper } }
`);
    const engine = new DockerEngine(undefined, { home: env.home });
    const child = spawn('node', [PIPE_BIN, 'run', file], { env: { ...process.env, ...env.env } });
    let stdout = '';
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const started = Date.now();
    // Stopped once its environment runs the function: a container of this PIPE_HOME exists.
    await expect.poll(() => engine.listContainers({ [LABELS.home]: engine.home }), { timeout: 20_000, interval: 100 }).toHaveLength(1);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.kill('SIGINT');
    expect(await closed).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000); // not the function's 10 s timeout after a cold start
    const detail = await execution(env, executionId(stdout));
    expect(detail.status).toBe('Stopped');
    expect(detail.actions[1]).toMatchObject({ action: 'Sleep', status: 'Abandoned' });
    expect(await engine.listContainers({ [LABELS.home]: engine.home })).toEqual([]);
    const db = openDatabase(join(env.home, 'state.db'));
    try {
      const jobs = db.prepare('SELECT status, result FROM codepipeline_jobs').all() as { status: string; result: string }[];
      expect(jobs.map((j) => [j.status, JSON.parse(j.result)])).toEqual([['Failed', { status: 'Failed', type: 'JobFailed', message: 'the action was stopped' }]]);
    } finally {
      db.close();
    }
  });

  it('the sample\'s smoke test (sample/hello-service/smoke) invokes hello-service through its alias and reports', async () => {
    const env = makePipeEnv();
    const sample = join(REPO_ROOT, 'sample', 'hello-service');
    const file = (path: string) => ({ name: path, content: readFileSync(join(sample, path)).toString('utf8') });
    const registry = Registry.open({ invoker: new EchoInvoker(), home: env.home });
    try {
      const layer = await registry.publishLayerVersion({ LayerName: 'hello-greeting', Content: { ZipFile: makeZip([
        { name: 'nodejs/node_modules/greeting/index.js', content: file('layer/nodejs/node_modules/greeting/index.js').content },
      ]) } });
      await registry.createFunction({ FunctionName: 'hello-service-dev', Role: ROLE, Runtime: 'nodejs18.x', Handler: 'index.handler', Layers: [layer.LayerVersionArn], Code: { ZipFile: makeZip([{ ...file('src/index.js'), name: 'index.js' }]) } });
      await registry.waitUntilReady({ FunctionName: 'hello-service-dev' });
      await registry.publishVersion({ FunctionName: 'hello-service-dev' });
      await registry.createAlias({ FunctionName: 'hello-service-dev', Name: 'live', FunctionVersion: '1' });
      await registry.createFunction({ FunctionName: 'hello-service-smoke', Role: ROLE, Runtime: 'nodejs18.x', Handler: 'index.handler', Timeout: 10, Code: { ZipFile: makeZip([{ ...file('smoke/index.js'), name: 'index.js' }]) } });
      await registry.waitUntilReady({ FunctionName: 'hello-service-smoke' });
    } finally {
      registry.close();
    }
    const repo = makeRepo({ 'a.txt': 'a' });
    const pipeline = join(mkdtempSync(join(tmpdir(), 'pipe-invoke-pipelines-')), 'smoke.yml');
    writeFileSync(pipeline, `name: hello-smoke
stages:
  - name: Source
    actions:
      - { name: Checkout, type: Source/Git, configuration: { repository: ${repo} }, outputArtifacts: [Src] }
  - name: Test
    actions:
      - name: Smoke
        type: Invoke/Lambda
        namespace: SmokeVariables
        configuration:
          FunctionName: hello-service-smoke
          UserParameters: '{"function":"hello-service-dev:live","name":"ada","expect":"Hello, ada!"}'
      - name: Wrong
        type: Invoke/Lambda
        configuration:
          FunctionName: hello-service-smoke
          UserParameters: '{"function":"hello-service-dev:live","name":"ada","expect":"Bonjour, ada!"}'
`);
    const run = await pipe(['run', pipeline], env);
    expect(run.exitCode).toBe(1);
    const detail = await execution(env, executionId(run.stdout));
    const byName = Object.fromEntries(detail.actions.map((a) => [a.action, a]));
    expect(byName['Smoke']).toMatchObject({ status: 'Succeeded', outputVariables: { Message: 'Hello, ada!', TestedVersion: '1' } });
    expect(byName['Wrong']).toMatchObject({ status: 'Failed', statusMessage: 'hello-service-dev:live (version 1) answered "Hello, ada!", expected "Bonjour, ada!"' });
  });
});
