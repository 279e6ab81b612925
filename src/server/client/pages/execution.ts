// An execution: summary and Stop, a timeline (a Gantt of its actions, parallel ones side by side), each action's
// resolved configuration, artifacts to download, output variables, build phases with durations and test reports,
// the execution's variables, and the live log of any action. Read again after each of its events.
import type { RunEvent } from '../../../core/index.js';
import type { ActionExecutionRecord, ApprovalRecord } from '../../../execute/index.js';
import type { ExecutionView } from '../../views.js';
import { get } from '../api.js';
import { reviewApproval, stopDialog } from '../dialogs.js';
import { clear, enc, formatDuration, h, link, time } from '../dom.js';
import type { LiveFeed } from '../live.js';
import { pageReader } from '../reader.js';
import { badge, WAITING_ICON } from '../status.js';
import { logView } from './log-view.js';

interface PhaseRecord { phase: string; status: string; durationMs: number; context?: { statusCode: string; message: string } }
interface TestReport { type: 'TEST'; group: string; status: string; total: number; passed: number; failed: number; errors: number; skipped: number; durationMs: number; failedCases: TestCaseRow[]; omittedFailedCases?: number; passedCases?: TestCaseRow[]; omittedPassedCases?: number }
interface TestCaseRow { name: string; className?: string; status: string; message?: string; durationMs?: number }

export function executionPage(root: HTMLElement, id: string, log: { stage: string; action: string; line?: number } | undefined, focus: string | undefined, live: LiveFeed): () => void {
  const body = h('div', {});
  root.append(body);
  let logPanel: { el: HTMLElement; dispose: () => void } | undefined;
  // The newest read wins: under load an older answer can come back last, and drawn last it would leave the page on
  // a status the execution has left (the execution Stopped, the page still Stopping) with no event to come.
  const reader = pageReader(() => get<ExecutionView>(`/api/executions/${enc(id)}`), (v) => {
    draw(body, v, focus);
    if (log && !logPanel) {
      logPanel = logView(v.executionId, log.stage, log.action, log.line, live);
      root.append(logPanel.el);
      if (log.line === undefined) logPanel.el.scrollIntoView({ block: 'start' });
    }
  });
  const unsubscribe = live.subscribe((e: RunEvent) => {
    if (!e.executionId.startsWith(id) || e.type === 'log') return;
    reader.soon();
  });
  reader.now();
  return () => {
    unsubscribe();
    reader.dispose();
    logPanel?.dispose();
  };
}

function draw(root: HTMLElement, v: ExecutionView, focus: string | undefined): void {
  clear(root);
  const d = v.detail;
  const running = v.status === 'InProgress' || v.status === 'Stopping';
  root.append(
    h('div', { class: 'page-head' },
      h('h1', {}, link(`/pipeline/${enc(v.pipeline)}`, v.pipeline), ' · ', h('code', {}, v.executionId)),
      h('div', { class: 'summary' }, badge('execution', v.status, v.status), v.statusMessage ? h('span', { class: 'muted' }, v.statusMessage) : null),
      h('div', { class: 'muted' }, `${v.trigger.triggerType} (${v.trigger.triggerDetail}) · `, time(v.startTime), v.durationMs !== undefined ? ` · ${formatDuration(v.durationMs)}` : '', ` · ${v.executionType}`, v.revision ? [' · ', h('code', {}, v.revision.commitId.slice(0, 7)), ` ${v.revision.summary}`] : ''),
      running ? h('div', { class: 'buttons' }, h('button', { class: 'btn danger', id: 'stop', onclick: () => stopDialog(v.executionId) }, 'Stop execution')) : null,
    ),
    ...d.approvals.filter((a) => a.status === 'Waiting' && running).map((a) => approvalBanner(v.executionId, a)),
    d.waitingFor ? h('p', { class: 'notice' }, `Waiting to enter ${d.waitingFor.stage}: ${d.waitingFor.reason}`) : '',
    h('h2', {}, 'Timeline'),
    timeline(v),
    h('h2', {}, 'Actions'),
    ...d.actions.map((a) => actionDetails(v, a, focus === `${a.stage}.${a.action}`)),
    h('h2', {}, 'Variables'),
    kvTable(v.variables, 'No pipeline variables.'),
  );
}

function approvalBanner(executionId: string, a: ApprovalRecord): HTMLElement {
  return h('div', { class: 'approval-banner', role: 'alert' }, h('span', { class: 'icon big' }, WAITING_ICON),
    h('div', {}, h('strong', {}, `Approval waiting: ${a.stage}.${a.action}`)),
    h('button', { class: 'btn warning', onclick: () => reviewApproval(executionId, a.stage, a.action, a.customData) }, 'Review'));
}

/** A Gantt of every action attempt: one row each, bars placed by start and end on the execution's time axis. */
function timeline(v: ExecutionView): HTMLElement {
  const rows = v.detail.actionAttempts;
  const start = Date.parse(v.startTime);
  const end = Math.max(v.endTime ? Date.parse(v.endTime) : Date.now(), ...rows.map((a) => (a.endTime ? Date.parse(a.endTime) : Date.now())));
  const span = Math.max(end - start, 1);
  return h('div', { class: 'gantt', id: 'timeline' }, ...rows.map((a) => {
    const s = Date.parse(a.startTime);
    const e = a.endTime ? Date.parse(a.endTime) : Date.now();
    return h('div', { class: 'gantt-row', 'data-action': `${a.stage}.${a.action}` },
      h('span', { class: 'gantt-label' }, `${a.stage}.${a.action}${a.attempt > 1 ? ` (attempt ${a.attempt})` : ''}`),
      h('span', { class: 'gantt-track' }, h('span', {
        class: `gantt-bar ${badgeTone(a.status)}`,
        style: `left:${(((s - start) / span) * 100).toFixed(2)}%;width:${Math.max(((e - s) / span) * 100, 0.5).toFixed(2)}%`,
        title: `${a.status} · ${formatDuration(e - s)}`,
      })),
      h('span', { class: 'gantt-time' }, formatDuration(e - s)));
  }));
}

function badgeTone(status: string): string {
  return badge('action', status).className.split(' ').find((c) => c.startsWith('tone-')) ?? '';
}

function kvTable(values: Record<string, unknown>, empty: string): HTMLElement {
  const entries = Object.entries(values);
  if (entries.length === 0) return h('p', { class: 'muted' }, empty);
  return h('table', { class: 'kv' }, h('tbody', {}, ...entries.map(([k, x]) => h('tr', {}, h('th', {}, k), h('td', {}, h('code', {}, typeof x === 'string' ? x : JSON.stringify(x)))))));
}

/** Every case the report kept, failed ones first (CodeBuild's DescribeTestCases statuses), and how many it left out. */
function reportTable(r: TestReport): HTMLElement[] {
  const rows = [...r.failedCases, ...(r.passedCases ?? [])];
  const left = (r.omittedFailedCases ?? 0) + (r.omittedPassedCases ?? 0);
  const out: HTMLElement[] = [];
  if (rows.length > 0) {
    out.push(h('table', { class: 'list cases' }, h('thead', {}, h('tr', {}, h('th', {}, 'Test'), h('th', {}, 'Status'), h('th', {}, 'Message'), h('th', {}, 'Duration'))),
      h('tbody', {}, ...rows.map((c) => h('tr', { 'data-status': c.status }, h('td', {}, `${c.className ? `${c.className}.` : ''}${c.name}`), h('td', {}, badge('build', c.status === 'ERROR' ? 'FAILED' : c.status === 'SKIPPED' ? undefined : c.status, c.status)), h('td', {}, c.message ? h('code', {}, c.message) : ''), h('td', {}, formatDuration(c.durationMs)))))));
  }
  if (left > 0) out.push(h('p', { class: 'muted' }, `${left} more test cases are counted above but not kept in the record.`));
  return out;
}

function actionDetails(v: ExecutionView, a: ActionExecutionRecord, open: boolean): HTMLElement {
  const phases = (a.extra['phases'] as PhaseRecord[] | undefined) ?? [];
  const reports = ((a.extra['reports'] as { type: string }[] | undefined) ?? []).filter((r): r is TestReport => r.type === 'TEST');
  const base = `/api/executions/${enc(v.executionId)}/artifacts/${enc(a.stage)}/${enc(a.action)}`;
  return h('details', { class: 'action-details', 'data-action': `${a.stage}.${a.action}`, open: open || a.status === 'Failed' },
    h('summary', {}, badge('action', a.status), ' ', h('strong', {}, `${a.stage}.${a.action}`), h('span', { class: 'muted' }, ` ${a.actionType} · runOrder ${a.runOrder} · `, formatDuration(a.endTime ? Date.parse(a.endTime) - Date.parse(a.startTime) : undefined))),
    a.statusMessage ? h('p', { class: 'message' }, a.statusMessage) : null,
    h('div', { class: 'links' }, link(`/execution/${enc(v.executionId)}/log/${enc(a.stage)}/${enc(a.action)}`, 'Log'), a.externalExecutionId ? h('span', { class: 'muted' }, ` · ${a.externalExecutionId}`) : null),
    h('h3', {}, 'Resolved configuration'), kvTable(a.configuration, 'No configuration.'),
    h('h3', {}, 'Artifacts'),
    a.inputArtifacts.length + a.outputArtifacts.length === 0 ? h('p', { class: 'muted' }, 'None.') : h('ul', { class: 'artifacts' },
      ...a.inputArtifacts.map((x) => h('li', {}, 'input ', h('code', {}, x.name))),
      ...a.outputArtifacts.map((x) => h('li', {}, 'output ', h('a', { href: `${base}/${enc(x.name)}`, download: `${x.name}.zip`, 'data-artifact': x.name }, x.name), x.size !== undefined ? h('span', { class: 'muted' }, ` ${x.size} bytes`) : null))),
    h('h3', {}, 'Output variables'), kvTable(a.outputVariables, 'None.'),
    phases.length > 0 ? [h('h3', {}, 'Build phases'), h('table', { class: 'list phases' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Phase'), h('th', {}, 'Status'), h('th', {}, 'Duration'), h('th', {}, 'Context'))),
      h('tbody', {}, ...phases.map((p) => h('tr', {}, h('td', {}, p.phase), h('td', {}, badge('build', p.status)), h('td', {}, formatDuration(p.durationMs)), h('td', {}, p.context ? `${p.context.statusCode}: ${p.context.message}` : '')))))] : null,
    ...reports.map((r) => h('div', { class: 'report' },
      h('h3', {}, `Test report ${r.group}`),
      h('p', {}, badge('build', r.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED', r.status), ` ${r.passed} passed, ${r.failed} failed, ${r.errors} errors, ${r.skipped} skipped of ${r.total} · ${formatDuration(r.durationMs)}`),
      reportTable(r))),
  );
}
