// An action's live log: ANSI colours, follow (keep the newest line in view), search (matching lines marked, the
// count shown), and a link to each line (…/log/Stage/Action?line=N).
import type { RunEvent } from '../../../core/index.js';
import { get } from '../api.js';
import { ansiLine } from '../ansi.js';
import { enc, h } from '../dom.js';
import type { LiveFeed } from '../live.js';
import { pageReader } from '../reader.js';

export function logView(executionId: string, stage: string, action: string, focusLine: number | undefined, live: LiveFeed): { el: HTMLElement; dispose: () => void } {
  const lines = h('ol', { class: 'log-lines', id: 'log-lines' });
  const follow = h('input', { type: 'checkbox', id: 'log-follow', checked: focusLine === undefined });
  const search = h('input', { type: 'search', id: 'log-search', placeholder: 'Search the log' });
  const count = h('span', { class: 'muted', id: 'log-count' });
  const el = h('section', { class: 'log-view', 'data-log': `${stage}.${action}` },
    h('div', { class: 'log-tools' }, h('strong', {}, `Log of ${stage}.${action}`), h('label', {}, follow, ' Follow'), search, count),
    h('div', { class: 'log-scroll', id: 'log-scroll' }, lines),
  );
  let n = 0;
  const base = `#/execution/${enc(executionId)}/log/${enc(stage)}/${enc(action)}`;
  const matches = (text: string) => search.value !== '' && text.toLowerCase().includes(search.value.toLowerCase());
  const add = (text: string) => {
    n += 1;
    const li = h('li', { id: `L${n}`, 'data-line': n, class: matches(text) ? 'hit' : '' }, h('a', { class: 'ln', href: `${base}?line=${n}` }, String(n)), h('span', { class: 'text' }, ansiLine(text)));
    li.dataset['raw'] = text;
    lines.append(li);
    if (n === focusLine) {
      li.classList.add('focus');
      li.scrollIntoView({ block: 'center' });
    }
  };
  const scrollDown = () => {
    if (follow.checked) {
      const box = el.querySelector('#log-scroll');
      if (box) box.scrollTop = box.scrollHeight;
    }
  };
  search.addEventListener('input', () => {
    let hits = 0;
    for (const li of lines.children) {
      const hit = matches((li as HTMLElement).dataset['raw'] ?? '');
      li.classList.toggle('hit', hit);
      if (hit) hits += 1;
    }
    count.textContent = search.value ? `${hits} matching line${hits === 1 ? '' : 's'}` : '';
    lines.querySelector('.hit')?.scrollIntoView({ block: 'center' });
  });
  // Live lines are held until the stored ones are drawn, then those after the stored ones' sequence number follow.
  let upTo: number | undefined;
  const held: { seq: number; text: string }[] = [];
  const unsubscribe = live.subscribe((e: RunEvent, seq) => {
    if (e.executionId !== executionId || !(e.type === 'log' || e.type === 'warning') || e.stage !== stage || e.action !== action) return;
    const text = e.type === 'log' ? e.line : `Warning: ${e.message}`;
    if (upTo === undefined) held.push({ seq, text });
    else if (seq > upTo) {
      add(text);
      scrollDown();
    }
  });
  // Read once; a read that fails is tried again (reader.ts), else the live lines would stay held for good.
  const stored = pageReader(() => get<{ lines: string[]; seq: number }>(`/api/executions/${enc(executionId)}/log?stage=${enc(stage)}&action=${enc(action)}`), (r) => {
    for (const l of r.lines) add(l);
    upTo = r.seq;
    for (const x of held) if (x.seq > r.seq) add(x.text);
    held.length = 0;
    scrollDown();
  });
  stored.now();
  return {
    el,
    dispose: () => {
      unsubscribe();
      stored.dispose();
    },
  };
}
