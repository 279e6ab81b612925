// The dashboard as a hono app: the page and its bundle, the JSON API (reads and the console's actions) and the live
// events. Every route needs the token (the start-up URL sets it as a cookie); errors become JSON in one place.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { isPipeError } from '../core/index.js';
import type { PipeContext } from '../app/index.js';
import { resolveInside } from '../artifacts/index.js';
import { isRegistryError } from '../registry/index.js';
import type { Registry } from '../registry/index.js';
import { answer, changeTransition, releaseChange, retryStage, rollbackStage, stopExecution } from './actions.js';
import { dashboardAsset, dashboardPage } from './assets.js';
import { functionView, listFunctions, listLayers, saveTestEvent, testInvoke } from './functions-model.js';
import type { FunctionsDeps } from './functions-model.js';
import { TOKEN_COOKIE, checkToken, isTokenValid } from './guard.js';
import type { GuardPolicy } from './guard.js';
import type { InvocationJournal } from './invocations.js';
import { actionLog, streamEvents } from './live-events.js';
import { streamDeployEvents } from './deploy-live.js';
import { metricsWindow, streamFunctionMetrics } from './metrics-live.js';
import { listStacks, stackView } from './stacks-model.js';
import { functionMetrics } from './metrics-model.js';
import { ResponseMasker } from './masking.js';
import { executionRows, executionView, pipelineSummaries, pipelineView } from './read-model.js';
import type { ReadDeps } from './read-model.js';

export interface DashboardDeps {
  ctx: PipeContext;
  registry: Registry;
  journal: InvocationJournal;
  pipelinesDir: string;
  policy: () => GuardPolicy;
  /** What the nav links to besides the built-in pages (a room that exports a page adds its entry). */
  extraPages?: { path: string; title: string }[];
}

type Body = Record<string, unknown>;

async function bodyOf(c: Context): Promise<Body> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  const parsed = JSON.parse(text) as unknown;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SyntaxError('the request body must be a JSON object');
  return parsed as Body;
}

const str = (b: Body, k: string): string | undefined => (typeof b[k] === 'string' ? (b[k] as string) : undefined);

export function createDashboardApp(deps: DashboardDeps): Hono {
  const app = new Hono();
  const read: ReadDeps = { ctx: deps.ctx, pipelinesDir: deps.pipelinesDir };
  const fns: FunctionsDeps = { registry: deps.registry, journal: deps.journal, home: deps.ctx.home };
  const masker = new ResponseMasker(deps.ctx);
  const json = (c: Context, value: unknown, status: 200 | 201 | 202 = 200) => c.json(masker.json(value) as object, status);

  // The start-up URL: a valid token becomes an HttpOnly, SameSite=Strict cookie, and the token leaves the address bar.
  app.get('/', (c, next) => {
    const token = c.req.query('token');
    if (token === undefined) return next();
    if (!isTokenValid(token, deps.policy())) return c.text('the token is wrong: open the URL pipe serve printed\n', 401);
    setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
    return c.redirect('/', 302);
  });

  app.use('*', async (c, next) => {
    const verdict = checkToken(Object.fromEntries(c.req.raw.headers), deps.policy());
    if (!verdict.ok) {
      if (c.req.path.startsWith('/api/')) return c.json({ error: 'Unauthorized', message: verdict.message }, 401);
      return c.text(`${verdict.message}\n`, 401);
    }
    await next();
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
  });

  app.get('/', (c) => c.html(dashboardPage(deps.extraPages ?? [])));
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get('/assets/:name', (c) => {
    const asset = dashboardAsset(c.req.param('name'));
    if (!asset) return c.text('not found\n', 404);
    return c.body(asset.body, 200, { 'Content-Type': asset.type });
  });

  app.get('/api/pipelines', async (c) => json(c, await pipelineSummaries(read)));
  app.get('/api/pipelines/:name', async (c) => json(c, await pipelineView(read, c.req.param('name'))));
  app.post('/api/pipelines/:name/release', async (c) => {
    const b = await bodyOf(c);
    const variables = b['variables'] && typeof b['variables'] === 'object' ? Object.fromEntries(Object.entries(b['variables'] as Body).map(([k, v]) => [k, String(v)])) : {};
    return json(c, await releaseChange(read, c.req.param('name'), variables), 202);
  });
  app.post('/api/pipelines/:name/rollback', async (c) => {
    const b = await bodyOf(c);
    return json(c, await rollbackStage(read, c.req.param('name'), str(b, 'stage') ?? '', str(b, 'to')), 202);
  });
  app.post('/api/pipelines/:name/transitions/:stage', async (c) => {
    const b = await bodyOf(c);
    await changeTransition(read, c.req.param('name'), c.req.param('stage'), b['enable'] === true ? { enable: true } : { enable: false, reason: str(b, 'reason') ?? '' });
    return json(c, { ok: true });
  });

  app.get('/api/executions', (c) => {
    const q = (k: string) => c.req.query(k) || undefined;
    const limit = Math.min(Number(c.req.query('limit') ?? 100) || 100, 1000);
    const pipeline = q('pipeline');
    const status = q('status');
    const triggerType = q('trigger');
    return json(c, executionRows(read, { limit, ...(pipeline ? { pipeline } : {}), ...(status ? { status } : {}), ...(triggerType ? { triggerType } : {}) }));
  });
  app.get('/api/executions/:id', (c) => json(c, executionView(read, c.req.param('id'))));
  app.post('/api/executions/:id/stop', async (c) => {
    const b = await bodyOf(c);
    const reason = str(b, 'reason');
    return json(c, stopExecution(read, c.req.param('id'), { abandon: b['abandon'] === true, ...(reason ? { reason } : {}) }), 202);
  });
  app.post('/api/executions/:id/approval', async (c) => {
    const b = await bodyOf(c);
    const summary = str(b, 'summary');
    return json(c, answer(read, c.req.param('id'), str(b, 'action') ?? '', { approve: b['approve'] === true, ...(summary ? { summary } : {}) }), 202);
  });
  app.post('/api/executions/:id/retry', async (c) => {
    const b = await bodyOf(c);
    return json(c, await retryStage(read, c.req.param('id'), str(b, 'stage') ?? '', b['allActions'] === true), 202);
  });
  app.get('/api/executions/:id/log', (c) => {
    const e = deps.ctx.store.getExecution(c.req.param('id'));
    const stage = c.req.query('stage') ?? '';
    const action = c.req.query('action') ?? '';
    if (!e || !e.actions.some((a) => a.stage === stage && a.action === action)) return c.json({ error: 'NotFound', message: `no action ${stage}.${action} in this execution` }, 404);
    return json(c, actionLog(deps.ctx.store, e.executionId, stage, action));
  });
  app.get('/api/executions/:id/artifacts/:stage/:action/:name', (c) => {
    const e = deps.ctx.store.getExecution(c.req.param('id'));
    const a = e?.actions.find((x) => x.stage === c.req.param('stage') && x.action === c.req.param('action'));
    const ref = a?.outputArtifacts.find((x) => x.name === c.req.param('name'));
    if (!e || !ref) return c.json({ error: 'NotFound', message: 'no such artifact' }, 404);
    // The artifact store's own paths, and still through the one guard: nothing outside the store is served.
    const root = deps.ctx.store.runState(e.executionId)?.artifactRoot || deps.ctx.artifactRoot;
    const path = resolveInside(root, relative(root, ref.path));
    if (!existsSync(path)) return c.json({ error: 'NotFound', message: `the artifact's file is gone: ${ref.path}` }, 404);
    const size = statSync(path).size;
    return c.body(Readable.toWeb(createReadStream(path)) as ReadableStream, 200, {
      'Content-Type': 'application/zip',
      'Content-Length': String(size),
      'Content-Disposition': `attachment; filename="${ref.name.replace(/[^A-Za-z0-9._-]/g, '_')}.zip"`,
    });
  });

  app.get('/api/events', (c) => streamEvents(c, deps.ctx.store, masker));

  app.get('/api/functions', async (c) => json(c, await listFunctions(fns)));
  app.get('/api/layers', async (c) => json(c, await listLayers(fns)));
  app.get('/api/functions/:name', async (c) => json(c, await functionView(fns, c.req.param('name'))));
  app.get('/api/functions/:name/metrics', (c) => {
    return json(c, functionMetrics(deps.ctx.db, c.req.param('name'), metricsWindow(c)));
  });
  app.get('/api/functions/:name/metrics-events', (c) => {
    return streamFunctionMetrics(c, deps.ctx.db, c.req.param('name'), metricsWindow(c));
  });
  app.post('/api/functions/:name/invoke', async (c) => {
    const b = await bodyOf(c);
    return json(c, await testInvoke(fns, c.req.param('name'), str(b, 'qualifier'), str(b, 'payload') ?? '{}'));
  });
  app.put('/api/functions/:name/test-events/:event', async (c) => {
    const b = await bodyOf(c);
    return json(c, saveTestEvent(deps.ctx.home, c.req.param('name'), c.req.param('event'), str(b, 'event') ?? '{}'));
  });
  app.delete('/api/functions/:name/test-events/:event', (c) => json(c, saveTestEvent(deps.ctx.home, c.req.param('name'), c.req.param('event'), undefined)));

  app.get('/api/stacks', (c) => json(c, listStacks(deps.ctx.db)));
  app.get('/api/stacks/:name', (c) => json(c, stackView(deps.ctx.db, c.req.param('name'))));
  app.get('/api/deploy-events', (c) => streamDeployEvents(c, deps.ctx.db, masker));

  app.notFound((c) => c.json({ error: 'NotFound', message: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((e, c) => {
    if (e instanceof SyntaxError) return c.json({ error: 'BadRequest', message: `the request body is not JSON: ${e.message}` }, 400);
    if (isRegistryError(e)) return c.json({ error: e.errorName, message: masker.text(e.message) }, e.status as 400);
    if (isPipeError(e)) {
      const status = e.code === 'NOT_FOUND' ? 404 : e.isInputError ? 400 : 500;
      return c.json({ error: e.code, message: masker.text(e.message), ...(e.hint ? { hint: masker.text(e.hint) } : {}) }, status);
    }
    return c.json({ error: 'Internal', message: masker.text(e instanceof Error ? e.message : String(e)) }, 500);
  });
  return app;
}
