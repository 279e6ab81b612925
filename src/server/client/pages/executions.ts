// The Executions page: history with status, trigger, source revision, start, duration and type, filtered by
// pipeline, status and trigger (the filters live in the address, so a filtered view can be linked to).
import { EXECUTION_STATUSES } from '../../../core/index.js';
import type { ExecutionRow } from '../../views.js';
import { get } from '../api.js';
import { clear, enc, formatDuration, h, link, shortId, time } from '../dom.js';
import type { LiveFeed } from '../live.js';
import { badge } from '../status.js';

const TRIGGERS = ['StartPipelineExecution', 'Webhook', 'GitHook', 'Retry', 'ManualRollback', 'AutomatedRollback'] as const;

export function executionsPage(root: HTMLElement, query: URLSearchParams, live: LiveFeed): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const params = new URLSearchParams();
  for (const k of ['pipeline', 'status', 'trigger']) if (query.get(k)) params.set(k, query.get(k) ?? '');
  const load = async () => draw(root, query, await get<ExecutionRow[]>(`/api/executions?${params.toString()}`));
  const unsubscribe = live.subscribe((e) => {
    if (e.type !== 'execution') return;
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 150);
  });
  void load();
  return () => {
    unsubscribe();
    clearTimeout(timer);
  };
}

function filter(name: string, query: URLSearchParams, options: readonly string[]): HTMLSelectElement {
  const select = h('select', { name, id: `filter-${name}`, onchange: (e: Event) => {
    const q = new URLSearchParams(query);
    const v = (e.target as HTMLSelectElement).value;
    if (v) q.set(name, v);
    else q.delete(name);
    location.hash = `#/executions?${q.toString()}`;
  } }, h('option', { value: '' }, `any ${name}`), ...options.map((o) => h('option', { value: o, selected: query.get(name) === o }, o)));
  return select;
}

function draw(root: HTMLElement, query: URLSearchParams, rows: ExecutionRow[]): void {
  clear(root);
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, query.get('pipeline') ? `Executions of ${query.get('pipeline') ?? ''}` : 'Executions'),
      h('div', { class: 'filters' }, filter('status', query, EXECUTION_STATUSES), filter('trigger', query, TRIGGERS))),
    h('table', { class: 'list', id: 'executions' },
      h('thead', {}, h('tr', {}, ...['Execution', 'Pipeline', 'Status', 'Source revision', 'Trigger', 'Started', 'Duration', 'Type'].map((t) => h('th', {}, t)))),
      h('tbody', {}, ...rows.map((e) => h('tr', { 'data-execution': e.executionId },
        h('td', {}, link(`/execution/${enc(e.executionId)}`, shortId(e.executionId))),
        h('td', {}, link(`/pipeline/${enc(e.pipeline)}`, e.pipeline)),
        h('td', {}, badge('execution', e.status), e.statusMessage ? h('div', { class: 'muted' }, e.statusMessage) : null),
        h('td', {}, e.revision ? [h('code', {}, e.revision.commitId.slice(0, 7)), ' ', e.revision.summary] : ''),
        h('td', { title: e.trigger.triggerDetail }, e.trigger.triggerType),
        h('td', {}, time(e.startTime)),
        h('td', {}, formatDuration(e.durationMs)),
        h('td', {}, e.executionType),
      ))),
    ),
    rows.length === 0 ? h('p', { class: 'muted' }, 'No execution matches.') : '',
  );
  performance.mark('pipe:drawn:executions');
}
