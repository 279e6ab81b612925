// The spool the hook appends ref updates to, and the lock one `pipe hooks run` holds while it empties it, so
// updates start their executions in the order git made them, each once.
import { closeSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { GitRefUpdate } from '../core/index.js';
import { hooksStateDir } from './hook-install.js';

/** One hook run: the directory git ran it in, the hook, and the branch and tag updates it kept. */
export interface SpoolEntry {
  name: string;
  directory: string;
  hook: string;
  updates: GitRefUpdate[];
}

function spoolDir(home: string): string {
  return join(hooksStateDir(home), 'spool');
}

export function parseSpoolEntry(name: string, text: string): SpoolEntry {
  const [directory = '', hook = '', ...lines] = text.split('\n');
  const updates = lines.filter((l) => l.trim() !== '').map((l) => {
    const [oldCommit = '', newCommit = '', ...ref] = l.split(' ');
    return { oldCommit, newCommit, ref: ref.join(' ') };
  });
  return { name, directory, hook, updates };
}

/** The spool's entries, oldest first (names start with the time the hook ran, in nanoseconds). */
function pendingNames(home: string): string[] {
  try {
    return readdirSync(spoolDir(home)).filter((n) => !n.startsWith('.')).sort();
  } catch {
    return [];
  }
}

/** Takes the oldest entry out of the spool (read, then removed: each update is handled at most once). */
export function takeSpoolEntry(home: string): SpoolEntry | undefined {
  for (const name of pendingNames(home)) {
    const file = join(spoolDir(home), name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
      rmSync(file);
    } catch {
      continue;
    }
    return parseSpoolEntry(name, text);
  }
  return undefined;
}

export function hasSpoolEntries(home: string): boolean {
  return pendingNames(home).length > 0;
}

/** How many hook runs wait in the spool (a `pipe hooks run` takes them in a moment; more means it could not). */
export function countSpoolEntries(home: string): number {
  return pendingNames(home).length;
}

/** Takes the spool's lock for this process; false while a live process holds it. A dead holder's lock is taken over. */
export function acquireSpoolLock(home: string, isAlive: (pid: number) => boolean): boolean {
  const file = join(hooksStateDir(home), 'run.lock');
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(file, 'utf8'));
    } catch {
      continue; // released in between: try again
    }
    // A lock with no pid yet is being written by a live process.
    if (Number.isNaN(holder) || holder === 0 || isAlive(holder)) return false;
    rmSync(file, { force: true });
  }
  return false;
}

/**
 * Lets go of the lock. The holder must look at the spool again afterwards: a hook that saw the lock held spooled its
 * update and started no process of its own.
 */
export function releaseSpoolLock(home: string): void {
  rmSync(join(hooksStateDir(home), 'run.lock'), { force: true });
}

/**
 * Keeps why the last update started nothing (an invalid pipeline file, a source that does not resolve): the hook
 * prints it, once, on git's next ref update, since it never waits for the background run that found it.
 */
export function recordHookProblem(home: string, line: string): void {
  try {
    writeFileSync(join(hooksStateDir(home), 'problem'), `${line.replace(/\n/g, ' ')}\n`, { mode: 0o600 });
  } catch {
    // The hook log has it anyway.
  }
}

/** The hook log keeps about this much: past it, it becomes `hook.log.1` (the one before is dropped). */
export const HOOK_LOG_MAX_BYTES = 1024 * 1024;

export function rotateHookLog(home: string, maxBytes = HOOK_LOG_MAX_BYTES): void {
  const log = join(hooksStateDir(home), 'hook.log');
  try {
    if (statSync(log).size > maxBytes) renameSync(log, `${log}.1`);
  } catch {
    // No log yet.
  }
}
