// The dashboard's server over real HTTP: without the token 401, from a foreign Origin 403, with a rebinding Host
// 403 (the AWS APIs too, which otherwise need no token); the start-up URL's cookie; the token file (0600) kept
// across a restart; live events resumed after Last-Event-ID, across a restart; secrets masked in responses;
// binding beyond loopback without a token of one's own refused.
import { request } from 'node:http';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { openLocalSecrets } from '../../src/secrets/index.js';
import { TOKEN_FILE } from '../../src/server/index.js';
import { ROLE, handlerZip } from '../registry/support.js';
import { logLine, recordExecution, send, startTestServer } from './support.js';
import type { TestServer } from './support.js';

/** Reads a live-event stream until `count` `run` events came; returns their ids and lines. */
function readEvents(port: number, headers: Record<string, string>, count: number, query = '', onReady: () => void = () => undefined): Promise<{ id: number; data: Record<string, unknown> }[]> {
  return new Promise((resolve, reject) => {
    const got: { id: number; data: Record<string, unknown> }[] = [];
    const req = request({ host: '127.0.0.1', port, path: `/api/events${query}`, headers: { Host: `127.0.0.1:${port}`, Accept: 'text/event-stream', ...headers } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
          if (field('event') === 'ready') onReady();
          if (field('event') !== 'run') continue;
          got.push({ id: Number(field('id')), data: JSON.parse(field('data') ?? '{}') as Record<string, unknown> });
          if (got.length === count) {
            req.destroy();
            resolve(got);
          }
        }
      });
    });
    req.on('error', (e) => (got.length === count ? undefined : reject(e)));
    req.end();
  });
}

describe('the dashboard server refuses what it must', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('answers 401 without the token, and with a wrong one; 200 with the bearer token', async () => {
    expect((await send(t.port, '/api/pipelines', {})).status).toBe(401);
    expect((await send(t.port, '/', {})).status).toBe(401);
    expect((await send(t.port, '/api/pipelines', { Authorization: 'Bearer wrong-token-wrong-token-wrong' })).status).toBe(401);
    expect((await send(t.port, '/api/pipelines', { Cookie: 'pipe_token=nope' })).status).toBe(401);
    const ok = await send(t.port, '/api/pipelines', { Authorization: `Bearer ${t.token}` });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual([]);
  });

  it('refuses a mutating call without the token (401) and from a foreign origin even with it (403)', async () => {
    recordExecution(t.ctx, 'aaaaaaaa-0000-4000-8000-000000000001', 'guarded');
    const stop = (headers: Record<string, string>) => send(t.port, '/api/executions/aaaaaaaa-0000-4000-8000-000000000001/stop', { 'Content-Type': 'application/json', ...headers }, 'POST', '{}');
    expect((await stop({})).status).toBe(401);
    const foreign = await stop({ Authorization: `Bearer ${t.token}`, Origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toEqual({ error: 'Forbidden', message: "requests from origin 'http://evil.example' are refused" });
    expect((await stop({ Authorization: `Bearer ${t.token}`, Origin: 'null' })).status).toBe(403);
    expect((await stop({ Authorization: `Bearer ${t.token}`, Origin: `http://127.0.0.1:${t.port + 1}` })).status).toBe(403);
    expect(t.ctx.store.stopRequestOf('aaaaaaaa-0000-4000-8000-000000000001').request).toBeUndefined();
  });

  it('refuses a Host that is not the bound address (DNS rebinding), for the dashboard and the AWS APIs alike', async () => {
    const rebinding = await send(t.port, '/api/pipelines', { Host: `attacker.example:${t.port}`, Authorization: `Bearer ${t.token}` });
    expect(rebinding.status).toBe(403);
    expect(JSON.parse(rebinding.body).message).toBe(`Host 'attacker.example:${t.port}' is not this server's address`);
    expect((await send(t.port, '/api/pipelines', { Host: `127.0.0.1:${t.port + 1}`, Authorization: `Bearer ${t.token}` })).status).toBe(403);
    const aws = await send(t.port, '/2015-03-31/functions/', { Host: `attacker.example:${t.port}` });
    expect(aws.status).toBe(403);
    expect(aws.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    expect((await send(t.port, '/2015-03-31/functions/', { Origin: 'http://evil.example' })).status).toBe(403);
  });

  it('serves the AWS APIs without the token, to clients that send no Origin', async () => {
    const list = await send(t.port, '/2015-03-31/functions/', { Authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0' });
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body)).toEqual({ Functions: [] });
    expect((await send(t.port, '/2015-03-31/functions/', { Host: `localhost:${t.port}` })).status).toBe(200);
  });

  it('turns the start-up URL into an HttpOnly SameSite=Strict cookie that then opens the API', async () => {
    expect(t.server.loginUrl).toBe(`${t.url}/?token=${t.token}`);
    const login = await send(t.port, `/?token=${t.token}`, {});
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toBe(`pipe_token=${t.token}; Path=/; HttpOnly; SameSite=Strict`);
    const page = await send(t.port, '/', { Cookie: cookie.split(';')[0] ?? '' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="/assets/dashboard.js"></script>');
    expect((await send(t.port, '/?token=wrong', {})).status).toBe(401);
  });

  it('keeps the token in PIPE_HOME, readable by its owner only', () => {
    const mode = statSync(join(t.home, TOKEN_FILE)).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('masks secret values in every response, even where the engine had no chance to', async () => {
    openLocalSecrets(t.ctx.db, t.ctx.cipher).secrets.putSecretValue('prod/db', 'hunter2-very-secret');
    recordExecution(t.ctx, 'aaaaaaaa-0000-4000-8000-000000000002', 'masked', { DbPassword: 'hunter2-very-secret' });
    const r = await send(t.port, '/api/executions/aaaaaaaa-0000-4000-8000-000000000002', { Authorization: `Bearer ${t.token}` });
    expect(r.status).toBe(200);
    expect(r.body).not.toContain('hunter2');
    expect(JSON.parse(r.body).variables).toEqual({ DbPassword: '***' });
    // A function's environment, which the AWS API returns as it is, is masked on the dashboard's page.
    await t.registry.createFunction({ FunctionName: 'db-client', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: handlerZip() }, Environment: { Variables: { DB_PASSWORD: 'hunter2-very-secret', DB_HOST: 'db.local' } } });
    const fn = await send(t.port, '/api/functions/db-client', { Authorization: `Bearer ${t.token}` });
    expect(fn.status).toBe(200);
    expect(JSON.parse(fn.body).configuration.Environment).toEqual({ Variables: { DB_PASSWORD: '***', DB_HOST: 'db.local' } });
    const aws = await send(t.port, '/2015-03-31/functions/db-client/configuration', {});
    expect(JSON.parse(aws.body).Environment).toEqual({ Variables: { DB_PASSWORD: 'hunter2-very-secret', DB_HOST: 'db.local' } });
  });
});

describe('live events', () => {
  it('resume after Last-Event-ID, and a restarted server loses none of them', async () => {
    const first = await startTestServer();
    const id = 'bbbbbbbb-0000-4000-8000-000000000001';
    recordExecution(first.ctx, id, 'live');
    const auth = { Authorization: `Bearer ${first.token}` };
    // A stream opened now starts from now: it gets the next two lines, not the events before.
    const live = readEvents(first.port, auth, 2, `?execution=${id}`, () => {
      logLine(first.ctx, id, 'one');
      logLine(first.ctx, id, 'two');
    });
    const seen = await live;
    expect(seen.map((e) => e.data['line'])).toEqual(['one', 'two']);
    const lastId = seen[1]?.id ?? 0;
    // The server goes; lines are appended while it is down; a new server on the same PIPE_HOME gives them after lastId.
    await first.close();
    const second = await startTestServer(first.home);
    try {
      logLine(second.ctx, id, 'three');
      logLine(second.ctx, id, 'four');
      expect(second.token).toBe(first.token);
      const resumed = await readEvents(second.port, { ...auth, 'Last-Event-ID': String(lastId) }, 2);
      expect(resumed.map((e) => e.data['line'])).toEqual(['three', 'four']);
      expect(resumed[0]?.id).toBeGreaterThan(lastId);
    } finally {
      await second.close();
    }
  });
});

describe('live events of a page that went away', () => {
  it('stop being read from the log once the browser closes the stream', async () => {
    const t = await startTestServer();
    try {
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const before = timers();
      const open = () => new Promise<ReturnType<typeof request>>((resolve) => {
        const req = request({ host: '127.0.0.1', port: t.port, path: '/api/events', headers: { Host: `127.0.0.1:${t.port}`, Authorization: `Bearer ${t.token}` } }, (res) => {
          res.once('data', () => resolve(req)); // the 'ready' message: the stream is being followed
        });
        req.end();
      });
      const streams = await Promise.all(Array.from({ length: 10 }, open));
      expect(timers()).toBeGreaterThanOrEqual(before + 10); // each stream waits on the log (and its keepalive)
      for (const s of streams) s.destroy();
      await expect.poll(timers, { timeout: 5000, interval: 50 }).toBeLessThanOrEqual(before);
    } finally {
      await t.close();
    }
  });
});

describe('pipe serve on the command line', () => {
  it('refuses to listen beyond loopback without a token of one\'s own (exit 2)', async () => {
    const lines: string[] = [];
    const out: Output = { stdout: (s) => void lines.push(s), stderr: (s) => void lines.push(s), isTTY: false, color: false, columns: undefined };
    const code = await main(['serve', '--host', '0.0.0.0', '--port', '0'], out);
    expect(code).toBe(2);
    expect(lines.join('')).toBe(
      'error: listening on 0.0.0.0 reaches beyond this machine: it needs a token of your own (--token)\n' +
        'hint: keep the default --host 127.0.0.1, or give --token with at least 24 random characters\n',
    );
    const short = await main(['serve', '--host', '0.0.0.0', '--port', '0', '--token', 'short'], out);
    expect(short).toBe(2);
  });
});
