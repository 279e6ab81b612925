// What stops a foreground command: SIGINT (Ctrl-C), SIGTERM, SIGHUP (the terminal went away) and a closed stdout
// (`pipe logs ID | head`). While a command holds a stop handler, every such signal calls it (a second Ctrl-C
// does not kill pipe half-way through its clean-up); with none held, a signal ends pipe as it ends any process
// (`pipe run` keeps it for the handler it is about to take), and a closed stdout ends pipe quietly.
import { readFileSync } from 'node:fs';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopCause = (typeof SIGNALS)[number] | 'EPIPE' | 'parent exited';

const handlers = new Set<(cause: StopCause) => void>();
const listeners = new Map<NodeJS.Signals, () => void>();
/** Set while a command runs (watchStopSignals): its signals are caught from its first instant. */
let watch: { keepForHandler: boolean; pending: StopCause[] } | undefined;

function fire(cause: StopCause): void {
  if (handlers.size > 0) {
    for (const h of [...handlers]) h(cause);
    return;
  }
  if (watch?.keepForHandler) {
    watch.pending.push(cause); // the command's handler is not held yet: it gets the signal when it is
    return;
  }
  // No handler, and none to wait for: the signal does what it does to any process.
  if (cause === 'SIGINT' || cause === 'SIGTERM' || cause === 'SIGHUP') {
    removeListeners();
    process.kill(process.pid, cause);
  }
}

function addListeners(): void {
  if (listeners.size > 0) return;
  for (const s of SIGNALS) {
    const l = () => fire(s);
    listeners.set(s, l);
    process.on(s, l);
  }
}

function removeListeners(): void {
  for (const [s, l] of listeners) process.off(s, l);
  listeners.clear();
}

/** What the launcher (bin/pipe.js) caught while pipe loaded, and how to make it stop catching. */
export interface LauncherSignals {
  early: readonly NodeJS.Signals[];
  /** Removes the launcher's listeners: called once pipe's own listen, so that no signal finds nobody listening. */
  release(): void;
}

/**
 * Catches stop signals for the whole of a command, from before it parses its arguments, taking over from the
 * launcher. With `keepForHandler` (`pipe run`: a signal at any moment leaves its execution Stopped) a signal that
 * comes before the command holds a stop handler is kept and given to the first handler; otherwise it ends pipe as it
 * would end any process. Returns the function that stops watching.
 */
export function watchStopSignals(options: { keepForHandler: boolean; launcher?: LauncherSignals }): () => void {
  watch = { keepForHandler: options.keepForHandler, pending: [] };
  addListeners();
  options.launcher?.release();
  for (const s of options.launcher?.early ?? []) if ((SIGNALS as readonly string[]).includes(s)) fire(s as StopCause);
  return () => {
    const left = watch?.pending[0];
    watch = undefined;
    if (handlers.size === 0) removeListeners();
    if (left) fire(left); // kept for a handler the command never took: it ends pipe now
  };
}

/** Calls `handler` on every stop signal until the returned function is called. */
export function onStop(handler: (cause: StopCause) => void): () => void {
  handlers.add(handler);
  addListeners();
  for (const cause of watch?.pending.splice(0) ?? []) handler(cause);
  return () => {
    handlers.delete(handler);
    if (handlers.size === 0 && !watch) removeListeners();
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
 * wrapper (that shell outlives its own parent, waiting for pipe). Every 200 ms: a script that kills the wrapper and
 * starts another server at once waits that long at most (registry/server-record.ts, settledServerRecord).
 */
export function watchParent(isAlive: (pid: number) => boolean, intervalMs = 200): () => void {
  const watched = [process.ppid];
  const parentOfShell = SHELLS.has(commOf(process.ppid) ?? '') ? parentOf(process.ppid) : undefined;
  if (parentOfShell !== undefined && parentOfShell > 1) watched.push(parentOfShell);
  const first = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== first || watched.some((pid) => !isAlive(pid))) fire('parent exited');
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
