// The live terminal view: log lines scroll above, and a block of every stage and action of the pipeline, each with
// its state (not started, in progress with its phase and running time, and how it ended), is redrawn below them,
// as the CodePipeline console shows the whole pipeline from the start. Block lines are cut to the terminal's width,
// so none wraps and a redraw always erases exactly what it drew.
import { isTerminalExecutionStatus } from '../../core/index.js';
import type { ActionStatus, ExecutionPlan, RunEvent, StageStatus } from '../../core/index.js';
import type { Output } from '../output.js';
import { durationBetween, paint, paintStatus } from './style.js';

interface ActionRow {
  name: string;
  runOrder: number;
  status?: ActionStatus;
  start?: string;
  end?: string;
  phase?: string;
}

interface StageRow {
  name: string;
  status?: StageStatus;
  actions: ActionRow[];
}

export interface TtyRenderer {
  onEvent(e: RunEvent): void;
  /** Stops the clock and leaves the last block standing; call once at the end. */
  close(): void;
}

/** The view's rows before anything ran: every stage, and every action in runOrder. */
function rowsOf(plan: Pick<ExecutionPlan, 'stages'>): StageRow[] {
  return plan.stages.map((s) => ({ name: s.name, actions: s.groups.flat().map((a) => ({ name: a.name, runOrder: a.runOrder })) }));
}

/** `text` cut to `width` visible characters (colour codes do not count), with a `…` where it was cut. */
export function fitToWidth(text: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const esc = /^\x1b\[[0-9;]*m/.exec(text.slice(i));
    if (esc) {
      out += esc[0];
      i += esc[0].length - 1;
      continue;
    }
    if (visible === width - 1 && text.slice(i).replace(/\x1b\[[0-9;]*m/g, '').length > 1) {
      return `${out}…${/\x1b\[/.test(out) ? '\x1b[0m' : ''}`;
    }
    out += text[i];
    visible++;
  }
  return out;
}

export function createTtyRenderer(out: Output, plan: Pick<ExecutionPlan, 'stages'>): TtyRenderer {
  const stages = rowsOf(plan);
  const nameWidth = Math.min(24, Math.max(12, ...stages.flatMap((s) => [s.name.length - 2, ...s.actions.map((a) => a.name.length)])) + 1);
  let drawn = 0;
  let closed = false;
  const c = out.color;
  const timer = setInterval(() => redraw(), 250);
  timer.unref();

  const block = (): string[] => {
    const lines: string[] = [];
    for (const s of stages) {
      lines.push(`${paint(c, 'bold', s.name.padEnd(nameWidth + 2))} ${s.status ? paintStatus(c, s.status) : paint(c, 'gray', 'not started')}`);
      for (const a of s.actions) {
        if (!a.status || !a.start) {
          lines.push(`  ${a.name.padEnd(nameWidth)} ${paint(c, 'gray', 'not started')}`);
          continue;
        }
        const phase = a.status === 'InProgress' && a.phase ? paint(c, 'gray', ` ${a.phase}`) : '';
        lines.push(`  ${a.name.padEnd(nameWidth)} ${paintStatus(c, a.status)} ${paint(c, 'gray', durationBetween(a.start, a.end))}${phase}`);
      }
    }
    const width = out.columns ?? 80;
    return lines.map((l) => fitToWidth(l, width));
  };
  const erase = () => {
    // From column 0: what the terminal echoed on the last line (`^C`) would otherwise shift the first row.
    if (drawn > 0) out.stdout(`\r\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const redraw = () => {
    if (closed) return;
    erase();
    const lines = block();
    out.stdout(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  /** A line above the block: erase the block, print, and let the next redraw put the block back below. */
  const above = (line: string) => {
    erase();
    out.stdout(`${line}\n`);
  };
  const find = (stage: string, action?: string) => {
    let s = stages.find((x) => x.name === stage);
    if (!s) {
      s = { name: stage, actions: [] };
      stages.push(s);
    }
    if (action === undefined) return { s, a: undefined };
    let a = s.actions.find((x) => x.name === action);
    if (!a) {
      a = { name: action, runOrder: 1 };
      s.actions.push(a);
    }
    return { s, a };
  };

  return {
    onEvent(e) {
      if (closed) return;
      switch (e.type) {
        case 'stage':
          find(e.stage).s.status = e.status;
          break;
        case 'action': {
          const { a } = find(e.stage, e.action);
          if (!a) break;
          if (e.status === 'InProgress' || !a.start) a.start = e.time;
          a.status = e.status;
          if (e.status !== 'InProgress') a.end = e.time;
          // The reason is printed once here; the execution's last line does not repeat it.
          if (e.status === 'Failed' && e.message) above(`${paint(c, 'red', `${e.stage}.${e.action} failed`)}: ${e.message}`);
          break;
        }
        case 'phase': {
          const { a } = find(e.stage, e.action);
          if (a && e.status === 'IN_PROGRESS') a.phase = e.phase;
          break;
        }
        case 'log':
          above(`${paint(c, 'gray', `[${e.stage}.${e.action}]`)} ${e.line}`);
          break;
        case 'warning':
          above(`${paint(c, 'yellow', 'warning')}: ${e.stage ? `${e.stage}.${e.action}: ` : ''}${e.message}`);
          break;
        case 'artifact':
          above(`${paint(c, 'cyan', 'artifact')} ${e.name}: ${e.path} (${e.size} bytes)`);
          break;
        case 'execution':
          if (e.status === 'Stopping') {
            above(`${paintStatus(c, e.status)}${e.message ? ` (${e.message})` : ''}: running actions are being stopped`);
            break;
          }
          if (isTerminalExecutionStatus(e.status)) {
            redraw();
            drawn = 0; // the last block stays
            closed = true;
            const failedAction = stages.some((s) => s.actions.some((a) => a.status === 'Failed'));
            const why = e.message && !(e.status === 'Failed' && failedAction) ? ` (${e.message})` : '';
            out.stdout(`Execution ${e.executionId}: ${paintStatus(c, e.status)}${why}\n`);
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
      closed = true;
    },
  };
}
