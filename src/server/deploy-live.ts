// Live stack and deployment changes for the page, over Server-Sent Events: the deploy room keeps its state in rows
// (a stack's status, a deployment's weight and steps), not in an event log, so the server watches those rows every
// 100 ms and pushes each stack or deployment whose state moved (a stack's new events follow their sequence number).
// The browser never polls: it draws what is pushed.
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { DeploymentStore, StackStore } from '../deploy/index.js';
import type { Db } from '../infra/index.js';
import type { ResponseMasker } from './masking.js';
import { deploymentViewOf } from './stacks-model.js';

const WATCH_MS = 100;
const KEEPALIVE_MS = 15_000;

/** What of a deployment the page draws: when this changes, it is pushed. */
function deploymentKey(d: ReturnType<DeploymentStore['list']>[number]): string {
  return JSON.stringify([d.status, d.weight, d.steps.map((s) => s.at ?? null), d.lifecycleEvents.map((e) => e.status), d.errorCode ?? null]);
}

export function streamDeployEvents(c: Context, db: Db, masker: ResponseMasker): Response {
  return streamSSE(c, async (stream) => {
    let open = true;
    stream.onAbort(() => {
      open = false;
    });
    const stacks = new StackStore(db);
    const deployments = new DeploymentStore(db);
    const seenStacks = new Map<string, string>();
    const seenDeployments = new Map<string, string>();
    const look = (first: boolean) => {
      const out: { event: string; data: unknown }[] = [];
      const names = new Set<string>();
      for (const s of stacks.list()) {
        names.add(s.name);
        const key = `${s.status}\0${s.updatedAt}\0${stacks.events(s.name).length}`;
        if (seenStacks.get(s.name) !== key) {
          seenStacks.set(s.name, key);
          if (!first) out.push({ event: 'stack', data: { name: s.name, status: s.status } });
        }
      }
      for (const name of [...seenStacks.keys()]) {
        if (names.has(name)) continue;
        seenStacks.delete(name);
        out.push({ event: 'stack', data: { name, status: 'DELETE_COMPLETE' } });
      }
      for (const d of deployments.list(20)) {
        const key = deploymentKey(d);
        if (seenDeployments.get(d.deploymentId) === key) continue;
        seenDeployments.set(d.deploymentId, key);
        if (!first) out.push({ event: 'deployment', data: deploymentViewOf(d) });
      }
      return out;
    };
    look(true);
    await stream.writeSSE({ event: 'ready', data: '{}' });
    let sinceKeepalive = 0;
    while (open) {
      await stream.sleep(WATCH_MS);
      sinceKeepalive += WATCH_MS;
      for (const m of look(false)) await stream.writeSSE({ event: m.event, data: JSON.stringify(masker.json(m.data)) });
      if (sinceKeepalive >= KEEPALIVE_MS) {
        sinceKeepalive = 0;
        await stream.write(': keepalive\n\n');
      }
    }
  });
}
