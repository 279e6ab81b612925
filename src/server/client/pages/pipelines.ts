// The Pipelines page: each pipeline with its stages' latest status, the last execution's trigger, source revision
// and age, and how many approvals wait. Read again when an execution of any pipeline changes.
import type { RunEvent } from '../../../core/index.js';
import type { PipelineSummaryView } from '../../views.js';
import { get } from '../api.js';
import { clear, enc, formatAge, h, link, shortId } from '../dom.js';
import type { LiveFeed } from '../live.js';
import { badge, WAITING_ICON } from '../status.js';

export function pipelinesPage(root: HTMLElement, live: LiveFeed): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const load = async () => draw(root, await get<PipelineSummaryView[]>('/api/pipelines'));
  const unsubscribe = live.subscribe((e: RunEvent) => {
    if (e.type !== 'execution' && e.type !== 'stage') return;
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 150);
  });
  void load();
  return () => {
    unsubscribe();
    clearTimeout(timer);
  };
}

function draw(root: HTMLElement, list: PipelineSummaryView[]): void {
  clear(root);
  root.append(h('div', { class: 'page-head' }, h('h1', {}, 'Pipelines')));
  if (list.length === 0) {
    root.append(h('p', { class: 'muted' }, 'No pipeline has run here, and the project has no pipelines/ folder of pipeline files.'));
    return;
  }
  root.append(h('table', { class: 'list', id: 'pipelines' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Stages'), h('th', {}, 'Latest execution'), h('th', {}, 'Trigger'), h('th', {}, 'Source revision'), h('th', {}, 'Started'))),
    h('tbody', {}, ...list.map((p) => h('tr', { 'data-pipeline': p.name },
      h('td', {}, link(`/pipeline/${enc(p.name)}`, p.name), p.waitingApprovals > 0 ? h('span', { class: 'badge tone-waiting' }, h('span', { class: 'icon' }, WAITING_ICON), ` ${p.waitingApprovals} waiting for approval`) : null),
      h('td', { class: 'stage-chips' }, ...p.stages.map((s) => badge('stage', s.status, s.name))),
      h('td', {}, p.latest ? [badge('execution', p.latest.status), ' ', link(`/execution/${enc(p.latest.executionId)}`, shortId(p.latest.executionId))] : h('span', { class: 'muted' }, 'never ran')),
      h('td', {}, p.latest?.trigger.triggerType ?? ''),
      h('td', {}, p.latest?.revision ? h('span', { title: p.latest.revision.commitId }, h('code', {}, p.latest.revision.commitId.slice(0, 7)), ' ', p.latest.revision.summary) : ''),
      h('td', {}, formatAge(p.latest?.startTime)),
    ))),
  ));
  // What the benchmark reads: from navigation to this page drawn.
  performance.mark('pipe:drawn:pipelines');
}
