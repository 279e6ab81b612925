// `pipe registry serve` as a real process (bin/pipe.js, built by `npm run build`) driven by the AWS CLI v2:
// create, publish, a Tail and an Event invoke in containers, `pipe invoke`; a port in use; SIGTERM removes its
// containers; state survives a restart; a -9'd server's containers are removed when the next one starts;
// --idle-timeout stops idle environments.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LABELS } from '../../src/core/index.js';
import { ENVIRONMENT_ROLE } from '../../src/registry/invoke/index.js';
import { PIPE_BIN } from '../support/cli.js';
import { AWS_CLI, describeNeeding } from '../support/docker.js';
import { ROLE, awsEnv } from '../registry/support.js';
import { engine, makeZip, removeWorkDir } from './support.js';

const run = promisify(execFile);

interface Serve {
  child: ChildProcess;
  pid: number;
  /** The --json lines printed so far. */
  events: Array<Record<string, unknown>>;
  url: string;
  exited: Promise<number | null>;
}

describeNeeding(['docker', 'aws'], 'pipe registry serve as a process, with the AWS CLI', () => {
  let home: string;
  /** The server the AWS CLI talks to. */
  let endpoint = '';
  const started: Serve[] = [];

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'pipe-serve-'));
  });
  afterAll(async () => {
    for (const s of started) s.child.kill('SIGKILL');
    await Promise.all(started.map((s) => s.exited));
    for (const s of started) await engine.removeContainers({ [LABELS.home]: home, [LABELS.ownerPid]: String(s.pid), [LABELS.role]: ENVIRONMENT_ROLE });
    rmSync(home, { recursive: true, force: true });
    removeWorkDir();
  });

  async function serve(...extra: string[]): Promise<Serve> {
    // --port 0: the server picks a free port and says which; no race with other tests for a fixed one.
    const child = spawn('node', [PIPE_BIN, 'registry', 'serve', '--port', '0', '--json', ...extra], {
      env: { ...process.env, PIPE_HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const s: Serve = { child, pid: child.pid ?? 0, events: [], exited, url: '' };
    started.push(s);
    createInterface({ input: child.stdout! }).on('line', (line) => s.events.push(JSON.parse(line) as Record<string, unknown>));
    await expect.poll(() => s.events.some((e) => e['type'] === 'listening'), { timeout: 30_000, interval: 50 }).toBe(true);
    s.url = String(s.events.find((e) => e['type'] === 'listening')?.['url']);
    endpoint = s.url;
    return s;
  }

  async function aws(...args: string[]): Promise<Record<string, unknown>> {
    const { stdout } = await run(AWS_CLI, ['--endpoint-url', endpoint, '--output', 'json', 'lambda', ...args], { env: awsEnv() });
    return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
  }

  /** Execution environment containers of this test's PIPE_HOME whose owner is this registry process. */
  const containersOf = async (s: Serve): Promise<string[]> =>
    (await engine.listContainerLabels({ [LABELS.home]: home, [LABELS.role]: ENVIRONMENT_ROLE, [LABELS.ownerPid]: String(s.pid) })).map((l) => l['id'] ?? '');

  it('serves, invokes in containers, cleans up on SIGTERM, keeps state, and removes a killed server\'s containers', async () => {
    // pipe/standard:1 named for nodejs20.x, so its first log line says which Node.js runs it.
    const first = await serve('--image', 'nodejs20.x=pipe/standard:1');
    const zip = makeZip({ 'index.js': "exports.handler = async (e) => { console.log('got', e.n); return { n: e.n, v: process.env.AWS_LAMBDA_FUNCTION_VERSION, endpoint: process.env.AWS_ENDPOINT_URL }; };" });
    await aws('create-function', '--function-name', 'hello', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', ROLE, '--zip-file', `fileb://${zip}`);
    await aws('wait', 'function-active-v2', '--function-name', 'hello');
    expect(await aws('publish-version', '--function-name', 'hello')).toMatchObject({ Version: '1' });
    await aws('wait', 'function-active-v2', '--function-name', 'hello', '--qualifier', '1');

    const out = join(home, 'out.json');
    const tail = await aws('invoke', '--function-name', 'hello:1', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"n":1}', '--log-type', 'Tail', out);
    expect(tail).toMatchObject({ StatusCode: 200, ExecutedVersion: '1' });
    // AWS_ENDPOINT_URL points SDK calls made by the function back at this server, on the port it picked.
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ n: 1, v: '1', endpoint: first.url });
    const log = Buffer.from(String(tail['LogResult']), 'base64').toString();
    // The first invocation of an environment says which Node.js a nodejs20.x function runs on in pipe/standard:1.
    expect(log).toMatch(/^pipe: nodejs20\.x runs on Node\.js 18 here: pipe\/standard:1 has no Node\.js 20\nSTART RequestId: [0-9a-f-]{36} Version: 1\n.*\tINFO\tgot 1\nEND RequestId: .*\nREPORT RequestId: .*\tInit Duration: [\d.]+ ms/s);
    // The server says what it does: the environment it started, and each invocation with its request id and duration.
    const requestId = /^START RequestId: ([0-9a-f-]{36})/m.exec(log)?.[1];
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:hello';
    expect(first.events.filter((e) => e['type'] === 'environment-started')).toEqual([
      expect.objectContaining({ functionArn: arn, version: '1', runtime: 'nodejs20.x', durationMs: expect.any(Number), containerId: expect.stringMatching(/^[0-9a-f]{64}$/) }),
    ]);
    expect(first.events.filter((e) => e['type'] === 'invocation')).toEqual([
      expect.objectContaining({ functionArn: arn, version: '1', requestId, status: 'ok', durationMs: expect.any(Number) }),
    ]);

    const event = await aws('invoke', '--function-name', 'hello', '--invocation-type', 'Event', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"n":2}', out);
    expect(event).toMatchObject({ StatusCode: 202 });
    await expect.poll(() => first.events.filter((e) => e['type'] === 'event-invocation'), { timeout: 30_000 }).toEqual([
      expect.objectContaining({ functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:hello', version: '$LATEST', attempts: 1, status: 'Succeeded' }),
    ]);
    expect(await containersOf(first)).toHaveLength(2); // version 1 and $LATEST

    // `pipe invoke --payload @file --tail`, through the server named by --endpoint, and without it: the server
    // recorded in PIPE_HOME is found and used (nothing opens its tables behind its back), so both are warm.
    const payload = join(home, 'payload.json');
    writeFileSync(payload, '{"n":3}');
    for (const where of [['--endpoint', first.url], []]) {
      const r = await run('node', [PIPE_BIN, 'invoke', 'hello:1', '--payload', `@${payload}`, '--tail', ...where], {
        env: { ...process.env, PIPE_HOME: home, AWS_REGION: 'us-east-1', NO_COLOR: '1' },
      });
      expect(JSON.parse(r.stdout)).toMatchObject({ n: 3, v: '1' });
      // Both go through the server, where the environment is warm: no Node.js note before START.
      expect(r.stderr).toMatch(/^START RequestId: [0-9a-f-]{36} Version: 1\n.*\tINFO\tgot 3\nEND RequestId: .*\nREPORT RequestId: /s);
    }
    expect(await containersOf(first)).toHaveLength(2);
    // Both invokes were the server's: three invocations of version 1 in its log.
    await expect.poll(() => first.events.filter((e) => e['type'] === 'invocation' && e['version'] === '1').length).toBe(3);

    // A second server for the same PIPE_HOME is refused (exit 2); one for another PIPE_HOME on the same port says
    // the port is in use. The first is left alone either way.
    const port = new URL(first.url).port;
    const twin = await run('node', [PIPE_BIN, 'registry', 'serve', '--port', '0'], { env: { ...process.env, PIPE_HOME: home } }).catch((e: unknown) => e);
    expect(twin).toMatchObject({ code: 2, stderr: expect.stringContaining(`error: a registry already serves this PIPE_HOME at ${first.url} (pid `) });
    const otherHome = mkdtempSync(join(tmpdir(), 'pipe-serve-other-'));
    const clash = await run('node', [PIPE_BIN, 'registry', 'serve', '--port', port], { env: { ...process.env, PIPE_HOME: otherHome } }).catch((e: unknown) => e);
    rmSync(otherHome, { recursive: true, force: true });
    expect(clash).toMatchObject({ code: 2, stderr: expect.stringContaining(`error: cannot listen on 127.0.0.1:${port}: the port is in use\nhint: `) });
    expect(await containersOf(first)).toHaveLength(2);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(await containersOf(first)).toEqual([]);
    expect(first.events.filter((e) => e['type'] === 'environment-stopped').map((e) => e['version']).sort()).toEqual(['$LATEST', '1']);
    expect(first.events.find((e) => e['type'] === 'stopping')).toMatchObject({ cause: 'SIGTERM' });

    const second = await serve();
    expect(await aws('get-function-configuration', '--function-name', 'hello', '--qualifier', '1')).toMatchObject({ Version: '1', State: 'Active' });
    expect(await aws('invoke', '--function-name', 'hello:1', out)).toMatchObject({ StatusCode: 200, ExecutedVersion: '1' });
    const left = await containersOf(second);
    expect(left).toHaveLength(1);

    second.child.kill('SIGKILL');
    await second.exited;
    expect(await containersOf(second)).toEqual(left); // nobody cleaned up after a -9

    const third = await serve('--idle-timeout', '1', '--image', 'nodejs20.x=pipe/standard:1', '--concurrency', '2');
    expect(await containersOf(second)).toEqual([]); // removed before the new server listens
    expect(await aws('invoke', '--function-name', 'hello:1', out)).toMatchObject({ StatusCode: 200 });
    await expect.poll(() => containersOf(third), { timeout: 15_000 }).toEqual([]); // stopped once idle for a second
    third.child.kill('SIGINT');
    expect(await third.exited).toBe(0);
    expect(await containersOf(third)).toEqual([]);
  });
});

