// Installing pipe's hook into a repository and taking it out again: the hook found there is kept beside it (run
// first, put back byte for byte by uninstall), and PIPE_HOME records which repositories run which pipelines.
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PipeError } from '../core/index.js';
import { CHAINED_SUFFIX, HOOK_MARKER, HOOK_NAME, hookScript } from './hook-script.js';
import { gitCommonDir, gitHooksDir, workTreeTop } from './hook-git.js';

/** One repository's installation, as PIPE_HOME/hooks/installed.json keeps it. */
export interface HookInstallation {
  /** The repository's common directory (its worktrees share it). */
  repository: string;
  /** The worktree install ran in (absent for a bare repository). */
  workTree?: string;
  /** The hook file pipe wrote. */
  hook: string;
  /** Where the hook that was there before is kept, run first; absent when there was none. */
  chained?: string;
  /** The pipeline files the hook starts, absolute. */
  pipelines: string[];
  installedAt: string;
}

/** Whether the hook file is still pipe's: `installed`, gone (`missing`), or overwritten by something else (`replaced`). */
export type HookFileState = 'installed' | 'missing' | 'replaced';

export function hooksStateDir(home: string): string {
  return join(home, 'hooks');
}

function recordFile(home: string): string {
  return join(hooksStateDir(home), 'installed.json');
}

export function readInstallations(home: string): HookInstallation[] {
  const file = recordFile(home);
  if (!existsSync(file)) return [];
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { installations?: HookInstallation[] };
    return parsed.installations ?? [];
  } catch (e) {
    throw new PipeError('INVALID_ARGUMENT', `${file} is damaged: ${e instanceof Error ? e.message : String(e)}`, {
      hint: 'remove it and run pipe hooks install again',
    });
  }
}

function writeInstallations(home: string, list: readonly HookInstallation[]): void {
  mkdirSync(hooksStateDir(home), { recursive: true, mode: 0o700 });
  const file = recordFile(home);
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ installations: list }, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

function isPipeHook(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').includes(HOOK_MARKER);
  } catch {
    return false;
  }
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

export function hookFileState(i: HookInstallation): HookFileState {
  if (!exists(i.hook)) return 'missing';
  return isPipeHook(i.hook) ? 'installed' : 'replaced';
}

export interface InstallOptions {
  /** Any directory of the repository (a worktree, or a bare repository). */
  repoDir: string;
  home: string;
  artifactRoot: string;
  pipelines: readonly string[];
  /** node and pipe's bin/pipe.js, as the hook runs them. */
  node: string;
  bin: string;
}

/** Installs (or refreshes) pipe's hook: the hook found in its place is kept and run first. */
export async function installHook(o: InstallOptions): Promise<HookInstallation> {
  const repository = await gitCommonDir(o.repoDir);
  const hooksDir = await gitHooksDir(o.repoDir);
  const workTree = await workTreeTop(o.repoDir);
  const hook = join(hooksDir, HOOK_NAME);
  const chainedPath = `${hook}${CHAINED_SUFFIX}`;
  mkdirSync(hooksDir, { recursive: true });
  if (exists(hook) && !isPipeHook(hook)) {
    if (exists(chainedPath)) {
      throw new PipeError('INVALID_ARGUMENT', `${hook} is not pipe's and ${chainedPath} exists already`, {
        hint: `move one of them away, then run pipe hooks install again`,
      });
    }
    renameSync(hook, chainedPath); // a rename keeps the file's bytes and mode (and a symlink as a symlink)
  }
  const tmp = `${hook}.pipe-tmp`;
  writeFileSync(tmp, hookScript({ home: o.home, artifactRoot: o.artifactRoot, node: o.node, bin: o.bin, chained: chainedPath }));
  chmodSync(tmp, 0o755);
  renameSync(tmp, hook);
  const installation: HookInstallation = {
    repository,
    ...(workTree ? { workTree } : {}),
    hook,
    ...(exists(chainedPath) ? { chained: chainedPath } : {}),
    pipelines: [...o.pipelines],
    installedAt: new Date().toISOString(),
  };
  writeInstallations(o.home, [...readInstallations(o.home).filter((i) => i.repository !== repository), installation]);
  return installation;
}

/** Removes pipe's hook and puts back the one it replaced; undefined when pipe's hook is not installed there. */
export async function uninstallHook(o: { repoDir: string; home: string }): Promise<HookInstallation | undefined> {
  const repository = await gitCommonDir(o.repoDir);
  const all = readInstallations(o.home);
  const found = all.find((i) => i.repository === repository);
  const hook = found?.hook ?? join(await gitHooksDir(o.repoDir), HOOK_NAME);
  if (!found && !isPipeHook(hook)) return undefined;
  if (isPipeHook(hook)) rmSync(hook, { force: true });
  const chainedPath = found?.chained ?? `${hook}${CHAINED_SUFFIX}`;
  if (exists(chainedPath) && !exists(hook)) renameSync(chainedPath, hook);
  writeInstallations(o.home, all.filter((i) => i.repository !== repository));
  return found ?? { repository, hook, pipelines: [], installedAt: '' };
}
