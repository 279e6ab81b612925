// Test and coverage reports: parsers for CodeBuild's report formats and their collection from a build container.
export { collectReports, summarizeReportLine } from './collect-reports.js';
export { buildReport, isCoverageFormat, parseReportFile } from './parse-report.js';
export { describeTestCase, REPORT_STATUSES, TEST_CASE_STATUSES } from './report-model.js';
export type {
  BuildReport,
  CoverageReport,
  FailedTestCase,
  ReportStatus,
  TestCaseStatus,
  TestReport,
} from './report-model.js';
export { parseXml, XmlSyntaxError } from './xml.js';
export type { XmlElement } from './xml.js';
