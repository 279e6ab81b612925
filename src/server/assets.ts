// The page and its bundle: one HTML shell, and the client (src/server/client/, bundled by scripts/bundle-client.mjs
// into dist/dashboard.js and dist/dashboard.css), served from disk; nothing is fetched from anywhere else.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../infra/index.js';

const TYPES: Record<string, string> = {
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
  'dashboard.js.map': 'application/json',
};

const cache = new Map<string, Buffer>();

export function dashboardAsset(name: string): { body: ArrayBuffer; type: string } | undefined {
  const type = TYPES[name];
  if (!type) return undefined;
  let body = cache.get(name);
  if (!body) {
    const file = join(projectRoot(), 'dist', name);
    if (!existsSync(file)) return undefined;
    body = readFileSync(file);
    if (!process.env['PIPE_DASHBOARD_DEV']) cache.set(name, body);
  }
  return { body: body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer, type };
}

/** Whether the client bundle was built (`npm run build`): without it the page says so instead of staying blank. */
export function hasDashboardBundle(): boolean {
  return existsSync(join(projectRoot(), 'dist', 'dashboard.js'));
}

export function dashboardPage(extraPages: { path: string; title: string }[]): string {
  const config = JSON.stringify({ extraPages }).replace(/</g, '\\u003c');
  const missing = hasDashboardBundle() ? '' : '<p class="missing">The dashboard\'s client is not built: run <code>npm run build</code>.</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pipe</title>
<link rel="stylesheet" href="/assets/dashboard.css">
</head>
<body>
<header class="top"><a class="brand" href="#/pipelines">pipe</a><nav id="nav"></nav><span id="live" class="live" title="live events">connecting</span></header>
<main id="app">${missing}</main>
<script id="pipe-config" type="application/json">${config}</script>
<script type="module" src="/assets/dashboard.js"></script>
</body>
</html>
`;
}
