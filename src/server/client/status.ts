// How every status is drawn: a colour AND an icon AND its text, for each status set of core (the compiler checks
// that none is missing); the words are AWS's, as core spells them.
import type { ActionStatus, ApprovalStatus, BuildStatus, ExecutionStatus, StageStatus } from '../../core/index.js';
import { h } from './dom.js';

type Tone = 'progress' | 'success' | 'failure' | 'stopped' | 'neutral' | 'waiting';
interface Look { tone: Tone; icon: string }

const EXECUTION: Record<ExecutionStatus, Look> = {
  InProgress: { tone: 'progress', icon: '◔' },
  Succeeded: { tone: 'success', icon: '✔' },
  Failed: { tone: 'failure', icon: '✖' },
  Stopped: { tone: 'stopped', icon: '■' },
  Stopping: { tone: 'waiting', icon: '◼' },
  Superseded: { tone: 'neutral', icon: '⤼' },
  Cancelled: { tone: 'neutral', icon: '⊘' },
};
const STAGE: Record<StageStatus, Look> = {
  InProgress: EXECUTION.InProgress, Succeeded: EXECUTION.Succeeded, Failed: EXECUTION.Failed, Stopped: EXECUTION.Stopped,
  Stopping: EXECUTION.Stopping, Cancelled: EXECUTION.Cancelled,
};
const ACTION: Record<ActionStatus, Look> = {
  InProgress: EXECUTION.InProgress, Succeeded: EXECUTION.Succeeded, Failed: EXECUTION.Failed, Abandoned: { tone: 'stopped', icon: '⊘' },
};
/**
 * The waiting approval's icon, wherever one is shown. Every icon here is a character the common fonts have
 * (DejaVu, Segoe UI Symbol, Apple Symbols): `⏸` and `⌛` were drawn as empty boxes on a machine with DejaVu only.
 */
export const WAITING_ICON = '∥';
const CLOCK_ICON = '◷';
const APPROVAL: Record<ApprovalStatus, Look> = {
  Waiting: { tone: 'waiting', icon: WAITING_ICON }, Approved: EXECUTION.Succeeded, Rejected: EXECUTION.Failed,
  Expired: { tone: 'neutral', icon: CLOCK_ICON }, Abandoned: ACTION.Abandoned,
};
const BUILD: Record<BuildStatus, Look> = {
  IN_PROGRESS: EXECUTION.InProgress, SUCCEEDED: EXECUTION.Succeeded, FAILED: EXECUTION.Failed, FAULT: EXECUTION.Failed,
  TIMED_OUT: { tone: 'failure', icon: CLOCK_ICON }, STOPPED: EXECUTION.Stopped,
};
const NONE: Look = { tone: 'neutral', icon: '○' };

export type AnyStatus = ExecutionStatus | StageStatus | ActionStatus | ApprovalStatus | BuildStatus;

function lookOf(kind: 'execution' | 'stage' | 'action' | 'approval' | 'build', status: string | undefined): Look {
  if (status === undefined) return NONE;
  const table: Record<string, Look> = kind === 'execution' ? EXECUTION : kind === 'stage' ? STAGE : kind === 'action' ? ACTION : kind === 'approval' ? APPROVAL : BUILD;
  return table[status] ?? NONE;
}

/** A status badge: colour, icon and text; `data-status` lets a live event change it in place. */
export function badge(kind: 'execution' | 'stage' | 'action' | 'approval' | 'build', status: string | undefined, text?: string): HTMLElement {
  const el = h('span', { class: 'badge' });
  setBadge(el, kind, status, text);
  return el;
}

export function setBadge(el: HTMLElement, kind: 'execution' | 'stage' | 'action' | 'approval' | 'build', status: string | undefined, text?: string): void {
  const look = lookOf(kind, status);
  el.className = `badge tone-${look.tone}`;
  el.dataset['status'] = status ?? '';
  el.dataset['kind'] = kind;
  el.textContent = '';
  el.append(h('span', { class: 'icon', 'aria-hidden': 'true' }, look.icon), ' ', text ?? (status === undefined ? 'No runs yet' : status === 'Waiting' ? 'Waiting for approval' : status));
}

export function toneOf(kind: 'execution' | 'stage' | 'action' | 'approval' | 'build', status: string | undefined): Tone {
  return lookOf(kind, status).tone;
}
