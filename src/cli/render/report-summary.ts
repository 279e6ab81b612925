// An action's test and coverage reports as `pipe execution ID` shows them: one line per group, then its failed cases.
import { describeTestCase } from '../../codebuild/index.js';
import type { BuildReport } from '../../codebuild/index.js';
import { formatDuration, paint } from './style.js';

/** Failed cases listed per group; the rest are counted. */
const SHOWN_FAILED_CASES = 20;

function isReport(v: unknown): v is BuildReport {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r['group'] === 'string' && (r['type'] === 'TEST' || r['type'] === 'CODE_COVERAGE');
}

function pct(value: number | undefined, covered: number, missed: number): string {
  return value === undefined ? 'n/a' : `${value.toFixed(2)}% (${covered}/${covered + missed})`;
}

/** Lines (without indentation or newline) for the reports stored in an action's `extra.reports`. */
export function renderReportLines(stored: unknown, color: boolean): string[] {
  if (!Array.isArray(stored)) return [];
  const lines: string[] = [];
  for (const r of stored.filter(isReport)) {
    if (r.type === 'CODE_COVERAGE') {
      lines.push(`report ${r.group} (${r.fileFormat}): lines ${pct(r.lineCoverage, r.linesCovered, r.linesMissed)}, branches ${pct(r.branchCoverage, r.branchesCovered, r.branchesMissed)}`);
    } else {
      const status = paint(color, r.status === 'SUCCEEDED' ? 'green' : r.status === 'FAILED' ? 'red' : 'yellow', r.status);
      const counts = [`${r.passed} passed`, `${r.failed} failed`, ...(r.errors > 0 ? [`${r.errors} error${r.errors === 1 ? '' : 's'}`] : []), `${r.skipped} skipped`];
      lines.push(`report ${r.group} (${r.fileFormat}): ${status}  ${r.total} tests: ${counts.join(', ')}  ${formatDuration(Math.round(r.durationMs))}`);
      const cases = r.failedCases ?? [];
      for (const c of cases.slice(0, SHOWN_FAILED_CASES)) {
        const [first = '', ...rest] = c.message.split('\n');
        lines.push(`  ${paint(color, 'red', c.status)} ${describeTestCase(c)}${first ? `: ${first}` : ''}`);
        for (const more of rest.slice(0, 4)) if (more.trim()) lines.push(`      ${more.trim()}`);
      }
      const hidden = cases.length - Math.min(cases.length, SHOWN_FAILED_CASES) + (r.omittedFailedCases ?? 0);
      if (hidden > 0) lines.push(`  ... and ${hidden} more failed case(s) (--json lists up to 100)`);
    }
    if (r.status === 'INCOMPLETE' || r.files.length === 0) for (const w of r.warnings.slice(0, 3)) lines.push(`  ${paint(color, 'yellow', 'warning')} ${w}`);
  }
  return lines;
}
