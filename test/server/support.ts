// The dashboard's server in this process, on a free loopback port, over a PIPE_HOME of the test's own, with a
// registry that lists but never invokes (no Docker): for the HTTP tests of the guard, the API and the live events.
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPipeContext } from '../../src/app/index.js';
import type { PipeContext } from '../../src/app/index.js';
import { PipeError } from '../../src/core/index.js';
import type { RunEvent } from '../../src/core/index.js';
import { Registry } from '../../src/registry/index.js';
import type { Invoker } from '../../src/registry/index.js';
import { InvocationJournal, PipeServer, ensureServeToken } from '../../src/server/index.js';

const NO_INVOKE: Invoker = {
  invoke: () => Promise.reject(new PipeError('INTERNAL', 'this test registry does not invoke')),
  retire: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

export interface TestServer {
  home: string;
  ctx: PipeContext;
  registry: Registry;
  server: PipeServer;
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startTestServer(home = mkdtempSync(join(tmpdir(), 'pipe-serve-http-'))): Promise<TestServer> {
  const ctx = openPipeContext({ home, artifactRoot: join(home, 'artifacts') });
  const registry = Registry.open({ invoker: NO_INVOKE, home });
  const token = ensureServeToken(home);
  const server = new PipeServer({ ctx, registry, journal: new InvocationJournal(home), token, host: '127.0.0.1', port: 0, pipelinesDir: join(home, 'no-pipelines') });
  const url = await server.listen();
  return {
    home, ctx, registry, server, url, port: Number(new URL(url).port), token,
    async close() {
      await server.close();
      registry.close();
      ctx.db.close();
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with exactly these headers (Host included: fetch would not let a test set it). */
export function send(port: number, path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** An execution's first events, recorded as the engine records them: it shows in every list. */
export function recordExecution(ctx: PipeContext, executionId: string, pipeline: string, variables: Record<string, string> = {}): void {
  const time = new Date().toISOString();
  const events: RunEvent[] = [
    { type: 'execution', executionId, time, pipeline, status: 'InProgress', start: { file: `/nowhere/${pipeline}.yml`, digest: 'd', trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'test' }, variables } },
    { type: 'stage', executionId, time, stage: 'Build', status: 'InProgress', attempt: 1 },
    { type: 'action', executionId, time, stage: 'Build', action: 'Compile', status: 'InProgress', attempt: 1, details: { actionType: 'Build/CodeBuild', runOrder: 1, configuration: {} } },
  ];
  for (const e of events) ctx.store.record(e);
}

export function logLine(ctx: PipeContext, executionId: string, line: string): void {
  ctx.store.record({ type: 'log', executionId, time: new Date().toISOString(), stage: 'Build', action: 'Compile', stream: 'stdout', line });
}
