// The build runner's cache and report steps, kept out of build-runner.ts: restore the cache before install, collect
// reports after post_build, save the cache after a successful build. None of them can fail a build.
import { posix } from 'node:path';
import { describeError } from '../core/index.js';
import { agentLine } from './build-log.js';
import type { LineSink } from './build-log.js';
import { SRC_DIR } from './build-env.js';
import { restoreCache, saveCache } from './cache/index.js';
import type { BuildCacheContext, CacheStore } from './cache/index.js';
import type { BuildContainer } from './container-port.js';
import { collectReports } from './reports/index.js';
import type { BuildReport } from './reports/index.js';
import type { BuildSpec } from '../core/index.js';
import type { ShellSession } from './shell-session.js';

export interface StepContext {
  spec: BuildSpec;
  /** `<pipeline>/<Stage>.<Action>`; without it (or without a store) the cache is not used. */
  cacheScope: string | undefined;
  store: CacheStore | undefined;
  container: BuildContainer;
  session: ShellSession;
  line: LineSink;
  warn(message: string): void;
  isStopped(): boolean;
}

/** What restore decided, for save: the evaluated key, or nothing when the cache is not in use. */
export type CacheState = { key: string | null } | undefined;

function cacheContext(ctx: StepContext): BuildCacheContext | undefined {
  const spec = ctx.spec.cache;
  if (!spec || spec.paths.length === 0) return undefined;
  if (!ctx.cacheScope || !ctx.store) {
    ctx.warn('cache: this build has no cache scope, so cache.paths are neither restored nor saved');
    return undefined;
  }
  return {
    container: ctx.container,
    store: ctx.store,
    scope: ctx.cacheScope,
    spec,
    srcDir: SRC_DIR,
    env: () => ctx.session.readEnv(),
    log: (m) => ctx.line('system', agentLine(m)),
    warn: ctx.warn,
  };
}

/** Before install: evaluates the key and restores the best entry. */
export async function restoreBuildCache(ctx: StepContext): Promise<CacheState> {
  const cache = cacheContext(ctx);
  if (!cache) return undefined;
  try {
    const { key, restored } = await restoreCache(cache);
    if (restored && usesRunAs(ctx.spec)) await openToRunAsUsers(ctx.container, ctx.spec.cache?.paths ?? []);
    return { key };
  } catch (e) {
    if (!ctx.isStopped()) ctx.warn(`cache: the key could not be evaluated, so the cache is neither restored nor saved: ${describeError(e)}`);
    return undefined;
  }
}

function usesRunAs(spec: BuildSpec): boolean {
  return spec.runAs !== undefined || Object.values(spec.phases).some((p) => p?.runAs !== undefined);
}

/**
 * The directory a cache path's files are restored under, as far as it is fixed text: for a relative path the
 * top directory under the source (which the restore may have created), for an absolute one its fixed prefix.
 * Undefined for `/` itself, which is never opened up.
 */
export function cacheRestoreRoot(pattern: string, srcDir: string): string | undefined {
  const parts = pattern.split('/');
  const fixed: string[] = [];
  for (const part of parts) {
    if (/[*?[{]/.test(part)) break;
    fixed.push(part);
  }
  // A plain path names a file: the build writes into its directory.
  if (fixed.length === parts.length) fixed.pop();
  if (pattern.startsWith('/')) {
    const root = posix.normalize(fixed.join('/'));
    return root === '/' || root === '.' ? undefined : root;
  }
  const first = fixed.find((p) => p !== '' && p !== '.');
  return first && first !== '..' ? posix.join(srcDir, first) : srcDir;
}

/**
 * The restore writes files as root (the tar's owner); with run-as, the build's user must be able to update them,
 * as the source directory is opened to it in DOWNLOAD_SOURCE.
 */
async function openToRunAsUsers(container: BuildContainer, paths: readonly string[]): Promise<void> {
  const roots = [...new Set(paths.map((p) => cacheRestoreRoot(p, SRC_DIR)).filter((r): r is string => r !== undefined))];
  if (roots.length === 0) return;
  // A root that nothing was restored under does not exist: chmod says so and goes on with the others.
  await container.exec({ cmd: ['chmod', '-R', 'a+rwX', '--', ...roots], onStdout: () => undefined, onStderr: () => undefined });
}

/** After the build: saves the cache when it succeeded (CodeBuild saves in UPLOAD_ARTIFACTS/FINALIZING). */
export async function saveBuildCache(ctx: StepContext, state: CacheState, succeeded: boolean): Promise<void> {
  const cache = state && ctx.spec.cache && ctx.cacheScope && ctx.store ? cacheContext(ctx) : undefined;
  if (!cache || !state || ctx.isStopped()) return;
  if (!succeeded) {
    if (cache.spec.action !== 'restore') cache.log('Cache not saved: the build failed');
    return;
  }
  try {
    await saveCache(cache, state.key);
  } catch (e) {
    if (!ctx.isStopped()) ctx.warn(`cache: not saved: ${describeError(e)}`);
  }
}

/** After post_build, whatever the outcome: every report group's files, parsed. */
export async function collectBuildReports(ctx: StepContext, env: Record<string, string>): Promise<BuildReport[]> {
  if (Object.keys(ctx.spec.reports).length === 0 || ctx.isStopped()) return [];
  try {
    const needsEnv = Object.values(ctx.spec.reports).some((r) => r.baseDirectory?.includes('$'));
    return await collectReports(ctx.container, ctx.spec.reports, {
      srcDir: SRC_DIR,
      env: needsEnv && Object.keys(env).length === 0 ? await ctx.session.readEnv() : env,
      log: (m) => ctx.line('system', agentLine(m)),
      warn: ctx.warn,
    });
  } catch (e) {
    if (!ctx.isStopped()) ctx.warn(`reports: not collected: ${describeError(e)}`);
    return [];
  }
}
