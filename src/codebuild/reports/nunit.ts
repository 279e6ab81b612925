// NUNITXML and NUNIT3XML: NUnit 2's <test-results> and NUnit 3's <test-run>, both with <test-case> elements
// whose `result` says what happened. Either root is accepted under either format name, as files are mislabelled.
import type { ParsedTestFile, TestCaseResult, TestCaseStatus } from './report-model.js';
import { failureDetails, failureMessage, secondsToMs } from './failure-text.js';
import { childrenNamed, descendantsNamed, firstChild, numberAttr } from './xml.js';
import type { XmlElement } from './xml.js';

/** NUnit 2's result values; anything unknown that did not run counts as skipped. */
function nunit2Status(testcase: XmlElement): TestCaseStatus {
  switch (testcase.attrs['result']) {
    case 'Success':
      return 'SUCCEEDED';
    case 'Failure':
      return 'FAILED';
    case 'Error':
      return 'ERROR';
    default:
      if (testcase.attrs['executed'] === 'False') return 'SKIPPED';
      return testcase.attrs['success'] === 'True' ? 'SUCCEEDED' : 'SKIPPED';
  }
}

/** NUnit 3: result Passed/Failed/Skipped/Inconclusive/Warning; label="Error" marks an exception. */
function nunit3Status(testcase: XmlElement): TestCaseStatus {
  switch (testcase.attrs['result']) {
    case 'Passed':
    case 'Warning':
      return 'SUCCEEDED';
    case 'Failed':
      return testcase.attrs['label'] === 'Error' || testcase.attrs['label'] === 'Invalid' ? 'ERROR' : 'FAILED';
    default:
      return 'SKIPPED';
  }
}

function readCase(testcase: XmlElement, status: TestCaseStatus, durationMs: number | undefined): TestCaseResult {
  const full = testcase.attrs['fullname'] ?? testcase.attrs['name'] ?? '(unnamed)';
  const className = testcase.attrs['classname'];
  const name = className && full.startsWith(`${className}.`) ? full : (testcase.attrs['name'] ?? full);
  const base = { name, ...(className ? { className } : {}), ...(durationMs !== undefined ? { durationMs } : {}) };
  if (status !== 'FAILED' && status !== 'ERROR') return { ...base, status };
  const failure = firstChild(testcase, 'failure');
  const message = failure ? firstChild(failure, 'message')?.text : undefined;
  const stack = failure ? firstChild(failure, 'stack-trace')?.text : undefined;
  const details = failureDetails(stack);
  return { ...base, status, message: failureMessage(message, stack ?? ''), ...(details ? { details } : {}) };
}

export function parseNunitXml(root: XmlElement): ParsedTestFile {
  if (root.name === 'test-run') {
    const cases = [...descendantsNamed(root, 'test-case')].map((c) =>
      readCase(c, nunit3Status(c), secondsToMs(numberAttr(c, 'duration'))),
    );
    const duration = secondsToMs(numberAttr(root, 'duration'));
    return { cases, ...(duration !== undefined ? { durationMs: duration } : {}) };
  }
  if (root.name === 'test-results') {
    const cases = [...descendantsNamed(root, 'test-case')].map((c) =>
      readCase(c, nunit2Status(c), secondsToMs(numberAttr(c, 'time'))),
    );
    const top = childrenNamed(root, 'test-suite').map((s) => numberAttr(s, 'time'));
    const duration = top.length > 0 && top.every((t) => t !== undefined) ? secondsToMs(top.reduce((a: number, b) => a + (b as number), 0)) : undefined;
    return { cases, ...(duration !== undefined ? { durationMs: duration } : {}) };
  }
  throw new Error(`not NUnit XML: the root element is <${root.name}>, expected <test-run> (NUnit 3) or <test-results> (NUnit 2)`);
}
