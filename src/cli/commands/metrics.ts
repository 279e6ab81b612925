// `pipe metrics FUNCTION [--qualifier Q]`: the invocation metrics the registry recorded, per minute and executed
// version: Invocations, Errors, Throttles and Duration (average, p50, p99, maximum), as CloudWatch's AWS/Lambda.
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_REGION, PipeError } from '../../core/index.js';
import { openDatabase, pipeHome } from '../../infra/index.js';
import { metricVersions, readMetricPeriods, statisticOf } from '../../registry/index.js';
import type { MetricSelection } from '../../registry/index.js';
import type { Output } from '../output.js';

interface MetricsOptions {
  qualifier?: string;
  minutes: string;
  region?: string;
  json?: boolean;
}

export function registerMetricsCommand(program: Command, out: Output): void {
  program
    .command('metrics <function>')
    .description('Show a function\'s invocation metrics per minute and executed version (Invocations, Errors, Throttles, Duration)')
    .option('--qualifier <q>', 'only invocations made through this alias or version (CloudWatch\'s Resource dimension)')
    .option('--minutes <n>', 'how far back to look', '60')
    .option('--region <region>', 'the region (default: AWS_REGION, then AWS_DEFAULT_REGION, else us-east-1)')
    .option('--json', 'print JSON')
    .action((fn: string, o: MetricsOptions) => show(out, fn, o));
}

function show(out: Output, functionName: string, o: MetricsOptions): void {
  const minutes = Number(o.minutes);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) throw new PipeError('INVALID_ARGUMENT', `--minutes ${o.minutes} is not a whole number from 1 to 1440`);
  const region = o.region ?? (process.env['AWS_REGION'] || undefined) ?? (process.env['AWS_DEFAULT_REGION'] || undefined) ?? DEFAULT_REGION;
  const db = openDatabase(join(pipeHome(), 'state.db'));
  try {
    const end = Math.ceil(Date.now() / 60_000) * 60_000;
    const start = end - minutes * 60_000;
    const base: MetricSelection = { region, functionName, ...(o.qualifier ? { resource: `${functionName}:${o.qualifier}` } : {}) };
    const rows = metricVersions(db, base, start).flatMap((version) =>
      readMetricPeriods(db, { ...base, executedVersion: version }, start, end, 60).map((p) => ({
        minute: new Date(p.start).toISOString().slice(0, 16).replace('T', ' '),
        version,
        invocations: p.invocations,
        errors: p.errors,
        throttles: p.throttles,
        durationAvgMs: round(statisticOf('Duration', p, 'Average')),
        durationP50Ms: round(statisticOf('Duration', p, 'p50')),
        durationP99Ms: round(statisticOf('Duration', p, 'p99')),
        durationMaxMs: round(statisticOf('Duration', p, 'Maximum')),
      })))
      .sort((a, b) => a.minute.localeCompare(b.minute) || a.version.localeCompare(b.version));
    if (o.json) return out.stdout(`${JSON.stringify(rows)}\n`);
    if (rows.length === 0) return out.stderr(`no invocations of ${functionName}${o.qualifier ? `:${o.qualifier}` : ''} in the last ${minutes} minutes\n`);
    const ms = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(1));
    out.stdout(table(['MINUTE (UTC)', 'VERSION', 'INVOCATIONS', 'ERRORS', 'THROTTLES', 'AVG MS', 'P50 MS', 'P99 MS', 'MAX MS'], rows.map((r) => [
      r.minute, r.version, String(r.invocations), String(r.errors), String(r.throttles), ms(r.durationAvgMs), ms(r.durationP50Ms), ms(r.durationP99Ms), ms(r.durationMaxMs),
    ])));
  } finally {
    db.close();
  }
}

function round(v: number | undefined): number | undefined {
  return v === undefined ? undefined : Math.round(v * 100) / 100;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}
