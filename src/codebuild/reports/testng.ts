// TESTNGXML: TestNG's testng-results.xml, <suite>/<test>/<class>/<test-method status="PASS|FAIL|SKIP">;
// configuration methods (@BeforeClass and friends, is-config="true") are not tests.
import type { ParsedTestFile, TestCaseResult, TestCaseStatus } from './report-model.js';
import { failureDetails, failureMessage } from './failure-text.js';
import { childrenNamed, firstChild, numberAttr } from './xml.js';
import type { XmlElement } from './xml.js';

function statusOf(method: XmlElement): TestCaseStatus {
  switch (method.attrs['status']) {
    case 'PASS':
      return 'SUCCEEDED';
    case 'FAIL':
      return 'FAILED';
    default:
      return 'SKIPPED';
  }
}

function readMethod(method: XmlElement, className: string | undefined): TestCaseResult {
  const status = statusOf(method);
  const durationMs = numberAttr(method, 'duration-ms');
  const base = {
    name: method.attrs['name'] ?? '(unnamed)',
    ...(className ? { className } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
  };
  if (status !== 'FAILED') return { ...base, status };
  const exception = firstChild(method, 'exception');
  const message = exception ? firstChild(exception, 'message')?.text : undefined;
  const stack = exception ? firstChild(exception, 'full-stacktrace')?.text : undefined;
  const details = failureDetails(stack);
  return {
    ...base,
    status,
    message: failureMessage(message, stack ?? exception?.attrs['class'] ?? ''),
    ...(details ? { details } : {}),
  };
}

export function parseTestngXml(root: XmlElement): ParsedTestFile {
  if (root.name !== 'testng-results') {
    throw new Error(`not TestNG XML: the root element is <${root.name}>, expected <testng-results>`);
  }
  const cases: TestCaseResult[] = [];
  const suites = childrenNamed(root, 'suite');
  for (const suite of suites) {
    for (const test of childrenNamed(suite, 'test')) {
      for (const cls of childrenNamed(test, 'class')) {
        for (const method of childrenNamed(cls, 'test-method')) {
          if (method.attrs['is-config'] === 'true') continue;
          cases.push(readMethod(method, cls.attrs['name']));
        }
      }
    }
  }
  const times = suites.map((s) => numberAttr(s, 'duration-ms'));
  return times.length > 0 && times.every((t) => t !== undefined)
    ? { cases, durationMs: times.reduce((a: number, b) => a + (b as number), 0) }
    : { cases };
}
