// The recent invocations the Functions page lists (time, duration, status, request id, log tail, billed duration,
// max memory): every synchronous invoke through this server's registry is noted by wrapping its Invoker, and kept
// in `<home>/logs/invocations.jsonl` so a restart of the server loses none of them.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Invoker } from '../registry/index.js';
import { PRIVATE_FILE_MODE, makePrivateDir } from '../infra/index.js';

export interface InvocationRecord {
  time: string;
  functionName: string;
  version: string;
  requestId: string;
  /** Wall time of the invoke as the server saw it. */
  durationMs: number;
  status: 'Succeeded' | 'Failed';
  functionError?: string;
  /** From the REPORT line of the log: what Lambda bills and reports. */
  report?: { durationMs: number; billedDurationMs: number; memorySizeMb: number; maxMemoryUsedMb: number };
  logTail: string;
}

const KEPT = 500;

export class InvocationJournal {
  private readonly records: InvocationRecord[] = [];
  private readonly file: string;

  constructor(home: string) {
    const dir = join(home, 'logs');
    makePrivateDir(dir);
    this.file = join(dir, 'invocations.jsonl');
    if (existsSync(this.file)) {
      for (const line of readFileSync(this.file, 'utf8').split('\n').slice(-KEPT)) {
        if (!line.trim()) continue;
        try {
          this.records.push(JSON.parse(line) as InvocationRecord);
        } catch {
          // a line cut by a crash: skipped
        }
      }
    }
  }

  /** The function's invocations, newest first. */
  recent(functionName: string, limit = 20): InvocationRecord[] {
    return this.records.filter((r) => r.functionName === functionName).slice(-limit).reverse();
  }

  private add(r: InvocationRecord): void {
    this.records.push(r);
    if (this.records.length > KEPT) this.records.splice(0, this.records.length - KEPT);
    appendFileSync(this.file, `${JSON.stringify(r)}\n`, { mode: PRIVATE_FILE_MODE });
  }

  /** An Invoker that notes each invocation; it always asks for the log's tail, and hands it on only when asked. */
  wrap(inner: Invoker): Invoker {
    const journal = this;
    const wrapped: Invoker = {
      async invoke(request) {
        const started = performance.now();
        const result = await inner.invoke({ ...request, logType: 'Tail' });
        const logTail = result.logResult ? Buffer.from(result.logResult, 'base64').toString('utf8') : '';
        const report = parseReport(logTail);
        journal.add({
          time: new Date().toISOString(),
          functionName: request.target.functionName,
          version: result.executedVersion,
          requestId: result.requestId,
          durationMs: Math.round((performance.now() - started) * 100) / 100,
          status: result.functionError ? 'Failed' : 'Succeeded',
          ...(result.functionError ? { functionError: result.functionError } : {}),
          ...(report ? { report } : {}),
          logTail,
        });
        if (request.logType === 'Tail') return result;
        const { logResult: _dropped, ...rest } = result;
        return rest;
      },
      retire: (functionArn, version) => inner.retire(functionArn, version),
      close: () => inner.close(),
    };
    if (inner.runtimeSupport) wrapped.runtimeSupport = (runtime) => inner.runtimeSupport?.(runtime) ?? { supported: true };
    return wrapped;
  }
}

/** `REPORT RequestId: … Duration: 1.23 ms Billed Duration: 2 ms Memory Size: 128 MB Max Memory Used: 40 MB`. */
export function parseReport(log: string): InvocationRecord['report'] {
  const m = /Duration: ([\d.]+) ms\s+Billed Duration: (\d+) ms\s+Memory Size: (\d+) MB\s+Max Memory Used: (\d+) MB/.exec(log);
  if (!m) return undefined;
  return { durationMs: Number(m[1]), billedDurationMs: Number(m[2]), memorySizeMb: Number(m[3]), maxMemoryUsedMb: Number(m[4]) };
}
