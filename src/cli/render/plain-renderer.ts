// Plain lines for pipes and logs: one line per status change and per log line, prefixed with Stage.Action.
import type { RunEvent } from '../../core/index.js';
import type { Output } from '../output.js';
import { formatDuration, paint, paintStatus } from './style.js';

export function createPlainRenderer(out: Output): (e: RunEvent) => void {
  const started = new Map<string, number>();
  const c = out.color;
  return (e) => {
    switch (e.type) {
      case 'execution':
        if (e.start) out.stdout(`Execution ${e.executionId} of ${e.pipeline}: ${paintStatus(c, e.status)}\n`);
        else out.stdout(`Execution ${e.executionId}: ${paintStatus(c, e.status)}${e.message ? ` (${e.message})` : ''}\n`);
        return;
      case 'stage':
        out.stdout(`${paint(c, 'bold', `Stage ${e.stage}`)}: ${paintStatus(c, e.status)}\n`);
        return;
      case 'action': {
        const key = `${e.stage}.${e.action}`;
        if (e.status === 'InProgress') started.set(key, Date.parse(e.time));
        const t0 = started.get(key);
        const took = e.status !== 'InProgress' && t0 !== undefined ? ` in ${formatDuration(Date.parse(e.time) - t0)}` : '';
        out.stdout(`  ${key}: ${paintStatus(c, e.status)}${took}${e.message ? ` - ${e.message}` : ''}\n`);
        return;
      }
      case 'phase':
        if (e.status !== 'IN_PROGRESS' && e.status !== 'SUCCEEDED') out.stdout(`  ${e.stage}.${e.action} phase ${e.phase}: ${e.status}\n`);
        return;
      case 'log':
        out.stdout(`${paint(c, 'gray', `[${e.stage}.${e.action}]`)} ${e.line}\n`);
        return;
      case 'warning':
        out.stderr(`${paint(c, 'yellow', 'warning')}: ${e.stage ? `${e.stage}.${e.action}: ` : ''}${e.message}\n`);
        return;
      case 'artifact':
        out.stdout(`  ${e.stage}.${e.action} wrote artifact ${e.name}: ${e.path} (${e.size} bytes, sha256 ${e.sha256})\n`);
        return;
      case 'variables':
        out.stdout(`  ${e.stage}.${e.action} variables${e.namespace ? ` (${e.namespace})` : ''}: ${Object.entries(e.variables).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
        return;
    }
  };
}

export function createJsonRenderer(out: Output): (e: RunEvent) => void {
  return (e) => out.stdout(`${JSON.stringify(e)}\n`);
}
