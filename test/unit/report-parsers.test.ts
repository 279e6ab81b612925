// Report parsers: JUnit XML from jest-junit, pytest and Maven Surefire, the other test formats, coverage formats,
// and what a malformed file becomes (a warning, never an exception).
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/codebuild/reports/index.js';
import type { CoverageReport, TestReport } from '../../src/codebuild/reports/index.js';
import { parseXml, XmlSyntaxError } from '../../src/codebuild/reports/xml.js';

const JEST_JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="6" failures="4" errors="0" time="1.349">
  <testsuite name="Calculator" errors="0" failures="3" skipped="0" timestamp="2024-05-02T10:11:12" time="0.487" tests="4">
    <testcase classname="Calculator adds two numbers" name="Calculator adds two numbers" time="0.002">
    </testcase>
    <testcase classname="Calculator divides" name="Calculator divides" time="0.004">
      <failure>Error: expect(received).toBe(expected) // Object.is equality

Expected: 3
Received: 4
    at Object.toBe (/codebuild/output/src1/src/__tests__/calc.test.js:10:21)
    at Promise.then.completed (/codebuild/output/src1/src/node_modules/jest-circus/build/utils.js:298:28)
    at new Promise (&lt;anonymous&gt;)</failure>
    </testcase>
    <testcase classname="Calculator throws on bad input" name="Calculator throws on bad input" time="0.001">
      <failure>TypeError: Cannot read properties of undefined (reading 'value')
    at parse (/codebuild/output/src1/src/lib/calc.js:2:9)</failure>
    </testcase>
    <testcase classname="Calculator rounds" name="Calculator rounds" time="0">
      <failure>Error: thrown: "Exceeded timeout of 5000 ms for a test."</failure>
    </testcase>
  </testsuite>
  <testsuite name="api" errors="0" failures="1" skipped="1" timestamp="2024-05-02T10:11:12" time="0.089" tests="2">
    <testcase classname="api returns 404" name="api returns 404" time="0.012">
      <failure>Error: expect(received).toEqual(expected)</failure>
    </testcase>
    <testcase classname="api todo" name="api todo" time="0">
      <skipped/>
    </testcase>
  </testsuite>
</testsuites>
`;

const PYTEST = `<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests">
  <testsuite name="pytest" errors="1" failures="1" skipped="2" tests="6" time="0.731"
             timestamp="2024-05-02T10:11:12.123456+00:00" hostname="build-7f2c">
    <properties>
      <property name="python" value="3.12"/>
    </properties>
    <testcase classname="tests.test_orders" name="test_total" time="0.002"/>
    <testcase classname="tests.test_orders" name="test_discount[10]" time="0.001"/>
    <testcase classname="tests.test_orders" name="test_refund" time="0.003">
      <failure message="AssertionError: assert 90 == 100&#10; +  where 90 = refund(100)">def test_refund():
&gt;       assert refund(100) == 100
E       AssertionError: assert 90 == 100

tests/test_orders.py:18: AssertionError</failure>
    </testcase>
    <testcase classname="tests.test_orders" name="test_db" time="0.000">
      <error message="failed on setup with &quot;ConnectionRefusedError: [Errno 111] Connection refused&quot;">@pytest.fixture
def db():
&gt;   return connect("localhost:5432")
E   ConnectionRefusedError: [Errno 111] Connection refused</error>
    </testcase>
    <testcase classname="tests.test_orders" name="test_export" time="0.000">
      <skipped type="pytest.skip" message="needs S3">tests/test_orders.py:30: needs S3</skipped>
    </testcase>
    <testcase classname="tests.test_orders" name="test_legacy" time="0.000">
      <skipped type="pytest.xfail" message=""/>
    </testcase>
  </testsuite>
</testsuites>
`;

const SUREFIRE = `<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://maven.apache.org/surefire/maven-surefire-plugin/xsd/surefire-test-report-3.0.xsd" version="3.0" name="com.example.orders.OrderServiceTest" time="0.215" tests="5" errors="1" skipped="1" failures="1">
  <properties>
    <property name="java.version" value="17.0.9"/>
    <property name="os.name" value="Linux"/>
  </properties>
  <testcase name="createsOrder" classname="com.example.orders.OrderServiceTest" time="0.031"/>
  <testcase name="rejectsEmptyCart" classname="com.example.orders.OrderServiceTest" time="0.004">
    <failure message="expected: &lt;400&gt; but was: &lt;200&gt;" type="org.opentest4j.AssertionFailedError"><![CDATA[org.opentest4j.AssertionFailedError: expected: <400> but was: <200>
	at org.junit.jupiter.api.AssertionUtils.fail(AssertionUtils.java:55)
	at com.example.orders.OrderServiceTest.rejectsEmptyCart(OrderServiceTest.java:42)
]]></failure>
    <system-out><![CDATA[12:00:01.123 [main] INFO  OrderService - cart is empty
]]></system-out>
  </testcase>
  <testcase name="loadsCustomer" classname="com.example.orders.OrderServiceTest" time="0.002">
    <error message="Cannot invoke &quot;Customer.id()&quot; because &quot;c&quot; is null" type="java.lang.NullPointerException"><![CDATA[java.lang.NullPointerException: Cannot invoke "Customer.id()" because "c" is null
	at com.example.orders.OrderService.load(OrderService.java:77)
]]></error>
  </testcase>
  <testcase name="sendsInvoice" classname="com.example.orders.OrderServiceTest" time="0">
    <skipped message="@Disabled until SES is mocked"/>
  </testcase>
  <testcase name="retriesPayment" classname="com.example.orders.OrderServiceTest" time="0.012">
    <flakyFailure message="timeout" type="java.util.concurrent.TimeoutException"><stackTrace><![CDATA[java.util.concurrent.TimeoutException: timeout]]></stackTrace></flakyFailure>
  </testcase>
</testsuite>
`;

function testReport(format: Parameters<typeof buildReport>[1], ...files: string[]): TestReport {
  const r = buildReport('unit', format, files.map((text, i) => ({ name: `report-${i}.xml`, bytes: Buffer.from(text) })));
  if (r.type !== 'TEST') throw new Error('expected a test report');
  return r;
}

function coverageReport(format: Parameters<typeof buildReport>[1], text: string): CoverageReport {
  const r = buildReport('coverage', format, [{ name: 'coverage.xml', bytes: Buffer.from(text) }]);
  if (r.type !== 'CODE_COVERAGE') throw new Error('expected a coverage report');
  return r;
}

describe('JUNITXML', () => {
  it('reads jest-junit output: counts from the cases, duration from <testsuites time>, messages before the stack', () => {
    const r = testReport('JUNITXML', JEST_JUNIT);
    expect({ total: r.total, passed: r.passed, failed: r.failed, errors: r.errors, skipped: r.skipped, durationMs: r.durationMs, status: r.status })
      .toEqual({ total: 6, passed: 1, failed: 4, errors: 0, skipped: 1, durationMs: 1349, status: 'FAILED' });
    expect(r.failedCases.map((c) => [c.name, c.message])).toEqual([
      ['Calculator divides', 'Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 3\nReceived: 4'],
      ['Calculator throws on bad input', "TypeError: Cannot read properties of undefined (reading 'value')"],
      ['Calculator rounds', 'Error: thrown: "Exceeded timeout of 5000 ms for a test."'],
      ['api returns 404', 'Error: expect(received).toEqual(expected)'],
    ]);
    expect(r.failedCases[0]?.details).toContain('at new Promise (<anonymous>)');
    expect(r.failedCases[0]).toMatchObject({ status: 'FAILED', file: 'report-0.xml', durationMs: 4 });
  });

  it('reads pytest output: <error> is an error, xfail is skipped, the suites\' times add up', () => {
    const r = testReport('JUNITXML', PYTEST);
    expect({ total: r.total, passed: r.passed, failed: r.failed, errors: r.errors, skipped: r.skipped, durationMs: r.durationMs })
      .toEqual({ total: 6, passed: 2, failed: 1, errors: 1, skipped: 2, durationMs: 731 });
    expect(r.failedCases.map((c) => ({ name: c.name, className: c.className, status: c.status, message: c.message }))).toEqual([
      { name: 'test_refund', className: 'tests.test_orders', status: 'FAILED', message: 'AssertionError: assert 90 == 100\n +  where 90 = refund(100)' },
      { name: 'test_db', className: 'tests.test_orders', status: 'ERROR', message: 'failed on setup with "ConnectionRefusedError: [Errno 111] Connection refused"' },
    ]);
  });

  it('reads a Maven Surefire file (a single <testsuite> root): CDATA details, flakyFailure passed', () => {
    const r = testReport('JUNITXML', SUREFIRE);
    expect({ total: r.total, passed: r.passed, failed: r.failed, errors: r.errors, skipped: r.skipped, durationMs: r.durationMs })
      .toEqual({ total: 5, passed: 2, failed: 1, errors: 1, skipped: 1, durationMs: 215 });
    expect(r.failedCases.map((c) => `${c.status} ${c.className}.${c.name}: ${c.message}`)).toEqual([
      'FAILED com.example.orders.OrderServiceTest.rejectsEmptyCart: expected: <400> but was: <200>',
      'ERROR com.example.orders.OrderServiceTest.loadsCustomer: Cannot invoke "Customer.id()" because "c" is null',
    ]);
    expect(r.failedCases[0]?.details).toBe(
      'org.opentest4j.AssertionFailedError: expected: <400> but was: <200>\n\tat org.junit.jupiter.api.AssertionUtils.fail(AssertionUtils.java:55)\n\tat com.example.orders.OrderServiceTest.rejectsEmptyCart(OrderServiceTest.java:42)',
    );
  });

  it('adds several files of a group together', () => {
    const r = testReport('JUNITXML', JEST_JUNIT, PYTEST, SUREFIRE);
    expect([r.total, r.passed, r.failed, r.errors, r.skipped, r.durationMs]).toEqual([17, 5, 6, 2, 4, 2295]);
    expect(r.files).toEqual(['report-0.xml', 'report-1.xml', 'report-2.xml']);
  });

  it('turns a malformed file into a warning and keeps the others', () => {
    const truncated = SUREFIRE.slice(0, SUREFIRE.indexOf('<testcase name="sendsInvoice"'));
    const r = testReport('JUNITXML', PYTEST, truncated, '<html><body>502 Bad Gateway</body></html>');
    expect(r.total).toBe(6);
    expect(r.files).toEqual(['report-0.xml']);
    expect(r.warnings).toEqual([
      'report-1.xml is not a readable JUNITXML file: unexpected end of file: <testsuite> is not closed at line 21, column 3',
      'report-2.xml is not a readable JUNITXML file: not JUnit XML: the root element is <html>, expected <testsuites> or <testsuite>',
    ]);
  });

  it('is INCOMPLETE when no file could be read, and never throws', () => {
    const r = testReport('JUNITXML', 'not xml at all');
    expect(r.status).toBe('INCOMPLETE');
    expect(r.total).toBe(0);
    expect(r.warnings).toEqual(['report-0.xml is not a readable JUNITXML file: no root element at line 1, column 1']);
  });

  it('keeps at most 100 failed cases and counts the rest', () => {
    const cases = Array.from({ length: 130 }, (_, i) => `<testcase name="t${i}"><failure message="boom ${i}"/></testcase>`).join('');
    const r = testReport('JUNITXML', `<testsuite name="many">${cases}</testsuite>`);
    expect([r.failed, r.failedCases.length, r.omittedFailedCases]).toEqual([130, 100, 30]);
  });

  it('keeps the passed and skipped cases, names and times, at most 500, and counts the rest', () => {
    const cases = Array.from({ length: 520 }, (_, i) => (i === 3 ? `<testcase classname="C" name="t${i}"><skipped/></testcase>` : `<testcase classname="C" name="t${i}" time="0.5"/>`)).join('');
    const r = testReport('JUNITXML', `<testsuite name="many">${cases}<testcase name="bad"><failure message="x"/></testcase></testsuite>`);
    expect([r.passed, r.skipped, r.passedCases?.length, r.omittedPassedCases, r.failedCases.length]).toEqual([519, 1, 500, 20, 1]);
    expect(r.passedCases?.slice(2, 4)).toEqual([
      { name: 't2', className: 'C', status: 'SUCCEEDED', durationMs: 500, file: 'report-0.xml' },
      { name: 't3', className: 'C', status: 'SKIPPED', file: 'report-0.xml' },
    ]);
  });
});

describe('other test formats', () => {
  it('NUNIT3XML: results, Error labels, reasons', () => {
    const xml = `<?xml version="1.0" encoding="utf-8" standalone="no"?>
<test-run id="0" runstate="Runnable" testcasecount="4" result="Failed" total="4" passed="1" failed="2" inconclusive="0" skipped="1" asserts="3" engine-version="3.16.3" clr-version="8.0.1" start-time="2024-05-02 10:11:12Z" end-time="2024-05-02 10:11:13Z" duration="0.842">
  <test-suite type="Assembly" id="0-1005" name="Orders.Tests.dll" fullname="/src/Orders.Tests.dll" result="Failed" total="4" passed="1" failed="2" skipped="1">
    <test-suite type="TestFixture" id="0-1000" name="CartTests" fullname="Orders.Tests.CartTests" classname="Orders.Tests.CartTests" result="Failed">
      <test-case id="0-1001" name="AddsItem" fullname="Orders.Tests.CartTests.AddsItem" methodname="AddsItem" classname="Orders.Tests.CartTests" runstate="Runnable" result="Passed" duration="0.012" asserts="1"/>
      <test-case id="0-1002" name="Total" fullname="Orders.Tests.CartTests.Total" methodname="Total" classname="Orders.Tests.CartTests" runstate="Runnable" result="Failed" duration="0.020" asserts="1">
        <failure>
          <message><![CDATA[  Expected: 100
  But was:  90
]]></message>
          <stack-trace><![CDATA[   at Orders.Tests.CartTests.Total() in /src/CartTests.cs:line 21
]]></stack-trace>
        </failure>
      </test-case>
      <test-case id="0-1003" name="Load" fullname="Orders.Tests.CartTests.Load" methodname="Load" classname="Orders.Tests.CartTests" runstate="Runnable" result="Failed" label="Error" duration="0.003">
        <failure>
          <message><![CDATA[System.IO.FileNotFoundException : cart.json]]></message>
        </failure>
      </test-case>
      <test-case id="0-1004" name="Export" fullname="Orders.Tests.CartTests.Export" classname="Orders.Tests.CartTests" runstate="Ignored" result="Skipped" label="Ignored">
        <reason><message><![CDATA[needs S3]]></message></reason>
      </test-case>
    </test-suite>
  </test-suite>
</test-run>`;
    const r = testReport('NUNIT3XML', xml);
    expect([r.total, r.passed, r.failed, r.errors, r.skipped, r.durationMs]).toEqual([4, 1, 1, 1, 1, 842]);
    expect(r.failedCases.map((c) => `${c.status} ${c.name}: ${c.message}`)).toEqual([
      'FAILED Orders.Tests.CartTests.Total: Expected: 100\n  But was:  90',
      'ERROR Orders.Tests.CartTests.Load: System.IO.FileNotFoundException : cart.json',
    ]);
  });

  it('NUNITXML: NUnit 2 results', () => {
    const xml = `<?xml version="1.0" encoding="utf-8" standalone="no"?>
<test-results name="Orders.Tests.dll" total="3" errors="0" failures="1" not-run="1" inconclusive="0" ignored="1" skipped="0" invalid="0" date="2024-05-02" time="10:11:12">
  <test-suite type="Assembly" name="Orders.Tests.dll" executed="True" result="Failure" success="False" time="0.310" asserts="0">
    <results>
      <test-suite type="TestFixture" name="CartTests" executed="True" result="Failure" success="False" time="0.300" asserts="0">
        <results>
          <test-case name="Orders.Tests.CartTests.AddsItem" executed="True" result="Success" success="True" time="0.012" asserts="1"/>
          <test-case name="Orders.Tests.CartTests.Total" executed="True" result="Failure" success="False" time="0.020" asserts="1">
            <failure><message><![CDATA[  Expected: 100
  But was:  90]]></message><stack-trace><![CDATA[at Orders.Tests.CartTests.Total() in c:\\src\\CartTests.cs:line 21]]></stack-trace></failure>
          </test-case>
          <test-case name="Orders.Tests.CartTests.Export" executed="False" result="Ignored">
            <reason><message><![CDATA[needs S3]]></message></reason>
          </test-case>
        </results>
      </test-suite>
    </results>
  </test-suite>
</test-results>`;
    const r = testReport('NUNITXML', xml);
    expect([r.total, r.passed, r.failed, r.errors, r.skipped, r.durationMs]).toEqual([3, 1, 1, 0, 1, 310]);
    expect(r.failedCases[0]?.message).toBe('Expected: 100\n  But was:  90');
  });

  it('TESTNGXML: config methods are not tests', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<testng-results ignored="0" total="3" passed="1" failed="1" skipped="1">
  <reporter-output></reporter-output>
  <suite started-at="2024-05-02T10:11:12 UTC" name="Surefire suite" finished-at="2024-05-02T10:11:13 UTC" duration-ms="456">
    <groups></groups>
    <test started-at="2024-05-02T10:11:12 UTC" name="Surefire test" finished-at="2024-05-02T10:11:13 UTC" duration-ms="456">
      <class name="com.example.PriceTest">
        <test-method is-config="true" signature="setUp()[pri:0, instance:com.example.PriceTest@1]" name="setUp" duration-ms="3" status="PASS" started-at="2024-05-02T10:11:12 UTC" finished-at="2024-05-02T10:11:12 UTC"/>
        <test-method signature="rounds()[pri:0]" name="rounds" duration-ms="5" status="PASS" started-at="2024-05-02T10:11:12 UTC" finished-at="2024-05-02T10:11:12 UTC"/>
        <test-method signature="taxes()[pri:0]" name="taxes" duration-ms="7" status="FAIL" started-at="2024-05-02T10:11:12 UTC" finished-at="2024-05-02T10:11:12 UTC">
          <exception class="java.lang.AssertionError">
            <message><![CDATA[expected [21] but found [19]]]></message>
            <full-stacktrace><![CDATA[java.lang.AssertionError: expected [21] but found [19]
	at org.testng.Assert.fail(Assert.java:110)]]></full-stacktrace>
          </exception>
        </test-method>
        <test-method signature="currency()[pri:0]" name="currency" duration-ms="0" status="SKIP" started-at="2024-05-02T10:11:12 UTC" finished-at="2024-05-02T10:11:12 UTC"/>
      </class>
    </test>
  </suite>
</testng-results>`;
    const r = testReport('TESTNGXML', xml);
    expect([r.total, r.passed, r.failed, r.errors, r.skipped, r.durationMs]).toEqual([3, 1, 1, 0, 1, 456]);
    expect(r.failedCases.map((c) => `${c.className}.${c.name}: ${c.message}`)).toEqual(['com.example.PriceTest.taxes: expected [21] but found [19]']);
  });

  it('VISUALSTUDIOTRX: outcomes, class names from the definitions, duration from <Times>', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<TestRun id="7a1e" name="builder@host 2024-05-02 10:11:12" runUser="builder" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <Times creation="2024-05-02T10:11:12.0000000+00:00" queuing="2024-05-02T10:11:12.0000000+00:00" start="2024-05-02T10:11:12.1000000+00:00" finish="2024-05-02T10:11:14.6000000+00:00" />
  <Results>
    <UnitTestResult executionId="e1" testId="t1" testName="AddsItem" computerName="host" duration="00:00:00.0120000" outcome="Passed" testType="13cdc9d9" testListId="l1" />
    <UnitTestResult executionId="e2" testId="t2" testName="Total" computerName="host" duration="00:00:00.0200000" outcome="Failed" testType="13cdc9d9" testListId="l1">
      <Output>
        <ErrorInfo>
          <Message>Assert.Equal() Failure
Expected: 100
Actual:   90</Message>
          <StackTrace>   at Orders.Tests.CartTests.Total() in /src/CartTests.cs:line 21</StackTrace>
        </ErrorInfo>
      </Output>
    </UnitTestResult>
    <UnitTestResult executionId="e3" testId="t3" testName="Export" computerName="host" duration="00:00:00" outcome="NotExecuted" testType="13cdc9d9" testListId="l1" />
  </Results>
  <TestDefinitions>
    <UnitTest name="AddsItem" storage="/src/bin/orders.tests.dll" id="t1"><TestMethod codeBase="/src/bin/Orders.Tests.dll" className="Orders.Tests.CartTests" name="AddsItem" /></UnitTest>
    <UnitTest name="Total" storage="/src/bin/orders.tests.dll" id="t2"><TestMethod codeBase="/src/bin/Orders.Tests.dll" className="Orders.Tests.CartTests, Orders.Tests, Version=1.0.0.0" name="Total" /></UnitTest>
  </TestDefinitions>
</TestRun>`;
    const r = testReport('VISUALSTUDIOTRX', xml);
    expect([r.total, r.passed, r.failed, r.errors, r.skipped, r.durationMs]).toEqual([3, 1, 1, 0, 1, 2500]);
    expect(r.failedCases[0]).toMatchObject({ name: 'Total', className: 'Orders.Tests.CartTests', message: 'Assert.Equal() Failure\nExpected: 100\nActual:   90', durationMs: 20 });
  });

  it('CUCUMBERJSON: a scenario fails on its first failing step; pending steps skip it', () => {
    const json = JSON.stringify([
      {
        uri: 'features/checkout.feature', id: 'checkout', keyword: 'Feature', name: 'Checkout',
        elements: [
          { keyword: 'Background', type: 'background', name: '', steps: [{ keyword: 'Given ', name: 'a cart', result: { status: 'passed', duration: 1_000_000 } }] },
          { keyword: 'Scenario', type: 'scenario', name: 'pays by card', steps: [{ keyword: 'When ', name: 'I pay', result: { status: 'passed', duration: 2_000_000 } }] },
          { keyword: 'Background', type: 'background', name: '', steps: [{ keyword: 'Given ', name: 'a cart', result: { status: 'passed', duration: 1_000_000 } }] },
          {
            keyword: 'Scenario', type: 'scenario', name: 'pays by voucher',
            steps: [
              { keyword: 'When ', name: 'I redeem "XMAS"', result: { status: 'failed', duration: 3_000_000, error_message: 'AssertionError: voucher expired\n    at World.<anonymous> (features/steps.js:12:9)' } },
              { keyword: 'Then ', name: 'I see a receipt', result: { status: 'skipped' } },
            ],
          },
          { keyword: 'Scenario', type: 'scenario', name: 'pays later', steps: [{ keyword: 'When ', name: 'I choose later', result: { status: 'undefined' } }] },
        ],
      },
    ]);
    const r = testReport('CUCUMBERJSON', json);
    expect([r.total, r.passed, r.failed, r.errors, r.skipped, r.durationMs]).toEqual([3, 1, 1, 0, 1, 7]);
    expect(r.failedCases.map((c) => `${c.className}: ${c.name}: ${c.message}`)).toEqual(['Checkout: pays by voucher: When I redeem "XMAS": AssertionError: voucher expired']);
  });
});

describe('coverage formats', () => {
  it('COBERTURAXML: the root totals (coverage.py)', () => {
    const r = coverageReport('COBERTURAXML', `<?xml version="1.0" ?>
<coverage version="7.4.0" timestamp="1714644672000" lines-valid="250" lines-covered="212" line-rate="0.848" branches-covered="30" branches-valid="40" branch-rate="0.75" complexity="0">
  <!-- Generated by coverage.py: https://coverage.readthedocs.io/en/7.4.0 -->
  <sources><source>/codebuild/output/src1/src</source></sources>
  <packages><package name="orders" line-rate="0.848" branch-rate="0.75" complexity="0"><classes/></package></packages>
</coverage>`);
    expect(r).toMatchObject({ lineCoverage: 84.8, branchCoverage: 75, linesCovered: 212, linesMissed: 38, branchesCovered: 30, branchesMissed: 10, status: 'SUCCEEDED' });
  });

  it('COBERTURAXML without totals: counts class lines once (not the method copies)', () => {
    const r = coverageReport('COBERTURAXML', `<coverage line-rate="0.5" branch-rate="0.5" version="1.9">
  <packages><package name="a"><classes><class name="A" filename="a.js">
    <methods><method name="f"><lines><line number="1" hits="1"/></lines></method></methods>
    <lines><line number="1" hits="1"/><line number="2" hits="0" branch="true" condition-coverage="50% (1/2)"/><line number="3" hits="3"/></lines>
  </class></classes></package></packages></coverage>`);
    expect(r).toMatchObject({ linesCovered: 2, linesMissed: 1, branchesCovered: 1, branchesMissed: 1, lineCoverage: 66.67, branchCoverage: 50 });
  });

  it('CLOVERXML: project metrics (Istanbul)', () => {
    const r = coverageReport('CLOVERXML', `<?xml version="1.0" encoding="UTF-8"?>
<coverage generated="1714644672000" clover="3.2.0">
  <project timestamp="1714644672000" name="All files">
    <metrics statements="120" coveredstatements="96" conditionals="20" coveredconditionals="15" methods="30" coveredmethods="27" elements="170" coveredelements="138" complexity="0" loc="120" ncloc="120" packages="1" files="4" classes="4"/>
    <file name="cart.js" path="/src/lib/cart.js"><metrics statements="30" coveredstatements="30" conditionals="4" coveredconditionals="4" methods="6" coveredmethods="6"/></file>
  </project>
</coverage>`);
    expect(r).toMatchObject({ lineCoverage: 80, branchCoverage: 75, linesCovered: 96, linesMissed: 24 });
  });

  it('JACOCOXML: the report-level LINE and BRANCH counters, DOCTYPE skipped', () => {
    const r = coverageReport('JACOCOXML', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd"><report name="orders"><sessioninfo id="build-7f2c" start="1714644672000" dump="1714644673000"/><package name="com/example"><class name="com/example/Cart" sourcefilename="Cart.java"><counter type="LINE" missed="1" covered="9"/></class><counter type="LINE" missed="5" covered="45"/></package><counter type="INSTRUCTION" missed="40" covered="360"/><counter type="BRANCH" missed="3" covered="9"/><counter type="LINE" missed="5" covered="45"/><counter type="METHOD" missed="1" covered="19"/></report>`);
    expect(r).toMatchObject({ lineCoverage: 90, branchCoverage: 75, linesCovered: 45, linesMissed: 5, branchesCovered: 9, branchesMissed: 3 });
  });

  it('SIMPLECOV: .resultset.json, merged across commands, with branches', () => {
    const r = coverageReport('SIMPLECOV', JSON.stringify({
      RSpec: {
        coverage: {
          '/app/lib/cart.rb': { lines: [1, 1, 0, null, 0], branches: { '[:if, 0, 3, 4, 3, 21]': { '[:then, 1, 3, 4, 3, 10]': 1, '[:else, 2, 3, 4, 3, 21]': 0 } } },
        },
        timestamp: 1714644672,
      },
      Minitest: { coverage: { '/app/lib/cart.rb': { lines: [1, 0, 2, null, 0] } }, timestamp: 1714644672 },
    }));
    expect(r).toMatchObject({ linesCovered: 3, linesMissed: 1, lineCoverage: 75, branchesCovered: 1, branchesMissed: 1, branchCoverage: 50 });
  });

  it('a malformed coverage file is a warning', () => {
    const r = coverageReport('JACOCOXML', '<report name="x"><counter type="LINE" missed="1" covered="1"/>');
    expect(r.status).toBe('INCOMPLETE');
    expect(r.lineCoverage).toBeUndefined();
    expect(r.warnings).toEqual(['coverage.xml is not a readable JACOCOXML file: unexpected end of file: <report> is not closed at line 1, column 63']);
  });
});

describe('the XML reader', () => {
  it('decodes entities, keeps CDATA verbatim, skips comments, PIs and a DOCTYPE with an internal subset', () => {
    const root = parseXml(`\uFEFF<?xml version="1.0"?>
<!DOCTYPE r [ <!ENTITY x "y"> <!ATTLIST r a CDATA "1>2"> ]>
<!-- a comment with <tags> -->
<r a='1 &amp; 2' b="&#x3C;&#60;"><c>x &lt; y &unknown; <![CDATA[<raw> & ]]></c><ns:d/></r>`);
    expect(root).toEqual({
      name: 'r',
      attrs: { a: '1 & 2', b: '<<' },
      text: '',
      children: [
        { name: 'c', attrs: {}, children: [], text: 'x < y &unknown; <raw> & ' },
        { name: 'd', attrs: {}, children: [], text: '' },
      ],
    });
  });

  it('names the line and column of a mis-nested tag', () => {
    expect(() => parseXml('<a>\n  <b>\n  </a>')).toThrow(new XmlSyntaxError('end tag </a> does not match <b>', 3, 3));
  });
});
