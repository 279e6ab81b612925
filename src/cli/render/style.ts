// Terminal styling: colours only when wanted, durations, status colours from one table.
import type { ActionStatus, ExecutionStatus, StageStatus } from '../../core/index.js';

type AnyStatus = ExecutionStatus | StageStatus | ActionStatus;

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export function paint(enabled: boolean, colour: Colour, text: string): string {
  return enabled ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text;
}

const STATUS_COLOUR: Record<AnyStatus, Colour> = {
  InProgress: 'blue',
  Stopping: 'yellow',
  Stopped: 'yellow',
  Succeeded: 'green',
  Superseded: 'gray',
  Failed: 'red',
  Cancelled: 'gray',
  Abandoned: 'yellow',
};

export function paintStatus(enabled: boolean, status: AnyStatus): string {
  return paint(enabled, STATUS_COLOUR[status], status);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

export function durationBetween(start: string, end?: string): string {
  return formatDuration((end ? Date.parse(end) : Date.now()) - Date.parse(start));
}
