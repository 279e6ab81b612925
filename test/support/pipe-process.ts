// Real `pipe` processes for the multi-process tests: started in the background, their output read as it comes,
// signalled, waited for; and what the tests look at once they ran: the store through `pipe execution --json`, this
// PIPE_HOME's containers, leftover temporary files, `pipe worker` processes. Waits poll a condition with a
// deadline; none decides an order by sleeping.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LABELS, isTerminalExecutionStatus } from '../../src/core/index.js';
import type { ExecutionDetail, ExecutionSummary } from '../../src/execute/index.js';
import { DockerEngine } from '../../src/infra/docker.js';
import { PIPE_BIN, pipe } from './cli.js';
import type { PipeEnv } from './cli.js';

export interface Ended {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface PipeProcess {
  readonly pid: number;
  stdout(): string;
  /** Resolves with the first match of `match` in stdout, as soon as it is there. */
  waitForOutput(match: RegExp, deadlineMs?: number): Promise<RegExpExecArray>;
  /** Signals the process, or with `group` its whole process group (as a terminal or `kill -- -PGID` does). */
  kill(signal: NodeJS.Signals, options?: { group?: boolean }): void;
  readonly exited: Promise<Ended>;
}

const running = new Set<PipeProcess>();

/**
 * Ends the pipe processes a test started that still run (a test that failed half-way): SIGTERM, so that they remove
 * their containers, then SIGKILL past a deadline. For an `afterEach`.
 */
export async function endStrayPipes(): Promise<void> {
  await Promise.all([...running].map(async (p) => {
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await p.exited;
    clearTimeout(timer);
  }));
}

/** Starts `pipe ARGS` with the env's PIPE_HOME; `ownGroup` puts it in a process group of its own. */
export function startPipe(args: string[], p: PipeEnv, options: { extraEnv?: Record<string, string>; ownGroup?: boolean } = {}): PipeProcess {
  const child = spawn(process.execPath, [PIPE_BIN, ...args], {
    env: { ...process.env, ...p.env, ...options.extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownGroup === true,
  });
  let stdout = '';
  let stderr = '';
  let ended = false;
  const watchers = new Set<() => void>();
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    for (const w of [...watchers]) w();
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<Ended>((resolve) =>
    child.on('close', (exitCode, signal) => {
      ended = true;
      running.delete(handle);
      for (const w of [...watchers]) w();
      resolve({ exitCode, signal, stdout, stderr });
    }),
  );
  const pid = child.pid ?? -1;
  const handle: PipeProcess = {
    pid,
    stdout: () => stdout,
    waitForOutput(match, deadlineMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = match.exec(stdout);
          if (m) {
            done();
            resolve(m);
          } else if (ended) {
            done();
            reject(new Error(`pipe ${args.join(' ')} ended without printing ${match}; stdout:\n${stdout}\nstderr:\n${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`pipe ${args.join(' ')} did not print ${match} within ${deadlineMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
        }, deadlineMs);
        const done = () => {
          clearTimeout(timer);
          watchers.delete(check);
        };
        watchers.add(check);
        check();
      });
    },
    kill(signal, o = {}) {
      try {
        if (o.group) process.kill(-pid, signal);
        else child.kill(signal);
      } catch {
        // it has ended
      }
    },
    exited,
  };
  running.add(handle);
  return handle;
}

/** The id a foreground `pipe run` prints first (`Execution ID of PIPELINE: InProgress`). */
export async function executionIdOf(run: PipeProcess): Promise<string> {
  const m = await run.waitForOutput(/^Execution ([0-9a-f-]{36}) of /m);
  return String(m[1]);
}

/** Polls `probe` until it returns something other than undefined or false; fails past the deadline. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, deadlineMs = 60_000, intervalMs = 100): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function executionDetail(id: string, p: PipeEnv): Promise<ExecutionDetail> {
  const r = await pipe(['execution', id, '--json'], p);
  if (r.exitCode !== 0) throw new Error(`pipe execution ${id} --json exited ${r.exitCode}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ExecutionDetail;
}

export async function executionList(p: PipeEnv): Promise<ExecutionSummary[]> {
  const r = await pipe(['executions', '--json', '--limit', '1000'], p);
  if (r.exitCode !== 0) throw new Error(`pipe executions --json exited ${r.exitCode}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ExecutionSummary[];
}

/** Waits until the execution has ended (a terminal status) and returns it. */
export function waitForEnd(id: string, p: PipeEnv, deadlineMs = 60_000): Promise<ExecutionDetail> {
  return waitUntil(`execution ${id} to end`, async () => {
    const e = await executionDetail(id, p);
    return isTerminalExecutionStatus(e.status) ? e : undefined;
  }, deadlineMs, 200);
}

/** Containers labelled with this PIPE_HOME (and the given labels): no other test file's. */
export function homeContainers(p: PipeEnv, labels: Record<string, string> = {}): Promise<string[]> {
  return new DockerEngine(undefined, { home: p.home }).listContainers({ [LABELS.home]: p.home, ...labels });
}

/** Files and folders under `dir` that a writer leaves while it works: `*.tmp`, and pipe's temp folders. */
export function leftoverTempFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.name.endsWith('.tmp') || /^pipe-[a-z-]+-/.test(entry.name)) found.push(join(entry.parentPath, entry.name));
  }
  return found;
}

/** Pids of the `pipe worker ID` processes that run now (read from /proc). */
export function workerPids(executionId: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')) continue; // a zombie has ended
    } catch {
      continue; // gone meanwhile
    }
    const argv = cmdline.split('\0');
    const at = argv.indexOf('worker');
    if (at > 0 && argv[at + 1] === executionId && argv.some((a) => a.endsWith('pipe.js'))) pids.push(Number(name));
  }
  return pids;
}

/** What the worker of an execution wrote to PIPE_HOME/logs/workers/ID.log. */
export function workerLog(executionId: string, p: PipeEnv): string {
  const path = join(p.home, 'logs', 'workers', `${executionId}.log`);
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** Whether a process has a handler for `signal` (SigCgt in /proc/PID/status): pipe's own code is running. */
export function catchesSignal(pid: number, signal: NodeJS.Signals): boolean {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
  const n = numbers[signal];
  if (n === undefined) throw new Error(`catchesSignal knows SIGHUP, SIGINT and SIGTERM, not ${signal}`);
  try {
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '0';
    return (BigInt(`0x${mask}`) & (1n << BigInt(n - 1))) !== 0n;
  } catch {
    return false; // not started yet, or gone
  }
}
