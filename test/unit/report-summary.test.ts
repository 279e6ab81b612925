// `pipe execution ID`: the per-group report lines and failed cases, as printed.
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/codebuild/reports/index.js';
import { renderReportLines } from '../../src/cli/render/report-summary.js';

const SUREFIRE = `<testsuite name="com.example.OrderServiceTest" time="0.215" tests="5">
  <testcase name="createsOrder" classname="com.example.OrderServiceTest" time="0.031"/>
  <testcase name="rejectsEmptyCart" classname="com.example.OrderServiceTest" time="0.004">
    <failure message="expected: &lt;400&gt; but was: &lt;200&gt;" type="org.opentest4j.AssertionFailedError"/>
  </testcase>
  <testcase name="loadsCustomer" classname="com.example.OrderServiceTest" time="0.002">
    <error type="java.lang.NullPointerException"><![CDATA[java.lang.NullPointerException: c is null
second line of the message
	at com.example.OrderService.load(OrderService.java:77)]]></error>
  </testcase>
  <testcase name="sendsInvoice" classname="com.example.OrderServiceTest"><skipped/></testcase>
  <testcase name="retries" classname="com.example.OrderServiceTest" time="0.1"/>
</testsuite>`;

describe('renderReportLines', () => {
  it('shows a line per group, then each failed case with its message', () => {
    const reports = [
      buildReport('unit', 'JUNITXML', [{ name: 'TEST-x.xml', bytes: Buffer.from(SUREFIRE) }]),
      buildReport('coverage', 'JACOCOXML', [{ name: 'jacoco.xml', bytes: Buffer.from('<report><counter type="LINE" missed="5" covered="45"/></report>') }]),
      buildReport('e2e', 'CUCUMBERJSON', [], ['Skipping invalid file path e2e/*.json', 'no report files found for report group e2e']),
    ];
    expect(renderReportLines(JSON.parse(JSON.stringify(reports)), false)).toEqual([
      'report unit (JUNITXML): FAILED  5 tests: 2 passed, 1 failed, 1 error, 1 skipped  215ms',
      '  FAILED com.example.OrderServiceTest.rejectsEmptyCart: expected: <400> but was: <200>',
      '  ERROR com.example.OrderServiceTest.loadsCustomer: java.lang.NullPointerException: c is null',
      '      second line of the message',
      'report coverage (JACOCOXML): lines 90.00% (45/50), branches n/a',
      'report e2e (CUCUMBERJSON): INCOMPLETE  0 tests: 0 passed, 0 failed, 0 skipped  0ms',
      '  warning Skipping invalid file path e2e/*.json',
      '  warning no report files found for report group e2e',
    ]);
  });

  it('ignores what is not a stored report', () => {
    expect(renderReportLines(undefined, false)).toEqual([]);
    expect(renderReportLines([{ nope: true }, 'x'], false)).toEqual([]);
  });
});
