// Small inline SVG charts for a function's per-minute metrics (no chart library): bars for counts, lines for
// durations, the largest value and the window's total in the title.
import { h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const W = 300;
const H = 80;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export interface Series { name: string; values: (number | undefined)[]; className: string }

/** One chart: `kind` bars (a count per minute) or lines (a duration per minute, gaps where none ran). */
export function minuteChart(metric: string, kind: 'bars' | 'lines', series: Series[], starts: number[], unit = ''): HTMLElement {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  const max = Math.max(1, ...all);
  const total = kind === 'bars' ? all.reduce((a, b) => a + b, 0) : undefined;
  const n = Math.max(1, starts.length);
  const step = W / n;
  const y = (v: number) => H - (v / max) * (H - 4);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'chart', role: 'img', 'data-metric': metric, ...(total === undefined ? {} : { 'data-total': total }) });
  chart.append(svg('line', { x1: 0, y1: H - 0.5, x2: W, y2: H - 0.5, class: 'axis' }));
  for (const s of series) {
    if (kind === 'bars') {
      s.values.forEach((v, i) => {
        if (!v) return;
        const bar = svg('rect', { x: i * step + 1, y: y(v), width: Math.max(1, step - 2), height: H - y(v), class: s.className });
        bar.append(svg('title', {}));
        bar.lastElementChild!.textContent = `${new Date(starts[i] ?? 0).toLocaleTimeString()}: ${v}`;
        chart.append(bar);
      });
    } else {
      // One polyline per run of minutes that have a value.
      let run: string[] = [];
      const flush = () => {
        if (run.length > 0) chart.append(svg('polyline', { points: run.join(' '), class: s.className, fill: 'none' }));
        run = [];
      };
      s.values.forEach((v, i) => (v === undefined ? flush() : run.push(`${(i + 0.5) * step},${y(v)}`)));
      flush();
      // A dot per minute too: a lone minute has no line to draw.
      s.values.forEach((v, i) => {
        if (v !== undefined) chart.append(svg('circle', { cx: (i + 0.5) * step, cy: y(v), r: 2.5, class: s.className }));
      });
    }
  }
  const legend = series.length < 2 ? [] : series.map((s) => h('span', { class: `legend ${s.className}` }, s.name));
  const head = total !== undefined ? `${total} in ${starts.length} min` : all.length === 0 ? 'no invocation' : `max ${Math.round(max * 100) / 100}${unit}`;
  return h('figure', { class: 'metric' }, h('figcaption', {}, h('strong', {}, metric), ' ', h('span', { class: 'muted' }, head), ' ', ...legend), chart);
}
