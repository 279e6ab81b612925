// What stops a foreground command: SIGINT (Ctrl-C), SIGTERM, SIGHUP (the terminal went away) and a closed stdout
// (`pipe logs ID | head`). While a command holds a stop handler, every such signal calls it (a second Ctrl-C
// does not kill pipe half-way through its clean-up); with none held, a closed stdout ends pipe quietly.
import { readFileSync } from 'node:fs';
import { isProcessAlive } from '../infra/index.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopCause = (typeof SIGNALS)[number] | 'EPIPE' | 'parent exited';

const handlers = new Set<(cause: StopCause) => void>();
const listeners = new Map<NodeJS.Signals, () => void>();

function fire(cause: StopCause): void {
  for (const h of [...handlers]) h(cause);
}

/** Calls `handler` on every stop signal until the returned function is called. */
export function onStop(handler: (cause: StopCause) => void): () => void {
  handlers.add(handler);
  if (listeners.size === 0) {
    for (const s of SIGNALS) {
      const l = () => fire(s);
      listeners.set(s, l);
      process.on(s, l);
    }
  }
  return () => {
    handlers.delete(handler);
    if (handlers.size > 0) return;
    for (const [s, l] of listeners) process.off(s, l);
    listeners.clear();
  };
}

/**
 * The reader of stdout went away. A command that holds a stop handler is stopped (and cleans up); any other
 * ends now, without a word, as Unix tools do on a closed pipe.
 */
export function stdoutClosed(): void {
  if (handlers.size > 0) fire('EPIPE');
  else process.exit(0);
}

/**
 * A foreground server stops when the process that started it is gone, as `npx` (whose wrapper runs pipe under
 * `sh -c` and does not pass signals on) and shells that exit without a signal would otherwise leave it orphaned,
 * holding its port and containers. Watched: the parent, and the parent's parent when the parent is a `sh -c`
 * wrapper (that shell outlives its own parent, waiting for pipe).
 */
export function watchParent(intervalMs = 1000): () => void {
  const watched = [process.ppid];
  const parentOfShell = SHELLS.has(commOf(process.ppid) ?? '') ? parentOf(process.ppid) : undefined;
  if (parentOfShell !== undefined && parentOfShell > 1) watched.push(parentOfShell);
  const first = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== first || watched.some((pid) => !isProcessAlive(pid))) fire('parent exited');
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

const SHELLS = new Set(['sh', 'dash', 'bash']);

function statOf(pid: number): string[] | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ...", comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return [stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ...stat.slice(stat.lastIndexOf(')') + 2).split(' ')];
  } catch {
    return undefined; // gone, or no /proc (macOS): only the parent is watched there
  }
}

function commOf(pid: number): string | undefined {
  return statOf(pid)?.[0];
}

function parentOf(pid: number): number | undefined {
  const ppid = Number(statOf(pid)?.[2]);
  return Number.isInteger(ppid) ? ppid : undefined;
}
