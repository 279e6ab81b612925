// The dashboard in a real Chromium against `pipe serve` (the bundle): opened with the token; Release change and the
// stages turn green without a reload; one approval approved and another rejected; the failed stage retried; a
// running build's log lines arrive (ANSI colours), then it is stopped; an artifact downloaded and its zip checked;
// a function invoked from the Test tab. Screenshots of each page go to test/screenshots/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateAliasCommand, CreateFunctionCommand, LambdaClient, PublishVersionCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LABELS } from '../../src/core/index.js';
import { openDashboard } from '../support/browser.js';
import type { Dashboard } from '../support/browser.js';
import { makePipeEnv } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';
import { describeNeeding } from '../support/docker.js';
import { startGates } from '../support/gate.js';
import type { Gates } from '../support/gate.js';
import { git, makeRepo } from '../support/git-fixture.js';
import { endStrayPipes, homeContainers } from '../support/pipe-process.js';
import { readZip } from '../support/zip-read.js';
import { ROLE, handlerZip } from '../registry/support.js';
import { DockerEngine } from '../../src/infra/index.js';

const SOURCE_STAGE = `  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration: { repository: .. }
        outputArtifacts: [Src]
        namespace: SourceVariables
`;

function project(gates: Gates): string {
  const buildspec = `version: 0.2
reports:
  unit:
    files: [junit.xml]
    file-format: JUNITXML
phases:
  build:
    commands:
      - printf '\\033[32mgreen line\\033[0m\\n'
      - echo "compiling at gate $GATE"
      - ${JSON.stringify(gates.waitCommand())}
      - echo compiled > out.txt
      - cp fixtures/junit.xml junit.xml
artifacts:
  files: [out.txt]
`;
  const junit = '<testsuite name="cart" tests="2" failures="1"><testcase classname="Cart" name="adds" time="0.01"/><testcase classname="Cart" name="totals" time="0.02"><failure message="expected 3 but was 4">at Cart.totals</failure></testcase></testsuite>\n';
  const repo = makeRepo({ 'buildspec.yml': buildspec, 'fixtures/junit.xml': junit });
  const dir = join(repo, 'pipelines');
  mkdirSync(dir);
  writeFileSync(join(dir, 'approvals.yml'), `name: approvals
stages:
${SOURCE_STAGE}  - name: QA
    actions:
      - name: SignOff
        type: Approval/Manual
        configuration: { CustomData: "QA sign-off for #{SourceVariables.CommitId}" }
  - name: Security
    actions:
      - name: Review
        type: Approval/Manual
`);
  writeFileSync(join(dir, 'build.yml'), `name: build
variables:
  - { name: Gate, default: open }
stages:
${SOURCE_STAGE}  - name: Build
    actions:
      - name: Compile
        type: Build/CodeBuild
        configuration:
          buildspec: buildspec.yml
          image: pipe/standard:1
          environmentVariables: { GATE: "#{variables.Gate}" }
        inputArtifacts: [Src]
        outputArtifacts: [Bundle]
`);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'pipelines');
  return dir;
}

describeNeeding(['docker', 'chromium'], 'the dashboard in Chromium', () => {
  let gates: Gates;
  let env: PipeEnv;
  let d: Dashboard;

  beforeAll(async () => {
    gates = await startGates();
    gates.open('open');
    env = makePipeEnv();
    d = await openDashboard(env, project(gates));
    // A mark on the window: if the page reloaded, it is gone.
    await d.page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
  });
  afterAll(async () => {
    await d?.close();
    await endStrayPipes();
    await gates?.close();
    const engine = new DockerEngine();
    for (const id of await homeContainers(env, { [LABELS.managed]: 'true' }).catch(() => [])) await engine.removeContainer(id).catch(() => undefined);
  });

  const stageStatus = (stage: string, status: string) => `[data-stage="${stage}"] [data-role=stage-status][data-status=${status}]`;
  const notReloaded = () => d.page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded === true);

  it('opens with the token: the Pipelines page lists both pipelines', async () => {
    await d.page.waitForSelector('#pipelines tr[data-pipeline="approvals"]');
    expect(await d.page.locator('#pipelines tbody tr').count()).toBe(2);
    await d.page.waitForSelector('#live[data-state=live]');
    expect(await d.page.locator('#live').textContent()).toBe('live');
    await d.screenshot('pipelines');
  });

  it('releases a change, approves one approval, rejects another, then retries the failed stage and rolls one back', async () => {
    const page = d.page;
    await page.click('#pipelines a[href="#/pipeline/approvals"]');
    await page.click('#release');
    await page.click('dialog button:has-text("Release")');
    // Pushed, not reloaded: Source turns green, and the approval waits, impossible to miss.
    await page.waitForSelector(stageStatus('Source', 'Succeeded'));
    await page.waitForSelector('.approval-banner[data-approval="QA.SignOff"]');
    expect(await page.locator('.approval-banner').textContent()).toContain('Approval waiting: QA.SignOff');
    await d.screenshot('pipeline-approval-waiting');

    await page.click('.approval-banner[data-approval="QA.SignOff"] button');
    expect(await page.locator('dialog .custom-data').textContent()).toMatch(/^QA sign-off for [0-9a-f]{40}$/);
    await page.fill('dialog textarea[name=summary]', 'QA looks good');
    await page.click('dialog button:has-text("Approve")');
    await page.waitForSelector(stageStatus('QA', 'Succeeded'));
    await page.waitForSelector('.approval-banner[data-approval="Security.Review"]');
    await page.click('.approval-banner[data-approval="Security.Review"] button');
    await page.fill('dialog textarea[name=summary]', 'not this time');
    await page.click('dialog button:has-text("Reject")');
    await page.waitForSelector(stageStatus('Security', 'Failed'));
    expect(await page.locator('[data-action="Security.Review"] [data-role=action-status]').getAttribute('data-status')).toBe('Failed');
    await d.screenshot('pipeline-rejected');

    await page.click('[data-stage="Security"] [data-retry=failed]');
    await page.waitForSelector('.approval-banner[data-approval="Security.Review"]');
    await page.click('.approval-banner[data-approval="Security.Review"] button');
    await page.click('dialog button:has-text("Approve")');
    await page.waitForSelector(stageStatus('Security', 'Succeeded'));
    expect(await notReloaded()).toBe(true);
    const executionId = await page.locator('[data-stage="Security"]').getAttribute('data-execution');
    const detail = await page.evaluate(async (id) => (await fetch(`/api/executions/${id}`)).json() as Promise<{ status: string; detail: { approvals: { action: string; status: string; summary?: string }[] } }>, executionId);
    expect(detail.status).toBe('Succeeded');
    expect(detail.detail.approvals.map((a) => [a.action, a.status, a.summary ?? ''])).toEqual([
      ['SignOff', 'Approved', 'QA looks good'],
      ['Review', 'Rejected', 'not this time'],
      ['Review', 'Approved', ''],
    ]);
    await d.screenshot('pipeline-retried');

    // Start rollback: a ROLLBACK execution runs QA again (its approval waits again) with that execution's artifacts.
    await page.click('[data-stage="QA"] button:has-text("Start rollback")');
    await page.waitForSelector('.approval-banner[data-approval="QA.SignOff"]');
    await page.click('.approval-banner[data-approval="QA.SignOff"] button');
    await page.click('dialog button:has-text("Approve")');
    await page.waitForSelector(`[data-stage="QA"]:not([data-execution="${executionId}"]) [data-role=stage-status][data-status=Succeeded]`);
    const rollbackId = await page.locator('[data-stage="QA"]').getAttribute('data-execution');
    const rollback = await page.evaluate(async (id) => (await fetch(`/api/executions/${id}`)).json() as Promise<{ executionType: string; rollbackTarget?: string; status: string }>, rollbackId);
    expect(rollback).toMatchObject({ executionType: 'ROLLBACK', rollbackTarget: executionId, status: 'Succeeded' });

    // A transition disabled with its reason is drawn struck through; enabled again, it is an arrow again.
    await page.click('[data-transition="Security"] button:has-text("Disable transition")');
    await page.fill('dialog input[name=reason]', 'freeze for the audit');
    await page.click('dialog button:has-text("Disable")');
    await page.waitForSelector('[data-transition="Security"].disabled');
    expect(await page.locator('[data-transition="Security"]').textContent()).toContain('Transition disabled: freeze for the audit');
    await d.screenshot('pipeline-transition-disabled');
    await page.click('[data-transition="Security"] button:has-text("Enable transition")');
    await page.waitForSelector('[data-transition="Security"]:not(.disabled) button:has-text("Disable transition")');
  });

  it('shows a running build\'s log lines as they come, with colours, then stops the execution', async () => {
    const page = d.page;
    await page.goto(`${new URL(d.loginUrl).origin}/#/pipeline/build`);
    await page.click('#release');
    await page.fill('dialog input[name="var:Gate"]', 'held');
    await page.click('dialog button:has-text("Release")');
    await page.waitForSelector('[data-action="Build.Compile"] [data-role=action-status][data-status=InProgress]');
    await page.click('[data-action="Build.Compile"] a:has-text("Logs")');
    await page.waitForSelector('#log-lines li:has-text("compiling at gate held")', { timeout: 60_000 }).catch(async (e: unknown) => {
      // Which side missed it: the page, or the build (not at the gate yet, or gone)?
      const id = /execution\/([^/]+)/.exec(page.url())?.[1];
      const stored = await page.evaluate(async (x) => (await fetch(`/api/executions/${x}/log?stage=Build&action=Compile`)).text(), id);
      const status = await page.evaluate(async (x) => ((await (await fetch(`/api/executions/${x}`)).json()) as { status: string }).status, id);
      throw new Error(`the page shows ${await page.locator('#log-lines li').count()} line(s); the execution is ${status}, its log: ${stored.slice(-400)}: ${String(e)}`);
    });
    expect(await page.locator('#log-lines .ansi-green').first().textContent()).toBe('green line');
    await gates.waitForHit('held');
    await page.fill('#log-search', 'at gate held');
    expect(await page.locator('#log-count').textContent()).toBe('1 matching line');
    await d.screenshot('execution-log-live');
    await page.click('#stop');
    await page.click('dialog button:has-text("Stop and abandon")');
    await page.waitForSelector('.page-head [data-kind=execution][data-status=Stopped]', { timeout: 60_000 }).catch(async (e: unknown) => {
      // Which side missed it: the page (an older read drawn last), or the execution (not Stopped in the store)?
      const id = /execution\/([^/]+)/.exec(page.url())?.[1];
      const stored = await page.evaluate(async (x) => ((await (await fetch(`/api/executions/${x}`)).json()) as { status: string }).status, id);
      const shown = await page.locator('.page-head [data-kind=execution]').getAttribute('data-status');
      throw new Error(`the page shows ${shown}, the execution is ${stored}: ${String(e)}`);
    });
    await d.screenshot('execution-stopped');
    // A link to a line opens the log there, the line marked.
    const lineLink = await page.locator('#log-lines li:has-text("compiling at gate held") a.ln').getAttribute('href');
    expect(lineLink).toMatch(/\/log\/Build\/Compile\?line=\d+$/);
    await page.goto(`${new URL(d.loginUrl).origin}/${lineLink ?? ''}`);
    await page.waitForSelector('#log-lines li.focus:has-text("compiling at gate held")');
  });

  it('downloads a succeeded build\'s artifact: a zip holding what the buildspec named', async () => {
    const page = d.page;
    await page.goto(`${new URL(d.loginUrl).origin}/#/pipeline/build`);
    await page.click('#release');
    await page.click('dialog button:has-text("Release")');
    await page.waitForSelector(stageStatus('Build', 'Succeeded'), { timeout: 60_000 });
    await page.click('[data-action="Build.Compile"] a:has-text("Details")');
    await page.waitForSelector('a[data-artifact=Bundle]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[data-artifact=Bundle]')]);
    const path = await download.path();
    expect(await readZip(path)).toEqual({ 'out.txt': 'compiled\n' });
    expect(await page.locator('#timeline .gantt-row').count()).toBe(2);
    const phases = await page.locator('[data-action="Build.Compile"] .phases tbody tr td:first-child').allTextContents();
    expect(phases).toEqual(expect.arrayContaining(['PROVISIONING', 'BUILD', 'UPLOAD_ARTIFACTS']));
    const report = page.locator('[data-action="Build.Compile"] .report');
    expect(await report.locator('p').textContent()).toContain('1 passed, 1 failed, 0 errors, 0 skipped of 2');
    // Every test, failed ones first: CodeBuild's report lists passed cases beside failed ones.
    const rows = await report.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())));
    expect(rows).toEqual([
      ['Cart.totals', expect.stringContaining('FAILED'), 'expected 3 but was 4', '20 ms'],
      ['Cart.adds', expect.stringContaining('SUCCEEDED'), '', '10 ms'],
    ]);
    await d.screenshot('execution-succeeded');
    await page.goto(`${new URL(d.loginUrl).origin}/#/executions`);
    await page.selectOption('#filter-status', 'Stopped');
    await expect.poll(() => page.locator('#executions tbody tr').count(), { timeout: 10_000 }).toBe(1);
    await d.screenshot('executions-filtered');
  });

  it('invokes a function from the Test tab: result, log tail, duration, billed duration, max memory', async () => {
    const lambda = new LambdaClient({ endpoint: d.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
    await lambda.send(new CreateFunctionCommand({
      FunctionName: 'greeter', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE,
      Code: { ZipFile: handlerZip("exports.handler = async (e) => { console.log('hello', e.name); return { greeting: 'hi ' + e.name }; };") },
    }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: 'greeter' });
    await lambda.send(new PublishVersionCommand({ FunctionName: 'greeter' }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'greeter', Description: 'second' }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: 'greeter' });
    await lambda.send(new PublishVersionCommand({ FunctionName: 'greeter' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: 'greeter', Name: 'live', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { '1': 0.2 } } }));
    const page = d.page;
    await page.goto(`${new URL(d.loginUrl).origin}/#/functions`);
    await page.waitForSelector('#functions tr[data-function=greeter]');
    await d.screenshot('functions');
    await page.click('#functions a:has-text("greeter")');
    // The function's page renders after its data arrives: wait for the alias bar, not for the click.
    await expect.poll(() => page.locator('.weights[data-alias=live] .weight').allTextContents(), { timeout: 10_000 }).toEqual(['v2 80%', 'v1 20%']);
    await page.fill('#test-event-name', 'named');
    await page.fill('#test-event', '{"name": "Ada"}');
    await page.click('#test-save');
    await page.click('#test-invoke');
    await page.waitForSelector('#test-status', { timeout: 60_000 });
    expect(await page.locator('#test-status').textContent()).toBe('✔ Execution result: succeeded');
    expect(JSON.parse((await page.locator('#test-payload').textContent()) ?? '')).toEqual({ greeting: 'hi Ada' });
    expect(await page.locator('#test-log').textContent()).toContain('hello Ada');
    expect(await page.locator('#test-billed').textContent()).toMatch(/^\d+ ms$/);
    expect(await page.locator('#test-memory').textContent()).toMatch(/^\d+ MB of 128 MB$/);
    // The invocation joins the recent ones without a reload, once the registry has recorded it.
    const requestId = await page.locator('#test-request-id').textContent();
    await page.waitForSelector(`#invocations tbody tr:has-text("${requestId}")`, { timeout: 30_000 });
    expect(await page.locator('#invocations tbody tr').first().textContent()).toContain('✔ Succeeded');
    await d.screenshot('function-test');
    // The saved event and the invocation are there after a reload of the page.
    await page.reload();
    await page.waitForSelector('#invocations tbody tr');
    expect(await page.locator('#test-event-select').inputValue()).toBe('named');
    expect(d.pageErrors).toEqual([]);
  });
});
