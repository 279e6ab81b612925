// VISUALSTUDIOTRX: `dotnet test --logger trx` / vstest's <TestRun> with <UnitTestResult outcome=...> results and
// <TestDefinitions> that name each test's class.
import type { ParsedTestFile, TestCaseResult, TestCaseStatus } from './report-model.js';
import { failureDetails, failureMessage } from './failure-text.js';
import { descendantsNamed, firstChild } from './xml.js';
import type { XmlElement } from './xml.js';

/** `00:00:01.2345678` to milliseconds. */
export function parseTimeSpan(text: string | undefined): number | undefined {
  const m = /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(text?.trim() ?? '');
  if (!m) return undefined;
  const [, days, h, min, s] = m;
  const seconds = Number(days ?? 0) * 86400 + Number(h) * 3600 + Number(min) * 60 + Number(s);
  return Math.round(seconds * 1000 * 1000) / 1000;
}

function outcomeStatus(outcome: string | undefined): TestCaseStatus {
  switch (outcome) {
    case 'Passed':
    case 'PassedButRunAborted':
    case 'Completed':
      return 'SUCCEEDED';
    case 'Failed':
      return 'FAILED';
    case 'Error':
    case 'Timeout':
    case 'Aborted':
      return 'ERROR';
    default:
      // NotExecuted, Inconclusive, NotRunnable, Disconnected, Warning, Pending, InProgress
      return 'SKIPPED';
  }
}

export function parseTrx(root: XmlElement): ParsedTestFile {
  if (root.name !== 'TestRun') throw new Error(`not a TRX file: the root element is <${root.name}>, expected <TestRun>`);
  const classOf = new Map<string, string>();
  for (const test of descendantsNamed(root, 'UnitTest')) {
    const className = firstChild(test, 'TestMethod')?.attrs['className'];
    if (test.attrs['id'] && className) classOf.set(test.attrs['id'], className.split(',')[0]?.trim() ?? className);
  }
  const cases: TestCaseResult[] = [];
  for (const result of descendantsNamed(root, 'UnitTestResult')) {
    const status = outcomeStatus(result.attrs['outcome']);
    const className = classOf.get(result.attrs['testId'] ?? '');
    const durationMs = parseTimeSpan(result.attrs['duration']);
    const base = {
      name: result.attrs['testName'] ?? '(unnamed)',
      ...(className ? { className } : {}),
      ...(durationMs !== undefined ? { durationMs } : {}),
    };
    if (status !== 'FAILED' && status !== 'ERROR') {
      cases.push({ ...base, status });
      continue;
    }
    const info = firstChild(result, 'Output') && firstChild(firstChild(result, 'Output') as XmlElement, 'ErrorInfo');
    const message = info ? firstChild(info, 'Message')?.text : undefined;
    const stack = info ? firstChild(info, 'StackTrace')?.text : undefined;
    const details = failureDetails(stack);
    cases.push({ ...base, status, message: failureMessage(message, stack ?? ''), ...(details ? { details } : {}) });
  }
  const times = firstChild(root, 'Times');
  const start = Date.parse(times?.attrs['start'] ?? '');
  const finish = Date.parse(times?.attrs['finish'] ?? '');
  return Number.isFinite(start) && Number.isFinite(finish) && finish >= start ? { cases, durationMs: finish - start } : { cases };
}
