// Invocation metrics: every invoke counted per function, Resource (`fn:qualifier` as called) and executed version, in
// 1-second and 1-minute buckets. Recording only touches an in-memory buffer; a timer flushes it to SQLite in one
// transaction (every 200 ms while there is data), so the invoke path never waits for the disk. Bounded: 1-second
// buckets are kept 3 hours and 1-minute buckets 15 days (CloudWatch's own retention for those periods), and a bucket
// keeps at most SAMPLE_LIMIT durations for its percentiles. Each flush also appends, per function it touched, a row to
// an append-only log with a sequence number (`metricsChangesAfter` reads it), so another process (the dashboard's
// server) knows when a function's graphs moved without reading the buckets again and again.
import type { Db, Migration } from '../../infra/index.js';
import { migrate } from '../../infra/index.js';

export const METRICS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'invocation metrics in 1 s and 1 min buckets',
    sql: `
      CREATE TABLE registry_metrics (
        resolution INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        region TEXT NOT NULL,
        function_name TEXT NOT NULL,
        resource TEXT NOT NULL,
        executed_version TEXT NOT NULL,
        invocations INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        throttles INTEGER NOT NULL,
        duration_sum REAL NOT NULL,
        duration_min REAL,
        duration_max REAL,
        durations TEXT NOT NULL,
        PRIMARY KEY (resolution, region, function_name, resource, executed_version, bucket)
      );
      CREATE INDEX registry_metrics_age ON registry_metrics (resolution, bucket);`,
  },
  {
    version: 2,
    name: 'the append-only log of metric flushes, per function',
    sql: `CREATE TABLE registry_metrics_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, region TEXT NOT NULL, function_name TEXT NOT NULL, at INTEGER NOT NULL);`,
  },
];

/** A flush recorded new datapoints of a function: its graphs moved. */
export interface MetricsChange {
  seq: number;
  region: string;
  functionName: string;
  /** Epoch ms of the flush. */
  at: number;
}

/** The metric flushes after `seq`, oldest first: the one reader of the metrics log. */
export function metricsChangesAfter(db: Db, seq: number, limit = 500): MetricsChange[] {
  ensureTable(db);
  return (db.prepare('SELECT seq, region, function_name, at FROM registry_metrics_log WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit) as
    { seq: number; region: string; function_name: string; at: number }[]).map((r) => ({ seq: r.seq, region: r.region, functionName: r.function_name, at: r.at }));
}

export function lastMetricsSeq(db: Db): number {
  ensureTable(db);
  return (db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM registry_metrics_log').get() as { seq: number }).seq;
}

/** Databases whose metrics table is known to exist (readers look every 100 ms during a deployment). */
const migrated = new WeakSet<Db>();

function ensureTable(db: Db): void {
  if (migrated.has(db)) return;
  migrate(db, 'registry-metrics', METRICS_MIGRATIONS);
  migrated.add(db);
}

/** Durations kept per bucket for p50/p99 (the first ones of the bucket). */
export const SAMPLE_LIMIT = 500;
const RESOLUTIONS = [1, 60] as const;
const RETENTION_S: Record<(typeof RESOLUTIONS)[number], number> = { 1: 3 * 3600, 60: 15 * 86400 };

/** One invocation (or one throttled request) as the registry saw it. */
export interface InvocationSample {
  region: string;
  functionName: string;
  /** The qualifier the caller used, or undefined for an unqualified call. */
  qualifier: string | undefined;
  executedVersion: string;
  /** Epoch ms when it ended. */
  at: number;
  outcome: 'ok' | 'error' | 'throttled';
  durationMs: number;
}

interface Bucket {
  resolution: number;
  bucket: number;
  region: string;
  functionName: string;
  resource: string;
  executedVersion: string;
  invocations: number;
  errors: number;
  throttles: number;
  durationSum: number;
  durationMin: number | undefined;
  durationMax: number | undefined;
  durations: number[];
}

export interface MetricsStoreOptions {
  flushMs?: number;
  now?: () => number;
}

/** The writer of one process: buffer, flush timer, pruning. Readers need only the database (readMetricPeriods). */
export class MetricsStore {
  private buffer = new Map<string, Bucket>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastPrune = 0;
  private readonly flushMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Db,
    options: MetricsStoreOptions = {},
  ) {
    ensureTable(db);
    this.flushMs = options.flushMs ?? 200;
    this.now = options.now ?? Date.now;
  }

  record(s: InvocationSample): void {
    // An invocation that ends after its registry closed (a hook's, settling while its process exits) has no
    // database left to go to: it is dropped rather than flushed later into a closed connection.
    if (this.closed) return;
    const resource = s.qualifier === undefined ? '' : `${s.functionName}:${s.qualifier}`;
    // Hundredths of a millisecond everywhere, so percentiles of the samples never pass the minimum or maximum.
    const duration = Math.round(s.durationMs * 100) / 100;
    for (const resolution of RESOLUTIONS) {
      const bucket = Math.floor(s.at / 1000 / resolution) * resolution;
      const key = `${resolution}\u0000${s.region}\u0000${s.functionName}\u0000${resource}\u0000${s.executedVersion}\u0000${bucket}`;
      let b = this.buffer.get(key);
      if (!b) {
        b = { resolution, bucket, region: s.region, functionName: s.functionName, resource, executedVersion: s.executedVersion, invocations: 0, errors: 0, throttles: 0, durationSum: 0, durationMin: undefined, durationMax: undefined, durations: [] };
        this.buffer.set(key, b);
      }
      if (s.outcome === 'throttled') {
        b.throttles++;
        continue;
      }
      b.invocations++;
      if (s.outcome === 'error') b.errors++;
      b.durationSum += duration;
      b.durationMin = b.durationMin === undefined ? duration : Math.min(b.durationMin, duration);
      b.durationMax = b.durationMax === undefined ? duration : Math.max(b.durationMax, duration);
      if (b.durations.length < SAMPLE_LIMIT) b.durations.push(duration);
    }
    this.timer ??= setTimeout(() => this.flush(), this.flushMs).unref();
  }

  /** Writes the buffer in one transaction, merging into buckets already stored (by this or another process). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.size === 0) return;
    // The database was closed by its owner before the registry: what is buffered has nowhere to go.
    if (!this.db.open) {
      this.buffer = new Map();
      return;
    }
    const pending = [...this.buffer.values()];
    this.buffer = new Map();
    const select = this.db.prepare(`SELECT invocations, errors, throttles, duration_sum, duration_min, duration_max, durations FROM registry_metrics
      WHERE resolution = ? AND region = ? AND function_name = ? AND resource = ? AND executed_version = ? AND bucket = ?`);
    const upsert = this.db.prepare(`INSERT OR REPLACE INTO registry_metrics
      (resolution, bucket, region, function_name, resource, executed_version, invocations, errors, throttles, duration_sum, duration_min, duration_max, durations)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.db.transaction(() => {
      for (const b of pending) {
        const old = select.get(b.resolution, b.region, b.functionName, b.resource, b.executedVersion, b.bucket) as StoredRow | undefined;
        const merged = old ? mergeStored(b, old) : b;
        upsert.run(merged.resolution, merged.bucket, merged.region, merged.functionName, merged.resource, merged.executedVersion, merged.invocations,
          merged.errors, merged.throttles, merged.durationSum, merged.durationMin ?? null, merged.durationMax ?? null, JSON.stringify(merged.durations));
      }
      const logged = this.db.prepare('INSERT INTO registry_metrics_log (region, function_name, at) VALUES (?, ?, ?)');
      const now = this.now();
      for (const fn of new Set(pending.map((b) => `${b.region}\u0000${b.functionName}`))) {
        const [region = '', functionName = ''] = fn.split('\u0000');
        logged.run(region, functionName, now);
      }
      this.prune();
    }).immediate();
  }

  close(): void {
    this.flush();
    this.closed = true;
  }

  private prune(): void {
    const nowS = Math.floor(this.now() / 1000);
    if (nowS - this.lastPrune < 60) return;
    this.lastPrune = nowS;
    const del = this.db.prepare('DELETE FROM registry_metrics WHERE resolution = ? AND bucket < ?');
    for (const r of RESOLUTIONS) del.run(r, nowS - RETENTION_S[r]);
    // The log says only that graphs moved: a follower that was away longer than the 1-second buckets are kept reads them afresh.
    this.db.prepare('DELETE FROM registry_metrics_log WHERE at < ?').run((nowS - RETENTION_S[1]) * 1000);
  }
}

interface StoredRow {
  invocations: number;
  errors: number;
  throttles: number;
  duration_sum: number;
  duration_min: number | null;
  duration_max: number | null;
  durations: string;
}

function mergeStored(b: Bucket, old: StoredRow): Bucket {
  const min = [b.durationMin, old.duration_min ?? undefined].filter((x): x is number => x !== undefined);
  const max = [b.durationMax, old.duration_max ?? undefined].filter((x): x is number => x !== undefined);
  return {
    ...b,
    invocations: b.invocations + old.invocations,
    errors: b.errors + old.errors,
    throttles: b.throttles + old.throttles,
    durationSum: b.durationSum + old.duration_sum,
    durationMin: min.length ? Math.min(...min) : undefined,
    durationMax: max.length ? Math.max(...max) : undefined,
    durations: [...(JSON.parse(old.durations) as number[]), ...b.durations].slice(0, SAMPLE_LIMIT),
  };
}

/** Which invocations a reading covers: CloudWatch's AWS/Lambda dimensions. */
export interface MetricSelection {
  region: string;
  functionName: string;
  /** `fn:alias` or `fn:version` as the caller qualified it; absent: every invocation of the function. */
  resource?: string;
  executedVersion?: string;
}

/** One period's aggregate. */
export interface MetricPeriod {
  /** Epoch ms of the period's start. */
  start: number;
  invocations: number;
  errors: number;
  throttles: number;
  durationSum: number;
  durationMin: number | undefined;
  durationMax: number | undefined;
  durations: number[];
}

/**
 * The periods of [startMs, endMs) that hold data, aggregated from the finest buckets that divide the period
 * (1-second buckets for periods that are not whole minutes, and for the last 3 hours).
 */
export function readMetricPeriods(db: Db, sel: MetricSelection, startMs: number, endMs: number, periodS: number): MetricPeriod[] {
  ensureTable(db);
  const resolution = periodS % 60 === 0 && startMs < Date.now() - RETENTION_S[1] * 1000 ? 60 : 1;
  const where = ['resolution = ?', 'region = ?', 'function_name = ?', 'bucket >= ?', 'bucket < ?'];
  const args: (string | number)[] = [resolution, sel.region, sel.functionName, Math.floor(startMs / 1000), Math.ceil(endMs / 1000)];
  if (sel.resource !== undefined) {
    where.push('resource = ?');
    args.push(sel.resource);
  }
  if (sel.executedVersion !== undefined) {
    where.push('executed_version = ?');
    args.push(sel.executedVersion);
  }
  const rows = db.prepare(`SELECT bucket, invocations, errors, throttles, duration_sum, duration_min, duration_max, durations FROM registry_metrics WHERE ${where.join(' AND ')}`)
    .all(...args) as (StoredRow & { bucket: number })[];
  const periods = new Map<number, MetricPeriod>();
  for (const r of rows) {
    const startS = Math.floor(startMs / 1000);
    const start = (startS + Math.floor((r.bucket - startS) / periodS) * periodS) * 1000;
    let p = periods.get(start);
    if (!p) {
      p = { start, invocations: 0, errors: 0, throttles: 0, durationSum: 0, durationMin: undefined, durationMax: undefined, durations: [] };
      periods.set(start, p);
    }
    p.invocations += r.invocations;
    p.errors += r.errors;
    p.throttles += r.throttles;
    p.durationSum += r.duration_sum;
    if (r.duration_min !== null) p.durationMin = p.durationMin === undefined ? r.duration_min : Math.min(p.durationMin, r.duration_min);
    if (r.duration_max !== null) p.durationMax = p.durationMax === undefined ? r.duration_max : Math.max(p.durationMax, r.duration_max);
    p.durations.push(...(JSON.parse(r.durations) as number[]));
  }
  return [...periods.values()].sort((a, b) => a.start - b.start);
}

/** The versions that ran invocations of a selection since `startMs` (for a table per version). */
export function metricVersions(db: Db, sel: MetricSelection, startMs: number): string[] {
  ensureTable(db);
  const where = ['resolution = 1', 'region = ?', 'function_name = ?', 'bucket >= ?'];
  const args: (string | number)[] = [sel.region, sel.functionName, Math.floor(startMs / 1000)];
  if (sel.resource !== undefined) {
    where.push('resource = ?');
    args.push(sel.resource);
  }
  return (db.prepare(`SELECT DISTINCT executed_version AS v FROM registry_metrics WHERE ${where.join(' AND ')}`).all(...args) as { v: string }[])
    .map((r) => r.v)
    .sort((a, b) => (Number(a) || 0) - (Number(b) || 0));
}
