// The Pipeline page, as CodePipeline's console draws it: stages top to bottom with their action tiles, transition
// arrows between them, the execution each stage holds and those waiting; Release change, Stop, Retry, Rollback,
// and a waiting approval impossible to miss. Live: an event changes its tile at once, then the page is read again.
import type { RunEvent } from '../../../core/index.js';
import type { ActionTile, PipelineView, StageCard } from '../../views.js';
import { CHANGED_EVENT, act, get, post } from '../api.js';
import { disableTransitionDialog, releaseDialog, reviewApproval, stopDialog } from '../dialogs.js';
import { clear, enc, formatAge, formatDuration, h, link, shortId } from '../dom.js';
import type { LiveFeed } from '../live.js';
import { pageReader } from '../reader.js';
import { badge, setBadge, toneOf, WAITING_ICON } from '../status.js';

export function pipelinePage(root: HTMLElement, name: string, live: LiveFeed): () => void {
  const mine = new Set<string>();
  // The newest read wins (reader.ts): an older answer that comes back last is not drawn over a newer one.
  const reader = pageReader(() => get<PipelineView>(`/api/pipelines/${enc(name)}`), (v) => {
    for (const s of v.stages) {
      if (s.executionId) mine.add(s.executionId);
      for (const w of s.waiting) mine.add(w.executionId);
    }
    if (v.latest) mine.add(v.latest.executionId);
    draw(root, v);
  });
  const reload = () => reader.soon();
  const onEvent = (e: RunEvent) => {
    if (e.type === 'execution' && e.pipeline === name) mine.add(e.executionId);
    if (!mine.has(e.executionId)) return;
    patch(root, e);
    if (e.type !== 'log') reload();
  };
  const unsubscribe = live.subscribe(onEvent);
  window.addEventListener(CHANGED_EVENT, reload);
  reader.now();
  return () => {
    unsubscribe();
    window.removeEventListener(CHANGED_EVENT, reload);
    reader.dispose();
  };
}

/**
 * An event drawn at once, before the page is read again: a stage's or an action's status. An event of another
 * execution than the one a stage card was drawn with leaves the card's links and buttons pointing at the old one
 * until the read redraws it, so they are made inert meanwhile (a Details click would open the previous execution).
 */
function patch(root: HTMLElement, e: RunEvent): void {
  if (e.type === 'stage' || e.type === 'action') {
    const card = root.querySelector<HTMLElement>(`[data-stage="${CSS.escape(e.stage)}"]`);
    if (card && card.dataset['drawnExecution'] !== e.executionId) makeInert(card);
  }
  if (e.type === 'action') {
    // A tile can be drawn from an older execution than its card: read after the stage started, before the action did.
    const tile = root.querySelector<HTMLElement>(`[data-action="${CSS.escape(`${e.stage}.${e.action}`)}"]`);
    if (tile && tile.dataset['drawnExecution'] !== e.executionId) makeInert(tile);
  }
  if (e.type === 'stage') {
    const card = root.querySelector<HTMLElement>(`[data-stage="${CSS.escape(e.stage)}"]`);
    const el = card?.querySelector<HTMLElement>('[data-role=stage-status]');
    if (card && el) {
      setBadge(el, 'stage', e.status);
      card.dataset['tone'] = toneOf('stage', e.status);
      card.dataset['execution'] = e.executionId;
    }
  } else if (e.type === 'action') {
    const el = root.querySelector<HTMLElement>(`[data-action="${CSS.escape(`${e.stage}.${e.action}`)}"] [data-role=action-status]`);
    if (el) setBadge(el, 'action', e.status);
  }
}

function makeInert(el: HTMLElement): void {
  for (const x of el.querySelectorAll('a, button')) x.setAttribute('inert', '');
}

function draw(root: HTMLElement, v: PipelineView): void {
  clear(root);
  const running = v.latest && (v.latest.status === 'InProgress' || v.latest.status === 'Stopping') ? v.latest : undefined;
  root.append(
    h('div', { class: 'page-head' },
      h('h1', {}, v.name),
      h('span', { class: 'muted' }, v.file, ' · ', v.executionMode, ' mode'),
      h('div', { class: 'buttons' },
        h('button', { class: 'btn primary', id: 'release', onclick: () => releaseDialog(v.name, v.variables, (id) => { location.hash = `#/pipeline/${enc(v.name)}?started=${enc(id)}`; }) }, 'Release change'),
        running ? h('button', { class: 'btn danger', id: 'stop', onclick: () => stopDialog(running.executionId) }, 'Stop execution') : null,
        link(`/executions?pipeline=${enc(v.name)}`, 'View history'),
      ),
    ),
  );
  // In the tab's title too, so a waiting approval shows from another tab.
  document.title = v.waitingApprovals.length > 0 ? `${WAITING_ICON} ${v.waitingApprovals.length} waiting for approval · ${v.name} · pipe` : `${v.name} · pipe`;
  for (const a of v.waitingApprovals) {
    root.append(h('div', { class: 'approval-banner', role: 'alert', 'data-approval': `${a.stage}.${a.action}` },
      h('span', { class: 'icon big' }, WAITING_ICON),
      h('div', {}, h('strong', {}, `Approval waiting: ${a.stage}.${a.action}`), h('div', { class: 'muted' }, `execution ${shortId(a.executionId)} · expires ${new Date(a.expiresAt).toLocaleString()}`)),
      h('button', { class: 'btn warning', onclick: () => reviewApproval(a.executionId, a.stage, a.action, a.customData) }, 'Review'),
    ));
  }
  v.stages.forEach((s, i) => {
    if (i > 0) root.append(transitionArrow(v, s));
    root.append(stageCard(v, s, i === 0));
  });
}

function transitionArrow(v: PipelineView, s: StageCard): HTMLElement {
  const t = s.transition ?? { enabled: true };
  return h('div', { class: `transition ${t.enabled ? '' : 'disabled'}`, 'data-transition': s.name },
    h('span', { class: 'arrow', 'aria-hidden': 'true' }, t.enabled ? '↓' : '⤓'),
    t.enabled
      ? h('button', { class: 'btn small ghost', onclick: () => disableTransitionDialog(v.name, s.name) }, 'Disable transition')
      : h('span', {}, h('span', { class: 'struck' }, 'Transition disabled'), `: ${t.reason ?? ''} `,
          h('button', { class: 'btn small', onclick: () => act(() => post(`/api/pipelines/${enc(v.name)}/transitions/${enc(s.name)}`, { enable: true })) }, 'Enable transition')),
    s.waiting.length > 0 ? h('span', { class: 'waiting' }, 'waiting: ', ...s.waiting.map((w) => link(`/execution/${enc(w.executionId)}`, shortId(w.executionId), ' '))) : null,
  );
}

function stageCard(v: PipelineView, s: StageCard, first: boolean): HTMLElement {
  const canRetry = s.executionId && (s.status === 'Failed' || s.status === 'Stopped');
  const isSource = s.actions.every((a) => a.category === 'Source');
  const retry = (allActions: boolean) => () => act(() => post(`/api/executions/${enc(s.executionId ?? '')}/retry`, { stage: s.name, allActions }));
  return h('section', { class: 'stage', 'data-stage': s.name, 'data-tone': toneOf('stage', s.status), 'data-execution': s.executionId ?? '', 'data-drawn-execution': s.executionId ?? '' },
    h('div', { class: 'stage-bar' }),
    h('header', {},
      h('h2', {}, s.name),
      roled(badge('stage', s.status), 'stage-status'),
      s.executionId ? h('span', { class: 'muted' }, 'execution ', link(`/execution/${enc(s.executionId)}`, shortId(s.executionId)), s.attempt && s.attempt > 1 ? ` · attempt ${s.attempt}` : '') : null,
      s.heldBy && s.heldBy !== s.executionId ? h('span', { class: 'muted' }, ' · held by ', link(`/execution/${enc(s.heldBy)}`, shortId(s.heldBy))) : null,
      h('div', { class: 'buttons' },
        canRetry ? h('button', { class: 'btn small', 'data-retry': 'failed', title: `retries: ${s.actions.filter((a) => a.status !== 'Succeeded').map((a) => a.name).join(', ')}`, onclick: retry(false) }, 'Retry failed actions') : null,
        canRetry ? h('button', { class: 'btn small ghost', 'data-retry': 'all', onclick: retry(true) }, 'Retry all actions') : null,
        !first && !isSource && v.executionMode !== 'PARALLEL' ? h('button', { class: 'btn small ghost', onclick: () => act(() => post(`/api/pipelines/${enc(v.name)}/rollback`, { stage: s.name })) }, 'Start rollback') : null,
      ),
    ),
    h('div', { class: 'actions' }, ...s.actions.map((a) => actionTile(s, a))),
  );
}

function actionTile(s: StageCard, a: ActionTile): HTMLElement {
  const details = a.executionId ? `/execution/${enc(a.executionId)}?action=${enc(`${s.name}.${a.name}`)}` : undefined;
  return h('div', { class: `tile ${a.approval ? 'needs-approval' : ''}`, 'data-action': `${s.name}.${a.name}`, 'data-drawn-execution': a.executionId ?? '' },
    h('div', { class: 'tile-head' }, h('strong', {}, a.name), h('span', { class: 'provider' }, a.provider)),
    roled(a.approval ? badge('approval', 'Waiting') : badge('action', a.status), 'action-status'),
    h('div', { class: 'muted' }, a.startTime ? `${formatAge(a.startTime)}${a.durationMs !== undefined ? ` · ${formatDuration(a.durationMs)}` : ''}` : ''),
    a.statusMessage && a.status === 'Failed' ? h('div', { class: 'message' }, a.statusMessage) : null,
    h('div', { class: 'links' },
      details ? link(details, 'Details') : null,
      a.executionId && a.category === 'Build' ? link(`/execution/${enc(a.executionId)}/log/${enc(s.name)}/${enc(a.name)}`, 'Logs') : null,
      a.approval && a.executionId ? h('button', { class: 'btn small warning', onclick: () => reviewApproval(a.executionId ?? '', s.name, a.name, a.approval?.customData) }, 'Review') : null,
    ),
  );
}

function roled(el: HTMLElement, role: string): HTMLElement {
  el.dataset['role'] = role;
  return el;
}
