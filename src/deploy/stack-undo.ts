// Putting the registry back: undoing an operation from its journal (a rollback, or recovery after a crash), and
// deleting a stack's resources in reverse order, honouring DeletionPolicy Retain. Every step is idempotent, so a
// second pass after a crash in the middle of the first finishes the job.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { LambdaApi } from '../registry/index.js';
import { isNotFound } from './stack-apply.js';
import type { DeployedState, FunctionState } from './stack-state.js';
import type { JournalIntent, StackResourceRecord, StackStore } from './stack-store.js';

export interface UndoContext {
  lambda: LambdaApi;
  store: StackStore;
  stackName: string;
  log(message: string): void;
}

async function ignoreMissing<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/**
 * Undoes what the journal says this operation did, back to `previous`: functions it created are deleted, layer
 * versions it published are deleted, functions it changed get their previous code, configuration and alias
 * routing back. Function versions it published stay (as SAM's versions do: they are retained).
 */
export async function undoJournal(ctx: UndoContext, previous: readonly StackResourceRecord[], journal: readonly { logicalId: string; intent: JournalIntent }[]): Promise<void> {
  const prevFunctions = new Map<string, FunctionState>();
  for (const r of previous) if (r.state?.kind === 'function') prevFunctions.set(r.state.functionName, r.state);
  const done = new Set<string>();
  const once = (key: string) => (done.has(key) ? false : (done.add(key), true));
  for (const { intent } of [...journal].reverse()) {
    switch (intent.op) {
      case 'createFunction':
        if (!prevFunctions.has(intent.functionName) && once(`fn:${intent.functionName}`)) {
          await ignoreMissing(ctx.lambda.deleteFunction({ FunctionName: intent.functionName }));
          ctx.log(`deleted function ${intent.functionName}`);
        }
        break;
      case 'updateFunction':
      case 'publishVersion':
      case 'shiftTraffic':
      case 'alias': {
        const prev = prevFunctions.get(intent.functionName);
        if (prev && once(`fn:${intent.functionName}`)) await restoreFunction(ctx, prev, journal);
        else if (!prev && intent.op === 'alias' && !done.has(`fn:${intent.functionName}`) && once(`alias:${intent.functionName}:${intent.alias}`)) {
          const before = previous.find((r) => r.state?.kind === 'alias' && r.state.functionName === intent.functionName && r.state.name === intent.alias)?.state;
          if (before?.kind === 'alias') {
            await ctx.lambda.updateAlias({ FunctionName: before.functionName, Name: before.name, FunctionVersion: before.functionVersion, RoutingConfig: { AdditionalVersionWeights: before.weights } });
          } else await ignoreMissing(ctx.lambda.deleteAlias({ FunctionName: intent.functionName, Name: intent.alias }));
        }
        break;
      }
      case 'publishLayerVersion': {
        if (!once(`layer:${intent.layerName}:${intent.latestBefore}`)) break;
        const listed = await ignoreMissing(ctx.lambda.listLayerVersions({ LayerName: intent.layerName }));
        for (const v of listed?.LayerVersions ?? []) {
          if (v.Version <= intent.latestBefore) continue;
          await ignoreMissing(ctx.lambda.deleteLayerVersion({ LayerName: intent.layerName, VersionNumber: v.Version }));
          ctx.log(`deleted layer version ${v.LayerVersionArn}`);
        }
        break;
      }
      case 'delete':
        break;
    }
  }
}

function base64Sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/** The function as it was: code (from the zip the stack kept), configuration, and the alias on its version and weights. */
async function restoreFunction(ctx: UndoContext, prev: FunctionState, journal: readonly { intent: JournalIntent }[]): Promise<void> {
  const name = prev.functionName;
  const now = await ignoreMissing(ctx.lambda.getFunctionConfiguration({ FunctionName: name }));
  if (!now) return;
  if (prev.codeZip && existsSync(prev.codeZip)) {
    const zip = await readFile(prev.codeZip);
    if (base64Sha256(zip) !== now.CodeSha256) {
      await ctx.lambda.updateFunctionCode({ FunctionName: name, ZipFile: zip });
      await ctx.lambda.waitUntilReady({ FunctionName: name });
    }
  }
  await ctx.lambda.updateFunctionConfiguration({ FunctionName: name, ...prev.config });
  await ctx.lambda.waitUntilReady({ FunctionName: name });
  if (prev.alias) {
    await ctx.lambda.updateAlias({ FunctionName: name, Name: prev.alias.name, FunctionVersion: prev.alias.version, RoutingConfig: { AdditionalVersionWeights: prev.alias.weights } });
  }
  for (const { intent } of journal) {
    if (intent.op === 'alias' && intent.functionName === name && intent.alias !== prev.alias?.name) {
      await ignoreMissing(ctx.lambda.deleteAlias({ FunctionName: name, Name: intent.alias }));
    }
  }
  ctx.log(`restored function ${name}${prev.alias ? ` (alias ${prev.alias.name} on version ${prev.alias.version})` : ''}`);
}

/** Deletes resources (given in creation order) last first; Retain ones are left and marked DELETE_SKIPPED. */
export async function deleteResources(ctx: UndoContext, records: readonly StackResourceRecord[], mark: boolean): Promise<void> {
  for (const r of [...records].reverse()) {
    const s = r.state;
    const retained = s !== undefined && 'retain' in s && s.retain === true;
    const set = (status: 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_SKIPPED') => {
      if (mark) ctx.store.setResource(ctx.stackName, { logicalId: r.logicalId, type: r.type, status, state: null });
    };
    if (retained) {
      set('DELETE_SKIPPED');
      continue;
    }
    set('DELETE_IN_PROGRESS');
    if (s) await deleteOne(ctx, s);
    set('DELETE_COMPLETE');
  }
}

async function deleteOne(ctx: UndoContext, s: DeployedState): Promise<void> {
  switch (s.kind) {
    case 'function':
      await ignoreMissing(ctx.lambda.deleteFunction({ FunctionName: s.functionName }));
      return;
    case 'layer':
      if (s.version > 0) await ignoreMissing(ctx.lambda.deleteLayerVersion({ LayerName: s.layerName, VersionNumber: s.version }));
      return;
    case 'version':
      await ignoreMissing(ctx.lambda.deleteFunction({ FunctionName: s.functionName, Qualifier: s.version })).catch(() => undefined);
      return;
    case 'alias':
      await ignoreMissing(ctx.lambda.deleteAlias({ FunctionName: s.functionName, Name: s.name }));
      return;
    case 'skipped':
      return;
  }
}
