// The Stacks page's live feed over real HTTP: a deployment's weight change and a stack's status change written
// through another database handle (as `pipe deploy` in another process writes them) arrive over SSE from the deploy
// room's event log, each with its sequence number as the id; a reconnect with Last-Event-ID, to a restarted server,
// gets exactly the entries appended while it was away, in order.
import { request } from 'node:http';
import type { ClientRequest } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DeployLog, DeploymentStore, StackStore } from '../../src/deploy/index.js';
import { newOwner } from '../../src/execute/index.js';
import { openDatabase } from '../../src/infra/index.js';
import type { Db } from '../../src/infra/index.js';
import { startTestServer } from './support.js';
import type { TestServer } from './support.js';

interface Message { event: string; id: number; data: Record<string, unknown> }

/** Opens /api/deploy-events; `onReady` runs once the stream is followed; resolves once `done` says enough came. */
function readDeployEvents(t: TestServer, headers: Record<string, string>, done: (got: Message[]) => boolean, onReady: () => void = () => undefined): Promise<Message[]> {
  return new Promise((resolve, reject) => {
    const got: Message[] = [];
    let req: ClientRequest | undefined = undefined;
    const timer = setTimeout(() => {
      req?.destroy();
      reject(new Error(`only these came in 10 s: ${JSON.stringify(got.map((m) => [m.event, m.id]))}`));
    }, 10_000);
    req = request({ host: '127.0.0.1', port: t.port, path: '/api/deploy-events', headers: { Host: `127.0.0.1:${t.port}`, Authorization: `Bearer ${t.token}`, ...headers } }, (res) => {
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
          const event = field('event');
          if (event === undefined) continue; // a keepalive comment
          if (event === 'ready') {
            onReady();
            continue;
          }
          got.push({ event, id: Number(field('id')), data: JSON.parse(field('data') ?? '{}') as Record<string, unknown> });
          if (done(got)) {
            clearTimeout(timer);
            req?.destroy();
            resolve(got);
          }
        }
      });
    });
    req.on('error', (e) => {
      if (!got.length || !done(got)) reject(e);
    });
    req.end();
  });
}

let t: TestServer;
let other: Db;
let deploymentId = '';

beforeAll(async () => {
  t = await startTestServer();
  other = openDatabase(t.ctx.db.name); // another handle on the same file: what another process writes through
});
afterAll(async () => {
  other?.close();
  await t?.close();
});

it('pushes a deployment weight change and a stack status change written elsewhere, with their log sequence numbers, and resumes after Last-Event-ID across a restart', async () => {
  const stacks = new StackStore(other);
  const deployments = new DeploymentStore(other);
  const seen = await readDeployEvents(t, {}, (got) => got.some((m) => m.event === 'stack-event'), () => {
    deploymentId = deployments.create({
      functionName: 'web-Hello', alias: 'live', currentVersion: '1', targetVersion: '2', deploymentType: 'Canary10Percent5Minutes', timeScale: 60,
      hooks: {}, alarms: [], steps: [{ weight: 0.1, atMinutes: 0 }, { weight: 1, atMinutes: 5 }], stackName: 'web', logicalId: 'Hello',
    }, newOwner());
    deployments.setStatus(deploymentId, 'InProgress');
    deployments.setWeight(deploymentId, 0.1);
    stacks.insert({ name: 'web', status: 'REVIEW_IN_PROGRESS', templateBody: '{}', templateDigest: 'd', parameters: [], outputs: [], routes: [] }, 'arn:aws:cloudformation:us-east-1:000000000000:stack/web/1');
    stacks.setStatus('web', 'CREATE_IN_PROGRESS');
  });
  const log = new DeployLog(other);
  // Every entry of the log, in order, each under its own sequence number: nothing from before the stream opened.
  expect(seen.map((m) => m.id)).toEqual(log.after(0).map((r) => r.seq));
  expect(seen.map((m) => [m.event, m.data['change'] ?? m.data['status'] ?? (m.data['event'] as { ResourceStatus?: string } | undefined)?.ResourceStatus])).toEqual([
    ['deployment', 'created'], ['deployment', 'status'], ['deployment', 'weight'], ['stack', 'REVIEW_IN_PROGRESS'], ['stack', 'CREATE_IN_PROGRESS'], ['stack-event', 'CREATE_IN_PROGRESS'],
  ]);
  const weight = seen.find((m) => m.data['change'] === 'weight');
  expect(weight?.data).toMatchObject({ deploymentId, weight: 0.1, status: 'InProgress', stackName: 'web', alarmStates: [] });
  expect(weight?.data).not.toHaveProperty('ownerPid');
  const lastId = seen.at(-1)?.id ?? 0;

  // The server goes; the deployment and the stack move on while it is down; a new server on the same PIPE_HOME gives
  // the browser that comes back with Last-Event-ID exactly those, after what it had.
  await t.close();
  deployments.setWeight(deploymentId, 1);
  deployments.stepDone(deploymentId, 2);
  stacks.setStatus('web', 'CREATE_COMPLETE');
  const missed = log.after(lastId).map((r) => r.seq);
  t = await startTestServer(t.home);
  const resumed = await readDeployEvents(t, { 'Last-Event-ID': String(lastId) }, (got) => got.length >= missed.length);
  expect(resumed.map((m) => m.id)).toEqual(missed);
  expect(resumed.map((m) => [m.event, m.data['change'] ?? m.data['status'] ?? (m.data['event'] as { ResourceStatus?: string } | undefined)?.ResourceStatus])).toEqual([
    ['deployment', 'weight'], ['deployment', 'step'], ['stack', 'CREATE_COMPLETE'], ['stack-event', 'CREATE_COMPLETE'],
  ]);
  expect(resumed[0]?.data).toMatchObject({ deploymentId, weight: 1 });
  expect((resumed[1]?.data['steps'] as { seq: number; at?: number }[]).map((s) => s.at !== undefined)).toEqual([false, true]);
});
