// Where a running `pipe registry serve` listens, recorded in PIPE_HOME (registry/server.json, with its pid), so
// every other pipe process on the same PIPE_HOME talks to it instead of writing the registry's tables behind its back.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleepUnlessAborted } from '../core/index.js';
import { isProcessAlive } from '../infra/index.js';

export interface ServerRecord {
  /** The base URL clients use (loopback when the server listens on every address). */
  url: string;
  pid: number;
  startedAt: string;
  /** The API Gateway `pipe serve --gateway-port` runs beside it: what deploys on this PIPE_HOME name in outputs. */
  gatewayUrl?: string;
}

export function serverRecordPath(home: string): string {
  return join(home, 'registry', 'server.json');
}

/** Written once the server listens (atomically, by rename). */
export function writeServerRecord(home: string, record: ServerRecord): void {
  const path = serverRecordPath(home);
  mkdirSync(join(home, 'registry'), { recursive: true });
  const tmp = `${path}.${randomUUID()}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Removed when the server stops, only if it is still this process's record. */
export function removeServerRecord(home: string, pid = process.pid): void {
  if (readRecord(home)?.pid === pid) rmSync(serverRecordPath(home), { force: true });
}

/** The record of a server whose process still runs; a dead pid's record is removed and none is answered. */
export function liveServerRecord(home: string): ServerRecord | undefined {
  const record = readRecord(home);
  if (record === undefined) return undefined;
  if (isProcessAlive(record.pid)) return record;
  rmSync(serverRecordPath(home), { force: true });
  return undefined;
}

/**
 * The live server's record, once one on its way out has had `graceMs` to go. A server removes its record as the
 * first step of stopping, and one whose parent was killed (npx's wrapper takes the signal and does not pass it on)
 * notices within its watch interval; so a script that stops a server and at once starts another gets the new one,
 * not a refusal. A record still live after the grace is of a server that runs.
 */
export async function settledServerRecord(home: string, graceMs: number, pollMs = 50): Promise<ServerRecord | undefined> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const record = liveServerRecord(home);
    if (record === undefined || Date.now() >= deadline) return record;
    await sleepUnlessAborted(pollMs);
  }
}

function readRecord(home: string): ServerRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(serverRecordPath(home), 'utf8'));
  } catch {
    return undefined; // absent, or cut short by a crash mid-write before the rename: no server
  }
  const r = value as Partial<ServerRecord>;
  if (typeof r.url !== 'string' || typeof r.pid !== 'number' || typeof r.startedAt !== 'string') return undefined;
  return { url: r.url, pid: r.pid, startedAt: r.startedAt, ...(typeof r.gatewayUrl === 'string' ? { gatewayUrl: r.gatewayUrl } : {}) };
}
