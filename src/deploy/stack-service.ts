// Stack operations as steps: plan a template against the stack, create or update it level by level, roll it back
// on any failure to exactly what it was, delete it leaving nothing, and recover stacks whose process died.
import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { DEFAULT_ACCOUNT, DEFAULT_REGION, PipeError, canUpdateStack, describeError, isStableStackStatus } from '../core/index.js';
import type { GatewayRoute, StackStatus } from '../core/index.js';
import { isProcessAlive } from '../infra/index.js';
import type { Db } from '../infra/index.js';
import { entry, loadTemplate } from '../parse/index.js';
import type { LambdaApi } from '../registry/index.js';
import { applyResource } from './stack-apply.js';
import type { ApplyContext } from './stack-apply.js';
import { planStack } from './stack-plan.js';
import type { StackPlan } from './stack-plan.js';
import { StackResolver } from './stack-resolver.js';
import type { ResolveInput } from './stack-resolver.js';
import type { DeployedState } from './stack-state.js';
import { StackStore } from './stack-store.js';
import type { StackOperation, StackRecord, StackResourceRecord } from './stack-store.js';
import { shiftAtOnce } from './stack-traffic.js';
import type { ShiftTraffic } from './stack-traffic.js';
import { deleteResources, undoJournal } from './stack-undo.js';
import { STACK_NAME_PATTERN } from './template-parameters.js';

export interface StackContext {
  db: Db;
  lambda: LambdaApi;
  /** PIPE_HOME: the stack keeps its code zips under stacks/NAME/. */
  home: string;
  region?: string;
  account?: string;
  /** Traffic shifting for DeploymentPreference (the traffic room's shiftTraffic); default: all at once. */
  shiftTraffic?: ShiftTraffic;
  isAlive?: (pid: number) => boolean;
  gatewayUrl?: string;
}

export interface DeployRequest {
  templateFile: string;
  stackName: string;
  parameters?: Readonly<Record<string, string>>;
  /** What CodeUri / ContentUri may not leave (default: the template's folder); they resolve from the template's folder. */
  codeRoot?: string;
  timeScale?: number;
  executionId?: string;
  signal?: AbortSignal;
  /** Progress lines (stack and resource status changes) for the caller's log. */
  onEvent?: (line: string) => void;
}

export interface DeployResult {
  stack: StackRecord;
  plan: StackPlan;
  /** False when nothing changed (no registry call was made). */
  changed: boolean;
  /** Why the deploy rolled back. */
  failure?: string;
}

export function checkStackName(name: string): void {
  if (!STACK_NAME_PATTERN.test(name)) {
    throw new PipeError('INVALID_ARGUMENT', `stack name '${name}' is not valid: CloudFormation takes a letter, then letters, digits and hyphens, at most 128 characters`);
  }
}

function resolveInput(ctx: StackContext, req: DeployRequest, stackId: string): ResolveInput {
  return {
    spec: loadTemplate(req.templateFile, { keepProblems: true }),
    stackName: req.stackName,
    stackId,
    parameters: req.parameters ?? {},
    codeRoot: req.codeRoot ?? dirname(req.templateFile),
    ...(req.codeRoot ? { codeBase: relative(req.codeRoot, dirname(req.templateFile)).split(sep).join('/') } : {}),
    region: ctx.region ?? DEFAULT_REGION,
    account: ctx.account ?? DEFAULT_ACCOUNT,
    gatewayUrl: ctx.gatewayUrl ?? process.env['PIPE_GATEWAY_URL'] ?? 'http://127.0.0.1:3000',
  };
}

function newStackId(ctx: StackContext, name: string): string {
  return `arn:aws:cloudformation:${ctx.region ?? DEFAULT_REGION}:${ctx.account ?? DEFAULT_ACCOUNT}:stack/${name}/${randomUUID()}`;
}

/** What the template would change in the stack; changes nothing. Throws a ValidationError with every problem. */
export async function planStackChanges(ctx: StackContext, req: DeployRequest): Promise<StackPlan> {
  checkStackName(req.stackName);
  const store = new StackStore(ctx.db);
  const existing = store.get(req.stackName);
  const input = resolveInput(ctx, req, existing?.stackId ?? newStackId(ctx, req.stackName));
  return (await planStack(input, existing ? store.resources(req.stackName) : [])).plan;
}

/** Creates or updates the stack; on a failure it is rolled back and the result carries the reason. */
export async function deployStack(ctx: StackContext, req: DeployRequest): Promise<DeployResult> {
  checkStackName(req.stackName);
  const store = new StackStore(ctx.db);
  await recoverStacks(ctx, req.stackName);
  let existing = store.get(req.stackName);
  if (existing?.status === 'ROLLBACK_COMPLETE') {
    throw new PipeError('INVALID_ARGUMENT', `stack ${req.stackName} is in ROLLBACK_COMPLETE state and can not be updated`, { hint: `its first create failed; delete it (pipe stack delete ${req.stackName}), then deploy again` });
  }
  if (existing && !canUpdateStack(existing.status)) {
    throw new PipeError('INVALID_ARGUMENT', `stack ${req.stackName} is in ${existing.status} state and can not be updated`);
  }
  const input = resolveInput(ctx, req, existing?.stackId ?? newStackId(ctx, req.stackName));
  const previous = existing ? store.resources(req.stackName) : [];
  const { plan } = await planStack(input, previous);
  const log = req.onEvent ?? (() => undefined);
  if (existing && plan.changes.length === 0 && existing.templateDigest === plan.templateDigest && sameJson(existing.parameters, plan.parameters) && sameJson(existing.outputs, plan.outputs)) {
    log(`stack ${req.stackName}: no changes`);
    return { stack: existing, plan, changed: false };
  }
  const operation: StackOperation = {
    kind: existing ? 'update' : 'create',
    previous,
    previousOutputs: existing?.outputs ?? [],
    previousRoutes: existing?.routes ?? [],
    previousTemplate: { body: existing?.templateBody ?? '', digest: existing?.templateDigest ?? '', parameters: existing?.parameters ?? [] },
  };
  existing = claim(ctx, store, req.stackName, input, operation, plan);
  log(`${req.stackName}  ${existing.status}`);
  const status = (s: StackStatus, reason?: string) => {
    store.setStatus(req.stackName, s, reason);
    log(`${req.stackName}  ${s}${reason ? `  ${reason}` : ''}`);
  };
  const deferred: (() => Promise<void>)[] = [];
  const actx: ApplyContext = {
    lambda: ctx.lambda, db: ctx.db, store, stackName: req.stackName, codeDir: join(ctx.home, 'stacks', req.stackName, 'code'),
    shiftTraffic: ctx.shiftTraffic ?? shiftAtOnce, log: (m) => log(`  ${m}`), defer: (task) => deferred.push(task),
    ...(req.timeScale === undefined ? {} : { timeScale: req.timeScale }),
    ...(req.executionId === undefined ? {} : { executionId: req.executionId }),
    ...(req.signal === undefined ? {} : { signal: req.signal }),
  };
  const resolver = new StackResolver(input);
  const failure = (await applyAll(actx, resolver, previous, log)) ?? (await runDeferred(deferred));
  if (failure !== undefined) {
    await rollBack(ctx, store, req.stackName, operation, failure, log);
    return { stack: store.get(req.stackName)!, plan, changed: true, failure };
  }
  // What the template still holds: the rest of the previous resources is removed by the cleanup.
  const kept: StackOperation = { ...operation, keep: [...resolver.resources.keys()].filter((id) => resolver.isIncluded(id)) };
  store.update(req.stackName, { operation: kept });
  await finish(ctx, store, req.stackName, kept, log);
  return { stack: store.get(req.stackName)!, plan, changed: true };
}

/** The traffic shifts, all at once, after every resource is in place; the first failure is the deploy's. */
async function runDeferred(tasks: readonly (() => Promise<void>)[]): Promise<string | undefined> {
  const results = await Promise.allSettled(tasks.map((t) => t()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  return failed ? describeError(failed.reason) : undefined;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Takes the stack for this process (one operation at a time) and records what it will restore on a failure. */
function claim(ctx: StackContext, store: StackStore, name: string, input: ResolveInput, operation: StackOperation, plan: StackPlan): StackRecord {
  return ctx.db.transaction(() => {
    const now = store.get(name);
    if (now && !isStableStackStatus(now.status)) throw new PipeError('INVALID_ARGUMENT', `stack ${name} is in ${now.status} state: another deploy (pid ${now.ownerPid ?? '?'}) is working on it`);
    const description = entry(input.spec.root, 'Description');
    const fields = {
      templateBody: input.spec.doc.text, templateDigest: plan.templateDigest, parameters: plan.parameters, ownerPid: process.pid, operation,
      ...(description?.kind === 'scalar' ? { description: description.value } : {}),
    };
    if (!now) {
      store.insert({ name, status: 'REVIEW_IN_PROGRESS', outputs: [], routes: [], ...fields }, input.stackId);
      store.setStatus(name, 'CREATE_IN_PROGRESS');
      return store.get(name)!;
    }
    store.update(name, fields);
    store.setStatus(name, 'UPDATE_IN_PROGRESS');
    return store.get(name)!;
  }).immediate();
}

/** Every resource, level by level (a level's resources at once); the first failure stops after its level. */
async function applyAll(ctx: ApplyContext, resolver: StackResolver, previous: readonly StackResourceRecord[], log: (l: string) => void): Promise<string | undefined> {
  const prevById = new Map(previous.map((r) => [r.logicalId, r]));
  const routes: GatewayRoute[] = [];
  for (const level of resolver.levels) {
    // A stopped action stops between levels: what is done so far is rolled back.
    if (ctx.signal?.aborted) return 'the deploy was stopped';
    const results = await Promise.allSettled(level.map(async (id) => {
      const r = resolver.resources.get(id)!;
      if (!resolver.isIncluded(id)) return;
      const prev = prevById.get(id);
      if (r.kind === 'skipped') {
        const state: DeployedState = { kind: 'skipped', placeholder: `${ctx.stackName}-${id}` };
        resolver.setDeployed(id, state);
        if (!prev) ctx.store.setResource(ctx.stackName, { logicalId: id, type: r.type, physicalId: state.placeholder, status: 'CREATE_COMPLETE', reason: 'not deployed locally', state });
        return;
      }
      try {
        const state = await applyResource(ctx, resolver, id, prev?.state, r.type);
        resolver.setDeployed(id, state);
        const changed = !sameJson(prev?.state, state);
        const status = !prev ? 'CREATE_COMPLETE' : changed ? 'UPDATE_COMPLETE' : prev.status;
        const physicalId = physicalIdOf(state);
        if (changed || !prev) {
          ctx.store.setResource(ctx.stackName, { logicalId: id, type: r.type, status, state, ...(physicalId ? { physicalId } : {}) });
          log(`  ${id}  ${status}`);
        }
        if (state.kind === 'function') {
          const model = resolver.model(id);
          if (model?.kind === 'function') for (const route of model.routes) routes.push({ ...route, stackName: ctx.stackName, functionName: state.functionName, ...(model.autoPublishAlias ? { qualifier: model.autoPublishAlias } : {}) });
        }
      } catch (e) {
        const reason = describeError(e);
        ctx.store.setResource(ctx.stackName, { logicalId: id, type: r.type, status: prev ? 'UPDATE_FAILED' : 'CREATE_FAILED', reason, state: null });
        log(`  ${id}  ${prev ? 'UPDATE_FAILED' : 'CREATE_FAILED'}  ${reason}`);
        throw new PipeError('BUILD_FAILED', `${id}: ${reason}`, { cause: e });
      }
    }));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) return describeError(failed.reason);
  }
  ctx.store.update(ctx.stackName, { outputs: resolver.outputs(), routes });
  return undefined;
}

function physicalIdOf(s: DeployedState): string | undefined {
  switch (s.kind) {
    case 'function': return s.functionName;
    case 'layer': return s.versionArn;
    case 'version': return s.arn;
    case 'alias': return s.arn;
    case 'skipped': return s.placeholder;
  }
}

/** What an update left behind: resources gone from the template, and the replaced ones (old function, old layer version). */
function leftBehind(op: StackOperation, now: readonly StackResourceRecord[]): { removed: StackResourceRecord[]; replaced: StackResourceRecord[] } {
  const byId = new Map(now.map((r) => [r.logicalId, r]));
  const keep = new Set(op.keep ?? now.map((r) => r.logicalId));
  const removed: StackResourceRecord[] = [];
  const replaced: StackResourceRecord[] = [];
  for (const p of op.previous) {
    const n = byId.get(p.logicalId);
    if (!n || !keep.has(p.logicalId)) removed.push(p);
    else if (p.state && n.state && physicalIdOf(p.state) !== physicalIdOf(n.state) && p.state.kind !== 'skipped') replaced.push(p);
  }
  return { removed, replaced };
}

async function finish(ctx: StackContext, store: StackStore, name: string, op: StackOperation, log: (l: string) => void): Promise<void> {
  const undo = { lambda: ctx.lambda, store, stackName: name, log: (m: string) => log(`  ${m}`) };
  if (op.kind === 'create') {
    store.setStatus(name, 'CREATE_COMPLETE');
  } else {
    const { removed, replaced } = leftBehind(op, store.resources(name));
    if (removed.length + replaced.length > 0) {
      store.setStatus(name, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
      await deleteResources(undo, replaced, false);
      await deleteResources(undo, removed, true);
      for (const r of removed) store.removeResource(name, r.logicalId);
    }
    store.setStatus(name, 'UPDATE_COMPLETE');
  }
  store.clearJournal(name);
  store.update(name, { ownerPid: null, operation: null });
  await pruneCodeZips(ctx, store, name);
  log(`${name}  ${store.get(name)!.status}`);
}

/** The stack keeps the zip of each function's deployed code (a rollback's way back); older ones go. */
async function pruneCodeZips(ctx: StackContext, store: StackStore, name: string): Promise<void> {
  const dir = join(ctx.home, 'stacks', name, 'code');
  const kept = new Set(store.resources(name).flatMap((r) => (r.state?.kind === 'function' ? [r.state.codeZip] : [])));
  const files = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(files.map((f) => join(dir, f)).filter((f) => !kept.has(f)).map((f) => rm(f, { force: true })));
}

async function rollBack(ctx: StackContext, store: StackStore, name: string, op: StackOperation, reason: string, log: (l: string) => void): Promise<void> {
  const undo = { lambda: ctx.lambda, store, stackName: name, log: (m: string) => log(`  ${m}`) };
  const create = op.kind === 'create';
  const s = store.get(name)!;
  if (s.status === 'CREATE_IN_PROGRESS' || s.status === 'UPDATE_IN_PROGRESS') {
    store.setStatus(name, create ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS', reason);
    log(`${name}  ${create ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS'}  ${reason}`);
  }
  try {
    await undoJournal(undo, op.previous, store.journalOf(name));
  } catch (e) {
    store.setStatus(name, create ? 'ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_FAILED', describeError(e));
    store.update(name, { ownerPid: null });
    throw e;
  }
  store.restoreResources(name, op.previous);
  store.update(name, {
    outputs: op.previousOutputs, routes: op.previousRoutes, ownerPid: null, operation: null,
    ...(create ? {} : { templateBody: op.previousTemplate.body, templateDigest: op.previousTemplate.digest, parameters: op.previousTemplate.parameters }),
  });
  store.clearJournal(name);
  store.setStatus(name, create ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE', reason);
  log(`${name}  ${create ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE'}`);
}

/** Deletes the stack: resources last-created first, Retain ones left; then its record and its folder. */
export async function deleteStack(ctx: StackContext, name: string, onEvent: (line: string) => void = () => undefined): Promise<void> {
  const store = new StackStore(ctx.db);
  await recoverStacks(ctx, name);
  const s = store.get(name);
  if (!s) throw new PipeError('NOT_FOUND', `Stack with id ${name} does not exist`, { hint: "'pipe stack list' lists the stacks" });
  ctx.db.transaction(() => {
    const now = store.get(name)!;
    if (!isStableStackStatus(now.status)) throw new PipeError('INVALID_ARGUMENT', `stack ${name} is in ${now.status} state: another operation (pid ${now.ownerPid ?? '?'}) is working on it`);
    store.update(name, { ownerPid: process.pid, operation: { kind: 'delete', previous: [], previousOutputs: [], previousRoutes: [], previousTemplate: { body: '', digest: '', parameters: [] } } });
    store.setStatus(name, 'DELETE_IN_PROGRESS');
  }).immediate();
  onEvent(`${name}  DELETE_IN_PROGRESS`);
  await finishDelete(ctx, store, name, onEvent);
}

async function finishDelete(ctx: StackContext, store: StackStore, name: string, onEvent: (line: string) => void): Promise<void> {
  const undo = { lambda: ctx.lambda, store, stackName: name, log: (m: string) => onEvent(`  ${m}`) };
  try {
    await deleteResources(undo, store.resources(name), true);
  } catch (e) {
    store.setStatus(name, 'DELETE_FAILED', describeError(e));
    store.update(name, { ownerPid: null, operation: null });
    throw e;
  }
  store.setStatus(name, 'DELETE_COMPLETE');
  store.drop(name);
  await rm(join(ctx.home, 'stacks', name), { recursive: true, force: true });
  onEvent(`${name}  DELETE_COMPLETE`);
}

/** Whether some stack is in an *_IN_PROGRESS state whose process is gone (a cheap check: no registry needed). */
export function hasOrphanedStacks(db: Db, alive: (pid: number) => boolean = isProcessAlive): boolean {
  return new StackStore(db).list().some((s) => !isStableStackStatus(s.status) && s.ownerPid !== process.pid && (s.ownerPid === undefined || !alive(s.ownerPid)));
}

/**
 * Stacks a killed process left in an *_IN_PROGRESS state, finished by whichever command comes next: a create or
 * update is rolled back from its journal, a cleanup or a delete is carried to its end. Returns their names.
 */
export async function recoverStacks(ctx: StackContext, only?: string): Promise<string[]> {
  const store = new StackStore(ctx.db);
  const alive = ctx.isAlive ?? isProcessAlive;
  const recovered: string[] = [];
  for (const s of store.list()) {
    if (only !== undefined && s.name !== only) continue;
    if (isStableStackStatus(s.status)) continue;
    if (s.ownerPid !== undefined && s.ownerPid !== process.pid && alive(s.ownerPid)) continue;
    if (s.ownerPid === process.pid) continue;
    const op = s.operation ?? { kind: 'update', previous: store.resources(s.name), previousOutputs: s.outputs, previousRoutes: s.routes, previousTemplate: { body: s.templateBody, digest: s.templateDigest, parameters: s.parameters } };
    const reason = `the process that ran this operation (pid ${s.ownerPid ?? '?'}) ended before it finished`;
    const log = () => undefined;
    switch (s.status) {
      case 'DELETE_IN_PROGRESS':
        await finishDelete(ctx, store, s.name, log);
        break;
      case 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS':
        await cleanupAfterCrash(ctx, store, s.name, op);
        break;
      case 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS':
        store.setStatus(s.name, 'UPDATE_ROLLBACK_COMPLETE');
        store.update(s.name, { ownerPid: null, operation: null });
        break;
      default:
        await rollBack(ctx, store, s.name, op, reason, log);
    }
    // The zips it wrote that the stack no longer names go, and the one it was writing when it died (`.*.tmp`).
    if (s.status !== 'DELETE_IN_PROGRESS') await pruneCodeZips(ctx, store, s.name);
    recovered.push(s.name);
  }
  return recovered;
}

async function cleanupAfterCrash(ctx: StackContext, store: StackStore, name: string, op: StackOperation): Promise<void> {
  const undo = { lambda: ctx.lambda, store, stackName: name, log: () => undefined };
  const { removed, replaced } = leftBehind(op, store.resources(name));
  await deleteResources(undo, replaced, false);
  await deleteResources(undo, removed, false);
  for (const r of removed) store.removeResource(name, r.logicalId);
  store.setStatus(name, 'UPDATE_COMPLETE');
  store.clearJournal(name);
  store.update(name, { ownerPid: null, operation: null });
}

/** Every route of every deployed stack, for the local API Gateway. */
export function listGatewayRoutes(db: Db): GatewayRoute[] {
  return new StackStore(db).routes();
}
