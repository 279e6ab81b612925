// The deploy side of the dashboard in a real Chromium against `pipe serve --gateway-port` (the bundle): the Stacks
// page lists a stack `pipe deploy` made; the stack's page shows its resources (physical ids), outputs and events,
// and a canary's progress pushed while it runs, with its alarm's state (OK, evaluated on the metrics); a function's
// alias weight bar moves during the next canary without a reload; the stack's `Api` route answers through the
// gateway port; the function's graphs count an invocation from the Test tab and one through the gateway without a
// reload. PIPE_DEPLOY_TIME_SCALE=60 makes the canary's five minutes five seconds. Screenshots go to test/screenshots/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { LABELS } from '../../src/core/index.js';
import { DockerEngine } from '../../src/infra/index.js';
import { SCREENSHOTS, openDashboard } from '../support/browser.js';
import type { Dashboard } from '../support/browser.js';
import { makePipeEnv, pipe } from '../support/cli.js';
import { describeNeeding } from '../support/docker.js';
import { endStrayPipes, homeContainers, startPipe } from '../support/pipe-process.js';

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: the web stack of the dashboard test
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: index.handler
      Runtime: nodejs18.x
      AutoPublishAlias: live
      DeploymentPreference:
        Type: Canary10Percent5Minutes
        Alarms: [!Ref HelloErrors]
      Events:
        Hello:
          Type: Api
          Properties:
            Path: /hello
            Method: get
  HelloErrors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      MetricName: Errors
      Namespace: AWS/Lambda
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      TreatMissingData: notBreaching
      Dimensions:
        - { Name: FunctionName, Value: !Ref Hello }
Outputs:
  FunctionName:
    Value: !Ref Hello
  HelloUrl:
    Value: !Sub https://\${ServerlessRestApi}.execute-api.\${AWS::Region}.amazonaws.com/Prod/hello
`;

describeNeeding(['docker', 'chromium'], 'the Stacks page and the gateway in Chromium', () => {
  const env = makePipeEnv();
  env.env['PIPE_DEPLOY_TIME_SCALE'] = '60';
  const dir = mkdtempSync(join(tmpdir(), 'pipe-dashboard-stacks-'));
  const file = join(dir, 'template.yaml');
  const code = (text: string) => writeFileSync(join(dir, 'src', 'index.js'), `exports.handler = async () => ({ statusCode: 200, body: ${JSON.stringify(text)} });\n`);
  let d: Dashboard;
  let origin: string;
  let gatewayUrl: string;
  let functionName: string;

  beforeAll(async () => {
    mkdirSync(join(dir, 'src'));
    code('v1');
    writeFileSync(file, TEMPLATE);
    d = await openDashboard(env, dir, ['--gateway-port', '0']);
    origin = new URL(d.loginUrl).origin;
    const line = await d.serve.waitForOutput(/^(\{"time".*"type":"gateway-listening".*\})$/m, 30_000);
    gatewayUrl = (JSON.parse(line[1] ?? '{}') as { url: string }).url;
    await d.page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
  });
  afterAll(async () => {
    await d?.close();
    await endStrayPipes();
    const engine = new DockerEngine();
    for (const id of await homeContainers(env, { [LABELS.managed]: 'true' }).catch(() => [])) await engine.removeContainer(id).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  const notReloaded = () => d.page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded === true);

  it('lists a deployed stack; its page shows resources, outputs, events, and a canary pushed while it runs', async () => {
    const page = d.page;
    const created = await pipe(['deploy', file, '--stack-name', 'web'], env);
    expect([created.exitCode, created.stderr]).toEqual([0, expect.any(String)]);
    functionName = /^FunctionName = (\S+)$/m.exec(created.stdout)?.[1] ?? '';
    expect(functionName).toMatch(/^web-Hello-[0-9A-F]{12}$/);
    expect(created.stdout).toContain(`HelloUrl = ${gatewayUrl}/hello`);

    await page.goto(`${origin}/#/stacks`);
    await page.waitForSelector('#stacks tr[data-stack=web] [data-role=stack-status][data-status=CREATE_COMPLETE]');
    expect(await page.locator('#stacks tr[data-stack=web] td').nth(2).textContent()).toBe('the web stack of the dashboard test');
    await d.screenshot('stacks');
    await page.click('#stacks a:has-text("web")');
    await page.waitForSelector('#resources tr[data-resource=Hello]');
    const resources = await page.locator('#resources tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim()).slice(0, 2).join(' ')));
    expect(resources).toEqual([`Hello ${functionName}`, 'HelloErrors web-HelloErrors']);
    expect(await page.locator('#resources tr[data-resource=Hello] [data-role=stack-status]').getAttribute('data-status')).toBe('CREATE_COMPLETE');
    expect(await page.locator('#outputs tr[data-output=HelloUrl] code').textContent()).toBe(`${gatewayUrl}/hello`);
    expect(await page.locator('#stack-events tbody tr').count()).toBeGreaterThanOrEqual(4);

    // The next deploy shifts traffic: the page, already open, is pushed its progress.
    await page.waitForSelector('html[data-deploy-feed=live]');
    code('v2');
    const update = startPipe(['deploy', file, '--stack-name', 'web'], env);
    await page.waitForSelector('[data-deployment] [data-role=traffic][data-weight="10"]', { timeout: 30_000 });
    expect(await page.locator('[data-deployment] [data-role=traffic] .weight').allTextContents()).toEqual(['v1 90%', 'v2 10%']);
    expect(await page.locator('[data-deployment] tr[data-step]').evaluateAll((rows) => rows.map((r) => `${r.children[1]?.textContent} ${r.getAttribute('data-done')}`))).toEqual(['10% yes', '100% no']);
    // The alarm is evaluated from AllowTraffic on, before the first step: no error datapoint, missing ones not breaching.
    const alarm = page.locator('[data-deployment] [data-role=alarms] [data-alarm=web-HelloErrors]');
    expect([await alarm.getAttribute('data-state'), await alarm.getAttribute('title')]).toEqual(['OK', expect.stringMatching(/^Threshold not crossed: 0 of 1 datapoint\(s\)/)]);
    await d.screenshot('stack-canary');
    await page.waitForSelector('[data-deployment][data-status=Succeeded] [data-role=traffic][data-weight="100"]', { timeout: 30_000 });
    await page.waitForSelector('[data-role=stack-status][data-status=UPDATE_COMPLETE]');
    expect((await update.exited).exitCode).toBe(0);
    expect(await notReloaded()).toBe(true);
    await d.screenshot('stack-updated');
  }, 120_000);

  it("moves a function's alias weight bar during a canary, without a reload", async () => {
    const page = d.page;
    await page.goto(`${origin}/#/function/${functionName}`);
    await expect.poll(() => page.locator('.weights[data-alias=live] .weight').allTextContents(), { timeout: 10_000 }).toEqual(['v2 100%']);
    await page.waitForSelector('html[data-deploy-feed=live]');
    // What is typed in the Test tab stays while the bar moves: only the aliases are drawn again.
    await page.fill('#test-event', '{"typed": "during the canary"}');
    code('v3');
    const update = startPipe(['deploy', file, '--stack-name', 'web'], env);
    await expect.poll(() => page.locator('.weights[data-alias=live] .weight').allTextContents(), { timeout: 30_000 }).toEqual(['v2 90%', 'v3 10%']);
    await d.screenshot('function-canary');
    await expect.poll(() => page.locator('.weights[data-alias=live] .weight').allTextContents(), { timeout: 30_000 }).toEqual(['v3 100%']);
    expect(await page.locator('#test-event').inputValue()).toBe('{"typed": "during the canary"}');
    expect(await page.locator('#versions tbody tr td:first-child').allTextContents()).toEqual(['$LATEST', '1', '2', '3']);
    expect((await update.exited).exitCode).toBe(0);
    expect(await notReloaded()).toBe(true);
  }, 120_000);

  it('answers the stack\'s Api route through the gateway port', async () => {
    const r = await fetch(`${gatewayUrl}/hello`);
    expect([r.status, await r.text()]).toEqual([200, 'v3']);
    // The same from the page's browser: the gateway is a plain HTTP server of its own.
    const page = await d.page.context().newPage();
    await page.goto(`${gatewayUrl}/hello`);
    expect(await page.textContent('body')).toBe('v3');
    await page.close();
  });

  it("draws the function's per-minute graphs from the registry's metrics: the two requests, no error, durations", async () => {
    const page = d.page;
    // Metrics are flushed every 200 ms: wait until the API counts both requests, then draw the page.
    const total = () => page.evaluate(async (fn) => ((await (await fetch(`/api/functions/${fn}/metrics?minutes=30`)).json()) as { invocations: number }[]).reduce((n, m) => n + m.invocations, 0), functionName);
    await expect.poll(total, { timeout: 10_000 }).toBe(2);
    await page.goto(`${origin}/#/function/${functionName}?monitor`);
    await page.waitForSelector('#metrics svg[data-metric=Invocations]');
    expect(await page.locator('#metrics svg[data-metric=Invocations]').getAttribute('data-total')).toBe('2');
    expect(await page.locator('#metrics svg[data-metric=Errors]').getAttribute('data-total')).toBe('0');
    expect(await page.locator('#metrics svg[data-metric=Throttles] rect:not(.axis)').count()).toBe(0);
    expect(await page.locator('#metrics svg[data-metric=Duration] polyline').count()).toBe(2);
    // A flush pushed meanwhile draws the graphs anew (a new #metrics): the picture is taken again of the new one.
    await vi.waitFor(() => page.locator('#metrics').screenshot({ path: join(SCREENSHOTS, 'function-metrics.png'), timeout: 5_000 }), { timeout: 30_000, interval: 100 });
    // The open page's graphs move as invocations are recorded: one from its Test tab, then one through the gateway.
    await page.waitForSelector('html[data-metrics-feed=live]');
    await page.click('#test-invoke');
    await page.waitForSelector('#metrics svg[data-metric=Invocations][data-total="3"]', { timeout: 10_000 });
    expect((await fetch(`${gatewayUrl}/hello`)).status).toBe(200);
    await page.waitForSelector('#metrics svg[data-metric=Invocations][data-total="4"]', { timeout: 10_000 });
    expect(await notReloaded()).toBe(true);
    expect(d.pageErrors).toEqual([]);
  });
});
