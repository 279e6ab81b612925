// Collects every report group's files from the build container after post_build (also when the build failed)
// and parses them. Nothing here can fail the build: each problem becomes a warning on its report.
import { readFile, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { ReportSpec } from '../../core/index.js';
import { describeError } from '../../core/index.js';
import type { BuildContainer } from '../container-port.js';
import { selectContainerFiles } from '../container-files.js';
import { expandVariables } from '../outputs.js';
import { buildReport } from './parse-report.js';
import type { BuildReport } from './report-model.js';

/** A report file larger than this is skipped with a warning rather than read into memory. */
export const MAX_REPORT_FILE_BYTES = 64 * 1024 * 1024;

export interface CollectReportsOptions {
  srcDir: string;
  /** The build's environment as the last command left it, for `base-directory: $VAR/...`. */
  env: Record<string, string>;
  /** Says what was found, in the agent's voice. */
  log(message: string): void;
  warn(message: string): void;
}

async function collectGroup(container: BuildContainer, group: string, spec: ReportSpec, options: CollectReportsOptions): Promise<BuildReport> {
  const base = spec.baseDirectory !== undefined ? expandVariables(spec.baseDirectory, options.env) : undefined;
  const selection = await selectContainerFiles(container, spec.files, {
    srcDir: options.srcDir,
    ...(base !== undefined ? { baseDirectory: base } : {}),
    enableSymlinks: false,
  });
  try {
    const warnings = [...selection.warnings, ...selection.unmatched.map((p) => `Skipping invalid file path ${p}`)];
    const files: Array<{ name: string; bytes: Buffer }> = [];
    for (const f of selection.files) {
      if (f.entry.kind !== 'file' || typeof f.entry.source === 'function') continue;
      const source = f.entry.source;
      const name = f.root === options.srcDir || base !== undefined ? f.name : posix.join(f.root, f.name);
      const size = Buffer.isBuffer(source) ? source.length : (await stat(source)).size;
      if (size > MAX_REPORT_FILE_BYTES) {
        warnings.push(`${name} is ${size} bytes, over the ${MAX_REPORT_FILE_BYTES}-byte limit for a report file; skipped`);
        continue;
      }
      files.push({ name, bytes: Buffer.isBuffer(source) ? source : await readFile(source) });
    }
    if (files.length === 0) warnings.push(`no report files found for report group ${group}`);
    return buildReport(group, spec.fileFormat, files, warnings);
  } finally {
    await selection.dispose();
  }
}

/** One line per report, as the log shows it. */
export function summarizeReportLine(r: BuildReport): string {
  if (r.type === 'CODE_COVERAGE') {
    const line = r.lineCoverage !== undefined ? `${r.lineCoverage}%` : 'n/a';
    const branch = r.branchCoverage !== undefined ? `${r.branchCoverage}%` : 'n/a';
    return `Report ${r.group} (${r.fileFormat}): line coverage ${line}, branch coverage ${branch}, ${r.files.length} file(s)`;
  }
  return `Report ${r.group} (${r.fileFormat}): ${r.status}, ${r.total} test(s): ${r.passed} passed, ${r.failed} failed, ${r.errors} error(s), ${r.skipped} skipped, ${r.files.length} file(s)`;
}

/** Every group of the buildspec's `reports`, in file order. */
export async function collectReports(container: BuildContainer, reports: Record<string, ReportSpec>, options: CollectReportsOptions): Promise<BuildReport[]> {
  const out: BuildReport[] = [];
  for (const [group, spec] of Object.entries(reports)) {
    let report: BuildReport;
    try {
      report = await collectGroup(container, group, spec, options);
    } catch (e) {
      report = buildReport(group, spec.fileFormat, [], [`could not collect report group ${group}: ${describeError(e)}`]);
    }
    for (const w of report.warnings) options.warn(`Report ${group}: ${w}`);
    options.log(summarizeReportLine(report));
    out.push(report);
  }
  return out;
}
