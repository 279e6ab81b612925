// The Functions page and a function's page, as the Lambda console shows them: functions (runtime, memory, state,
// last modified), layers and their versions; a function's configuration, versions, aliases with a bar of their
// routing weights, recent invocations, and the Test tab (saved test events, invoke, result, log tail, duration,
// billed duration, max memory).
import type { AliasConfiguration, FunctionConfiguration, FunctionView, LayerSummary, MinuteMetrics, TestInvokeResult } from '../function-shapes.js';
import { act, get, post, put } from '../api.js';
import { minuteChart } from '../charts.js';
import { onDeployChange } from '../deploy-feed.js';
import { clear, enc, formatAge, formatDuration, h, link } from '../dom.js';
import { pageReader } from '../reader.js';

export function functionsPage(root: HTMLElement): () => void {
  void Promise.all([get<FunctionConfiguration[]>('/api/functions'), get<LayerSummary[]>('/api/layers')]).then(([fns, layers]) => {
    clear(root);
    root.append(
      h('div', { class: 'page-head' }, h('h1', {}, 'Functions')),
      fns.length === 0 ? h('p', { class: 'muted' }, 'No functions in the registry.') : h('table', { class: 'list', id: 'functions' },
        h('thead', {}, h('tr', {}, ...['Function name', 'Runtime', 'Memory', 'State', 'Last modified'].map((t) => h('th', {}, t)))),
        h('tbody', {}, ...fns.map((f) => h('tr', { 'data-function': f.FunctionName },
          h('td', {}, link(`/function/${enc(f.FunctionName)}`, f.FunctionName)), h('td', {}, f.Runtime ?? ''), h('td', {}, `${f.MemorySize} MB`),
          h('td', {}, f.State ?? ''), h('td', {}, formatAge(f.LastModified)))))),
      h('h2', {}, 'Layers'),
      layers.length === 0 ? h('p', { class: 'muted' }, 'No layers.') : h('table', { class: 'list', id: 'layers' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Layer'), h('th', {}, 'Versions'), h('th', {}, 'Runtimes'))),
        h('tbody', {}, ...layers.map((l) => h('tr', {}, h('td', {}, l.LayerName),
          h('td', {}, l.versions.map((v) => `${v.Version}${v.Description ? ` (${v.Description})` : ''}`).join(', ')),
          h('td', {}, (l.LatestMatchingVersion.CompatibleRuntimes ?? []).join(', ')))))),
    );
  });
  return () => undefined;
}

export function functionPage(root: HTMLElement, name: string): () => void {
  // The graphs' window as last pushed: newer than what a load read if it came while the load was on its way.
  let pushed: MinuteMetrics[] | undefined;
  const load = async () => {
    const [view, metrics] = await Promise.all([get<FunctionView>(`/api/functions/${enc(name)}`), get<MinuteMetrics[]>(`/api/functions/${enc(name)}/metrics?minutes=30`)]);
    draw(root, view, pushed ?? metrics);
  };
  // The registry's flushes of this function's invocations are pushed (the metrics log, resumed after Last-Event-ID):
  // the graphs are drawn again from the window that comes with each, without a reload.
  const graphs = new EventSource(`/api/functions/${enc(name)}/metrics-events?minutes=30`);
  graphs.addEventListener('ready', () => (document.documentElement.dataset['metricsFeed'] = 'live'));
  graphs.addEventListener('error', () => (document.documentElement.dataset['metricsFeed'] = 'reconnecting'));
  // A flush means new invocations: the list of recent ones is read again too (the newest read wins).
  const recent = pageReader(() => get<FunctionView>(`/api/functions/${enc(name)}`), (v) => document.getElementById('invocations-section')?.replaceWith(invocationTable(v)), 50);
  graphs.addEventListener('metrics', (e) => {
    pushed = JSON.parse((e as MessageEvent<string>).data) as MinuteMetrics[];
    document.getElementById('metrics')?.replaceWith(monitor(pushed));
    recent.soon();
  });
  // A traffic shift of one of its aliases is pushed: the page reads the function again and redraws only its versions
  // and aliases, so the weight bar moves and the Test tab keeps what is typed in it.
  const off = onDeployChange((m) => {
    if (m.kind !== 'deployment' || m.deployment.functionName !== name) return;
    void get<FunctionView>(`/api/functions/${enc(name)}`).then((v) => {
      document.getElementById('versions')?.replaceWith(versionTable(v));
      document.getElementById('aliases-section')?.replaceWith(aliasTable(v));
    });
  });
  void load();
  return () => {
    off();
    recent.dispose();
    graphs.close();
    delete document.documentElement.dataset['metricsFeed'];
  };
}

function weightBar(a: AliasConfiguration): HTMLElement {
  const extra = Object.entries(a.RoutingConfig?.AdditionalVersionWeights ?? {});
  const rest = 1 - extra.reduce((n, [, w]) => n + w, 0);
  const parts = [[a.FunctionVersion, rest] as const, ...extra];
  return h('div', { class: 'weights', 'data-alias': a.Name }, ...parts.map(([version, w], i) =>
    h('span', { class: `weight w${i}`, style: `width:${(w * 100).toFixed(1)}%`, title: `version ${version}: ${(w * 100).toFixed(1)}%` }, `v${version} ${(w * 100).toFixed(0)}%`)));
}

function versionTable(v: FunctionView): HTMLElement {
  return h('table', { class: 'list', id: 'versions' }, h('thead', {}, h('tr', {}, h('th', {}, 'Version'), h('th', {}, 'Description'), h('th', {}, 'CodeSha256'), h('th', {}, 'Last modified'))),
    h('tbody', {}, ...v.versions.map((x) => h('tr', {}, h('td', {}, x.Version), h('td', {}, x.Description ?? ''), h('td', {}, h('code', {}, (x.CodeSha256 ?? '').slice(0, 12))), h('td', {}, formatAge(x.LastModified))))));
}

function aliasTable(v: FunctionView): HTMLElement {
  return h('div', { id: 'aliases-section' }, v.aliases.length === 0 ? h('p', { class: 'muted' }, 'No aliases.') : h('table', { class: 'list', id: 'aliases' }, h('thead', {}, h('tr', {}, h('th', {}, 'Alias'), h('th', {}, 'Version'), h('th', {}, 'Weights'))),
    h('tbody', {}, ...v.aliases.map((a) => h('tr', {}, h('td', {}, a.Name), h('td', {}, a.FunctionVersion), h('td', {}, weightBar(a)))))));
}

/** The Monitor graphs: the last 30 minutes, per minute. */
function monitor(m: MinuteMetrics[]): HTMLElement {
  const starts = m.map((x) => x.start);
  return h('section', { id: 'metrics', class: 'charts' },
    minuteChart('Invocations', 'bars', [{ name: 'Invocations', values: m.map((x) => x.invocations), className: 's0' }], starts),
    minuteChart('Errors', 'bars', [{ name: 'Errors', values: m.map((x) => x.errors), className: 's1' }], starts),
    minuteChart('Throttles', 'bars', [{ name: 'Throttles', values: m.map((x) => x.throttles), className: 's2' }], starts),
    minuteChart('Duration', 'lines', [{ name: 'p50', values: m.map((x) => x.durationP50Ms), className: 's0' }, { name: 'p99', values: m.map((x) => x.durationP99Ms), className: 's1' }], starts, ' ms'));
}

function draw(root: HTMLElement, v: FunctionView, metrics: MinuteMetrics[]): void {
  clear(root);
  const c = v.configuration;
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, link('/functions', 'Functions'), ' · ', c.FunctionName),
      h('div', { class: 'muted' }, `${c.Runtime ?? ''} · ${c.Handler ?? ''} · ${c.MemorySize} MB · ${c.Timeout} s · ${c.State ?? ''} · modified ${formatAge(c.LastModified)}`)),
    h('h2', {}, 'Versions'),
    versionTable(v),
    h('h2', {}, 'Aliases'),
    aliasTable(v),
    h('h2', {}, 'Monitor (last 30 minutes)'),
    monitor(metrics),
    h('h2', {}, 'Environment variables'),
    Object.keys(c.Environment?.Variables ?? {}).length === 0 ? h('p', { class: 'muted' }, 'None.') :
      h('table', { class: 'kv' }, h('tbody', {}, ...Object.entries(c.Environment?.Variables ?? {}).map(([k, x]) => h('tr', {}, h('th', {}, k), h('td', {}, h('code', {}, x)))))),
    testTab(c.FunctionName, v),
    h('h2', {}, 'Recent invocations'),
    invocationTable(v),
  );
}

function invocationTable(v: FunctionView): HTMLElement {
  return h('div', { id: 'invocations-section' }, v.invocations.length === 0 ? h('p', { class: 'muted' }, 'None yet.') : h('table', { class: 'list', id: 'invocations' },
    h('thead', {}, h('tr', {}, ...['Time', 'Version', 'Status', 'Duration', 'Billed', 'Max memory', 'Request id', 'Log tail'].map((t) => h('th', {}, t)))),
    h('tbody', {}, ...v.invocations.map((r) => h('tr', {}, h('td', {}, formatAge(r.time)), h('td', {}, r.version), h('td', {}, r.status === 'Succeeded' ? '✔ Succeeded' : `✖ ${r.functionError ?? 'Failed'}`),
      h('td', {}, formatDuration(r.report?.durationMs ?? r.durationMs)), h('td', {}, r.report ? `${r.report.billedDurationMs} ms` : ''), h('td', {}, r.report ? `${r.report.maxMemoryUsedMb} MB` : ''),
      h('td', {}, h('code', {}, r.requestId)), h('td', {}, h('details', {}, h('summary', {}, 'log'), h('pre', {}, r.logTail))))))));
}

function testTab(fn: string, v: FunctionView): HTMLElement {
  const names = Object.keys(v.testEvents);
  const select = h('select', { id: 'test-event-select' }, h('option', { value: '' }, 'New event'), ...names.map((n) => h('option', { value: n }, n)));
  const nameInput = h('input', { id: 'test-event-name', type: 'text', placeholder: 'Event name', value: names[0] ?? '' });
  const payload = h('textarea', { id: 'test-event', rows: 6, spellcheck: 'false' }, names[0] ? (v.testEvents[names[0]] ?? '{}') : '{\n  "key1": "value1"\n}');
  const qualifier = h('select', { id: 'test-qualifier' }, h('option', { value: '' }, '$LATEST'), ...v.versions.filter((x) => x.Version !== '$LATEST').map((x) => h('option', { value: x.Version }, `version ${x.Version}`)), ...v.aliases.map((a) => h('option', { value: a.Name }, `alias ${a.Name}`)));
  if (names[0]) select.value = names[0];
  select.addEventListener('change', () => {
    nameInput.value = select.value;
    payload.value = select.value ? (v.testEvents[select.value] ?? '{}') : '{}';
  });
  const result = h('div', { id: 'test-result', class: 'test-result' });
  const invoke = async () => {
    const r = await post<TestInvokeResult>(`/api/functions/${enc(fn)}/invoke`, { payload: payload.value, ...(qualifier.value ? { qualifier: qualifier.value } : {}) });
    clear(result);
    result.append(
      h('p', { class: r.functionError ? 'failed' : 'succeeded', id: 'test-status' }, r.functionError ? `✖ Execution result: failed (${r.functionError})` : '✔ Execution result: succeeded'),
      h('table', { class: 'kv' }, h('tbody', {},
        h('tr', {}, h('th', {}, 'Duration'), h('td', { id: 'test-duration' }, r.durationMs !== undefined ? `${r.durationMs} ms` : '')),
        h('tr', {}, h('th', {}, 'Billed duration'), h('td', { id: 'test-billed' }, r.billedDurationMs !== undefined ? `${r.billedDurationMs} ms` : '')),
        h('tr', {}, h('th', {}, 'Max memory used'), h('td', { id: 'test-memory' }, r.maxMemoryUsedMb !== undefined ? `${r.maxMemoryUsedMb} MB of ${r.memorySizeMb ?? ''} MB` : '')),
        h('tr', {}, h('th', {}, 'Request id'), h('td', {}, h('code', { id: 'test-request-id' }, r.requestId))),
        h('tr', {}, h('th', {}, 'Executed version'), h('td', {}, r.executedVersion ?? '')))),
      h('h3', {}, 'Response'), h('pre', { id: 'test-payload' }, r.payload),
      h('h3', {}, 'Log output'), h('pre', { id: 'test-log' }, r.logTail),
    );
  };
  return h('section', { class: 'test-tab', id: 'test-tab' },
    h('h2', {}, 'Test'),
    h('div', { class: 'row' }, select, nameInput, qualifier),
    payload,
    h('div', { class: 'buttons' },
      h('button', { class: 'btn', id: 'test-save', onclick: () => act(async () => {
        await put(`/api/functions/${enc(fn)}/test-events/${enc(nameInput.value)}`, { event: payload.value });
        v.testEvents[nameInput.value] = payload.value;
        if (![...select.options].some((o) => o.value === nameInput.value)) select.append(h('option', { value: nameInput.value }, nameInput.value));
        select.value = nameInput.value;
      }) }, 'Save'),
      h('button', { class: 'btn primary', id: 'test-invoke', onclick: () => act(invoke) }, 'Test')),
    result,
  );
}
