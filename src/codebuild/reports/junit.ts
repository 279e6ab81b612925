// JUNITXML: <testsuites>/<testsuite>/<testcase> with <failure>, <error>, <skipped>, as jest-junit, pytest,
// Maven Surefire, Gradle, go-junit-report and mocha-junit-reporter write it. Counts come from the test cases,
// not from the suites' attributes, which some tools get wrong.
import type { ParsedTestFile, TestCaseResult } from './report-model.js';
import { failureDetails, failureMessage, secondsToMs } from './failure-text.js';
import { childrenNamed, firstChild, numberAttr } from './xml.js';
import type { XmlElement } from './xml.js';

function readCase(testcase: XmlElement, suite: string | undefined): TestCaseResult {
  const name = testcase.attrs['name'] ?? '(unnamed)';
  const className = testcase.attrs['classname'] ?? testcase.attrs['class'] ?? suite;
  const durationMs = secondsToMs(numberAttr(testcase, 'time'));
  const base = { name, ...(className ? { className } : {}), ...(durationMs !== undefined ? { durationMs } : {}) };
  // Surefire's flakyFailure/flakyError mean a rerun passed: the case passed.
  const failure = firstChild(testcase, 'failure');
  const error = firstChild(testcase, 'error');
  const bad = failure ?? error;
  if (bad) {
    const details = failureDetails(bad.text);
    return {
      ...base,
      status: failure ? 'FAILED' : 'ERROR',
      message: failureMessage(bad.attrs['message'], bad.text || bad.attrs['type']),
      ...(details ? { details } : {}),
    };
  }
  if (firstChild(testcase, 'skipped')) return { ...base, status: 'SKIPPED' };
  return { ...base, status: 'SUCCEEDED' };
}

function readSuite(suite: XmlElement, into: TestCaseResult[]): void {
  const name = suite.attrs['name'];
  for (const child of suite.children) {
    if (child.name === 'testcase') into.push(readCase(child, name));
    else if (child.name === 'testsuite') readSuite(child, into);
  }
}

/** Reads one JUnit XML document (its root is <testsuites> or a single <testsuite>). */
export function parseJunitXml(root: XmlElement): ParsedTestFile {
  if (root.name !== 'testsuites' && root.name !== 'testsuite') {
    throw new Error(`not JUnit XML: the root element is <${root.name}>, expected <testsuites> or <testsuite>`);
  }
  const cases: TestCaseResult[] = [];
  readSuite(root, cases);
  const rootTime = numberAttr(root, 'time');
  if (rootTime !== undefined) return { cases, durationMs: secondsToMs(rootTime) as number };
  const suiteTimes = childrenNamed(root, 'testsuite').map((s) => numberAttr(s, 'time'));
  if (suiteTimes.length > 0 && suiteTimes.every((t) => t !== undefined)) {
    return { cases, durationMs: secondsToMs(suiteTimes.reduce((a: number, b) => a + (b as number), 0)) as number };
  }
  return { cases };
}
