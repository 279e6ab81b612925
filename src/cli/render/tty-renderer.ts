// The live terminal view: log lines scroll above, and a block of stages and actions with their statuses and
// running durations is redrawn below them.
import type { ActionStatus, RunEvent, StageStatus } from '../../core/index.js';
import type { Output } from '../output.js';
import { durationBetween, paint, paintStatus } from './style.js';

interface ActionRow {
  name: string;
  status: ActionStatus;
  start: string;
  end?: string;
  phase?: string;
}

interface StageRow {
  name: string;
  status: StageStatus;
  actions: ActionRow[];
}

export interface TtyRenderer {
  onEvent(e: RunEvent): void;
  /** Draws the final block; call once at the end. */
  close(): void;
}

export function createTtyRenderer(out: Output, stageNames: string[]): TtyRenderer {
  const stages: StageRow[] = [];
  let drawn = 0;
  const c = out.color;
  const timer = setInterval(() => redraw(), 250);
  timer.unref();

  const block = (): string[] => {
    const lines: string[] = [];
    for (const name of stageNames) {
      const s = stages.find((x) => x.name === name);
      lines.push(`${paint(c, 'bold', name.padEnd(16))} ${s ? paintStatus(c, s.status) : paint(c, 'gray', 'not started')}`);
      for (const a of s?.actions ?? []) {
        const phase = a.status === 'InProgress' && a.phase ? paint(c, 'gray', ` ${a.phase}`) : '';
        lines.push(`  ${a.name.padEnd(14)} ${paintStatus(c, a.status)} ${paint(c, 'gray', durationBetween(a.start, a.end))}${phase}`);
      }
    }
    return lines;
  };
  const erase = () => {
    if (drawn > 0) out.stdout(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const redraw = () => {
    erase();
    const lines = block();
    out.stdout(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const stage = (name: string) => {
    let s = stages.find((x) => x.name === name);
    if (!s) {
      s = { name, status: 'InProgress', actions: [] };
      stages.push(s);
    }
    return s;
  };

  return {
    onEvent(e) {
      switch (e.type) {
        case 'stage':
          stage(e.stage).status = e.status;
          break;
        case 'action': {
          const s = stage(e.stage);
          let a = s.actions.find((x) => x.name === e.action);
          if (!a) {
            a = { name: e.action, status: e.status, start: e.time };
            s.actions.push(a);
          }
          a.status = e.status;
          if (e.status !== 'InProgress') a.end = e.time;
          if (e.status === 'Failed' && e.message) {
            erase();
            out.stdout(`${paint(c, 'red', `${e.stage}.${e.action} failed`)}: ${e.message}\n`);
          }
          break;
        }
        case 'phase': {
          const a = stage(e.stage).actions.find((x) => x.name === e.action);
          if (a && e.status === 'IN_PROGRESS') a.phase = e.phase;
          break;
        }
        case 'log':
          erase();
          out.stdout(`${paint(c, 'gray', `[${e.stage}.${e.action}]`)} ${e.line}\n`);
          break;
        case 'warning':
          erase();
          out.stdout(`${paint(c, 'yellow', 'warning')}: ${e.stage ? `${e.stage}.${e.action}: ` : ''}${e.message}\n`);
          break;
        case 'artifact':
          erase();
          out.stdout(`${paint(c, 'cyan', 'artifact')} ${e.name}: ${e.path} (${e.size} bytes)\n`);
          break;
        case 'execution':
          if (e.status !== 'InProgress') {
            redraw();
            drawn = 0;
            out.stdout(`Execution ${e.executionId}: ${paintStatus(c, e.status)}${e.message ? ` (${e.message})` : ''}\n`);
            return;
          }
          break;
        case 'variables':
          break;
      }
      redraw();
    },
    close() {
      clearInterval(timer);
    },
  };
}
