// BuildReport: what a build's `reports` groups held, in CodeBuild's terms (a test report's status counts, a
// coverage report's line and branch percentages), as stored with the action execution.
import type { ReportFormat } from '../../core/index.js';

/** A test case's result, as CodeBuild counts them (TestReportSummary.statusCounts). */
export const TEST_CASE_STATUSES = ['SUCCEEDED', 'FAILED', 'ERROR', 'SKIPPED'] as const;
export type TestCaseStatus = (typeof TEST_CASE_STATUSES)[number];

/** SUCCEEDED: every test passed; FAILED: a test failed or errored; INCOMPLETE: no report file could be read. */
export const REPORT_STATUSES = ['SUCCEEDED', 'FAILED', 'INCOMPLETE'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** One test case as a parser reads it from a file. */
export interface TestCaseResult {
  name: string;
  className?: string;
  status: TestCaseStatus;
  durationMs?: number;
  /** For failures and errors: the assertion's message (or the first lines of the output). */
  message?: string;
  /** For failures and errors: the stack trace or full output, shortened. */
  details?: string;
}

/** What a test-format parser returns for one file. */
export interface ParsedTestFile {
  cases: TestCaseResult[];
  /** The run's own duration when the file states one; else the cases' sum is used. */
  durationMs?: number;
}

export interface CoverageCounts {
  linesCovered: number;
  linesMissed: number;
  branchesCovered: number;
  branchesMissed: number;
}

export interface FailedTestCase {
  name: string;
  className?: string;
  status: 'FAILED' | 'ERROR';
  message: string;
  details?: string;
  durationMs?: number;
  /** The report file it came from, relative to the group's base directory. */
  file: string;
}

/** A case that passed or was skipped: its name, status and time, for the report's table of every test. */
export interface PassedTestCase {
  name: string;
  className?: string;
  status: 'SUCCEEDED' | 'SKIPPED';
  durationMs?: number;
  file: string;
}

interface ReportBase {
  /** The group's name in the buildspec. */
  group: string;
  fileFormat: ReportFormat;
  status: ReportStatus;
  /** The files read, relative to the group's base directory (or absolute when given so). */
  files: string[];
  /** Files that matched but could not be read, and patterns that matched nothing. */
  warnings: string[];
}

export interface TestReport extends ReportBase {
  type: 'TEST';
  total: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  durationMs: number;
  failedCases: FailedTestCase[];
  /** How many failed cases were left out of `failedCases` to keep the record small. */
  omittedFailedCases: number;
  /** The cases that passed or were skipped, in file order (absent in records of older versions). */
  passedCases?: PassedTestCase[];
  /** How many of those were left out of `passedCases` to keep the record small. */
  omittedPassedCases?: number;
}

export interface CoverageReport extends ReportBase, CoverageCounts {
  type: 'CODE_COVERAGE';
  /** Percent, two decimals; absent when the files count no lines (or branches). */
  lineCoverage?: number;
  branchCoverage?: number;
}

export type BuildReport = TestReport | CoverageReport;

/** `com.acme.AppTest.adds` for JUnit's classname + name; the name alone when it already says it. */
export function describeTestCase(c: { name: string; className?: string }): string {
  if (!c.className || c.name.startsWith(c.className)) return c.name;
  return `${c.className}.${c.name}`;
}
