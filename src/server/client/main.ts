// The dashboard's client: a hash router over the pages, one live feed for all of them, the nav.
import './dashboard.css';
import { clear, h } from './dom.js';
import { LiveFeed } from './live.js';
import { executionPage } from './pages/execution.js';
import { executionsPage } from './pages/executions.js';
import { functionPage, functionsPage } from './pages/functions.js';
import { pipelinePage } from './pages/pipeline.js';
import { pipelinesPage } from './pages/pipelines.js';
import { stackPage, stacksPage } from './pages/stacks.js';

interface Config { extraPages: { path: string; title: string }[] }

const config = JSON.parse(document.getElementById('pipe-config')?.textContent ?? '{"extraPages":[]}') as Config;
const app = document.getElementById('app') as HTMLElement;
const live = new LiveFeed(document.getElementById('live'));
let dispose: () => void = () => undefined;

function nav(): void {
  const el = document.getElementById('nav');
  if (!el) return;
  clear(el);
  const pages = [{ path: '#/pipelines', title: 'Pipelines' }, { path: '#/executions', title: 'Executions' }, { path: '#/functions', title: 'Functions' }, { path: '#/stacks', title: 'Stacks' }, ...config.extraPages];
  for (const p of pages) el.append(h('a', { href: p.path, class: location.hash.startsWith(p.path) ? 'current' : '' }, p.title));
}

function route(): void {
  dispose();
  clear(app);
  document.title = 'pipe';
  nav();
  const raw = location.hash.replace(/^#/, '') || '/pipelines';
  const [path = '', search = ''] = raw.split('?');
  const query = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [page, a, b, c, d] = parts;
  if (page === 'pipeline' && a) dispose = pipelinePage(app, a, live);
  else if (page === 'executions') dispose = executionsPage(app, query, live);
  else if (page === 'execution' && a && b === 'log' && c && d) dispose = executionPage(app, a, { stage: c, action: d, ...(query.get('line') ? { line: Number(query.get('line')) } : {}) }, `${c}.${d}`, live);
  else if (page === 'execution' && a) dispose = executionPage(app, a, undefined, query.get('action') ?? undefined, live);
  else if (page === 'functions') dispose = functionsPage(app);
  else if (page === 'function' && a) dispose = functionPage(app, a);
  else if (page === 'stacks') dispose = stacksPage(app);
  else if (page === 'stack' && a) dispose = stackPage(app, a);
  else dispose = pipelinesPage(app, live);
}

window.addEventListener('hashchange', route);
live.start();
route();
