// One report group's files, read and summed: a test report (status counts, duration, failed cases) or a coverage
// report (line and branch percentages). A file that cannot be read is a warning on the report, never an error.
import { COVERAGE_REPORT_FORMATS } from '../../core/index.js';
import type { ReportFormat } from '../../core/index.js';
import { parseCloverXml, parseCoberturaXml, parseJacocoXml, parseSimplecovJson } from './coverage.js';
import { parseCucumberJson } from './cucumber.js';
import { parseJunitXml } from './junit.js';
import { parseNunitXml } from './nunit.js';
import type { BuildReport, CoverageCounts, CoverageReport, FailedTestCase, ParsedTestFile, PassedTestCase, TestReport } from './report-model.js';
import { parseTestngXml } from './testng.js';
import { parseTrx } from './trx.js';
import { decodeReportBytes, parseXml } from './xml.js';

/** Failed cases kept per group; the rest are counted in `omittedFailedCases`. */
export const MAX_FAILED_CASES = 100;
/** Passed and skipped cases kept per group, names and times only; the rest are counted in `omittedPassedCases`. */
export const MAX_PASSED_CASES = 500;

export type ParsedReportFile = { kind: 'test'; tests: ParsedTestFile } | { kind: 'coverage'; coverage: CoverageCounts };

export function isCoverageFormat(format: ReportFormat): boolean {
  return (COVERAGE_REPORT_FORMATS as readonly string[]).includes(format);
}

/** Parses one file's bytes in the group's format; throws (an Error with a reason) when it cannot. */
export function parseReportFile(format: ReportFormat, bytes: Buffer): ParsedReportFile {
  const text = decodeReportBytes(bytes);
  switch (format) {
    case 'JUNITXML':
      return { kind: 'test', tests: parseJunitXml(parseXml(text)) };
    case 'NUNITXML':
    case 'NUNIT3XML':
      return { kind: 'test', tests: parseNunitXml(parseXml(text)) };
    case 'TESTNGXML':
      return { kind: 'test', tests: parseTestngXml(parseXml(text)) };
    case 'VISUALSTUDIOTRX':
      return { kind: 'test', tests: parseTrx(parseXml(text)) };
    case 'CUCUMBERJSON':
      return { kind: 'test', tests: parseCucumberJson(text) };
    case 'COBERTURAXML':
      return { kind: 'coverage', coverage: parseCoberturaXml(parseXml(text)) };
    case 'CLOVERXML':
      return { kind: 'coverage', coverage: parseCloverXml(parseXml(text)) };
    case 'JACOCOXML':
      return { kind: 'coverage', coverage: parseJacocoXml(parseXml(text)) };
    case 'SIMPLECOV':
      return { kind: 'coverage', coverage: parseSimplecovJson(text) };
    default: {
      const never: never = format;
      throw new Error(`unknown report format ${String(never)}`);
    }
  }
}

export interface ReadReportFile {
  /** As shown to people: relative to the base directory, or absolute. */
  name: string;
  parsed: ParsedReportFile;
}

function percent(covered: number, missed: number): number | undefined {
  const total = covered + missed;
  return total > 0 ? Math.round((covered / total) * 10000) / 100 : undefined;
}

function summarizeTests(group: string, format: ReportFormat, files: readonly ReadReportFile[], warnings: string[]): TestReport {
  const counts = { SUCCEEDED: 0, FAILED: 0, ERROR: 0, SKIPPED: 0 };
  const failedCases: FailedTestCase[] = [];
  const passedCases: PassedTestCase[] = [];
  let omitted = 0;
  let omittedPassed = 0;
  let durationMs = 0;
  for (const { name, parsed } of files) {
    if (parsed.kind !== 'test') continue;
    const { cases } = parsed.tests;
    durationMs += parsed.tests.durationMs ?? cases.reduce((sum, c) => sum + (c.durationMs ?? 0), 0);
    for (const c of cases) {
      counts[c.status]++;
      if (c.status === 'SUCCEEDED' || c.status === 'SKIPPED') {
        if (passedCases.length >= MAX_PASSED_CASES) omittedPassed++;
        else passedCases.push({ name: c.name, ...(c.className !== undefined ? { className: c.className } : {}), status: c.status, ...(c.durationMs !== undefined ? { durationMs: c.durationMs } : {}), file: name });
        continue;
      }
      if (failedCases.length >= MAX_FAILED_CASES) {
        omitted++;
        continue;
      }
      failedCases.push({
        name: c.name,
        ...(c.className !== undefined ? { className: c.className } : {}),
        status: c.status,
        message: c.message ?? '',
        ...(c.details !== undefined ? { details: c.details } : {}),
        ...(c.durationMs !== undefined ? { durationMs: c.durationMs } : {}),
        file: name,
      });
    }
  }
  const total = counts.SUCCEEDED + counts.FAILED + counts.ERROR + counts.SKIPPED;
  const status = files.length === 0 ? 'INCOMPLETE' : counts.FAILED + counts.ERROR > 0 ? 'FAILED' : 'SUCCEEDED';
  return {
    group,
    type: 'TEST',
    fileFormat: format,
    status,
    files: files.map((f) => f.name),
    warnings,
    total,
    passed: counts.SUCCEEDED,
    failed: counts.FAILED,
    errors: counts.ERROR,
    skipped: counts.SKIPPED,
    durationMs: Math.round(durationMs * 1000) / 1000,
    failedCases,
    omittedFailedCases: omitted,
    passedCases,
    omittedPassedCases: omittedPassed,
  };
}

function summarizeCoverage(group: string, format: ReportFormat, files: readonly ReadReportFile[], warnings: string[]): CoverageReport {
  const sum: CoverageCounts = { linesCovered: 0, linesMissed: 0, branchesCovered: 0, branchesMissed: 0 };
  for (const { parsed } of files) {
    if (parsed.kind !== 'coverage') continue;
    sum.linesCovered += parsed.coverage.linesCovered;
    sum.linesMissed += parsed.coverage.linesMissed;
    sum.branchesCovered += parsed.coverage.branchesCovered;
    sum.branchesMissed += parsed.coverage.branchesMissed;
  }
  const line = percent(sum.linesCovered, sum.linesMissed);
  const branch = percent(sum.branchesCovered, sum.branchesMissed);
  return {
    group,
    type: 'CODE_COVERAGE',
    fileFormat: format,
    status: files.length === 0 ? 'INCOMPLETE' : 'SUCCEEDED',
    files: files.map((f) => f.name),
    warnings,
    ...sum,
    ...(line !== undefined ? { lineCoverage: line } : {}),
    ...(branch !== undefined ? { branchCoverage: branch } : {}),
  };
}

/** The group's report from the files that could be read (and the warnings about the rest). */
export function summarizeReport(group: string, format: ReportFormat, files: readonly ReadReportFile[], warnings: string[]): BuildReport {
  return isCoverageFormat(format) ? summarizeCoverage(group, format, files, warnings) : summarizeTests(group, format, files, warnings);
}

/** Parses in-memory files into the group's report; the entry point for tests and the collector alike. */
export function buildReport(group: string, format: ReportFormat, files: ReadonlyArray<{ name: string; bytes: Buffer }>, warnings: string[] = []): BuildReport {
  const read: ReadReportFile[] = [];
  const notes = [...warnings];
  for (const f of files) {
    try {
      read.push({ name: f.name, parsed: parseReportFile(format, f.bytes) });
    } catch (e) {
      notes.push(`${f.name} is not a readable ${format} file: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return summarizeReport(group, format, read, notes);
}
