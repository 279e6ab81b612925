// Live stack and deployment changes for the page, over Server-Sent Events read from the deploy room's append-only
// log (deploy/deploy-log.ts, its one reader): each entry goes out with its sequence number as the SSE id, so a
// browser that reconnects (or a server that restarted) resumes after `Last-Event-ID` and misses nothing. A stack's
// status and its events, a deployment's whole view after each move. Nothing here reads or diffs status rows.
import type { Context } from 'hono';
import { DeployLog, followDeployLog } from '../deploy/index.js';
import type { DeployLogEntry } from '../deploy/index.js';
import type { Db } from '../infra/index.js';
import type { ResponseMasker } from './masking.js';
import { resumeAfter, streamLog } from './sse-log.js';
import { deploymentViewOf } from './stacks-model.js';

/** How often the log is read while nothing is new: well under the 100 ms a change may take to reach a page. */
const POLL_MS = 20;

/** The SSE event name and data of a log entry: what the page draws. */
function messageOf(entry: DeployLogEntry): { event: string; data: unknown } {
  switch (entry.kind) {
    case 'stack':
      return { event: 'stack', data: { name: entry.name, status: entry.status, ...(entry.reason ? { reason: entry.reason } : {}), ...(entry.removed ? { removed: true } : {}) } };
    case 'stack-event':
      return { event: 'stack-event', data: { name: entry.name, event: entry.event } };
    case 'deployment':
      return { event: 'deployment', data: { change: entry.change, ...deploymentViewOf(entry.deployment) } };
    default: {
      const never: never = entry;
      throw new Error(`unknown deploy log entry ${JSON.stringify(never)}`);
    }
  }
}

export function streamDeployEvents(c: Context, db: Db, masker: ResponseMasker): Response {
  const afterSeq = resumeAfter(c, () => new DeployLog(db).lastSeq());
  return streamLog(c, afterSeq, (send, signal) =>
    followDeployLog(
      db,
      ({ seq, entry }) => {
        const m = messageOf(entry);
        send({ event: m.event, id: seq, data: masker.json(m.data) });
      },
      { afterSeq, signal, pollMs: POLL_MS },
    ),
  );
}
