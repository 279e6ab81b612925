// One execution, several processes: a detached run parks while it waits for an approval and its worker exits; `pipe
// approve` (or `--reject`) from another process continues it. `pipe stop` from another process stops a running
// build and waits for it, or abandons it at once. `pipe logs --follow` prints a detached run's lines as they come
// and returns when it ends. Builds wait at gates the test opens.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { LABELS } from '../../src/core/index.js';
import { makePipeEnv, pipe } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { startGates } from '../support/gate.js';
import type { Gates } from '../support/gate.js';
import { makeRepo } from '../support/git-fixture.js';
import { gatedRepo } from '../support/gated-repo.js';
import {
  endStrayPipes, executionDetail, executionIdOf, homeContainers, startPipe, waitForEnd, waitUntil, workerLog, workerPids,
} from '../support/pipe-process.js';

let gates: Gates;
beforeAll(async () => {
  gates = await startGates();
  gates.open('open');
});
afterAll(() => gates.close());
afterEach(endStrayPipes);

/** A repository with `pipeline.yml`: Source, then `middle` (stages as YAML), then a Build that waits at gate $Gate, then Release. */
const repoWith = (middle: string) => gatedRepo(gates, { name: 'control', middle, after: RELEASE_STAGE });

const RELEASE_STAGE = `  - name: Release
    actions:
      - name: Publish
        type: Build/CodeBuild
        configuration:
          buildspec: buildspec.yml
          environmentVariables: { GATE: open }
        inputArtifacts: [Src]
`;

const APPROVAL_STAGE = `  - name: Approval
    actions:
      - name: Approve
        type: Approval/Manual
        configuration: { CustomData: "release #{SourceVariables.CommitId}?" }
`;

async function detach(repo: string, env: PipeEnv, gate = 'open'): Promise<string> {
  const r = await pipe(['run', join(repo, 'pipeline.yml'), '--detach', '--variable', `Gate=${gate}`], env);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  const id = r.stdout.trim();
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id;
}

/** Waits until the worker said it parked and its process is gone: nobody runs the execution now. */
async function parked(id: string, env: PipeEnv): Promise<void> {
  await waitUntil(`the worker of ${id} to park`, () => /InProgress \(waiting for approval; parked\)/.test(workerLog(id, env)));
  await waitUntil(`the worker of ${id} to exit`, () => workerPids(id).length === 0);
}

describeDocker('one execution, several pipe processes', () => {
  it('a detached run parks at a manual approval; `pipe approve` from another process, after the worker exited, continues it to Succeeded', async () => {
    const repo = repoWith(APPROVAL_STAGE.replace('#{SourceVariables.CommitId}', 'now'));
    const env = makePipeEnv();
    const id = await detach(repo, env);
    await parked(id, env);
    const waiting = await executionDetail(id, env);
    expect(waiting.status).toBe('InProgress');
    expect(waiting.approvals.map((a) => `${a.stage}.${a.action} ${a.status}`)).toEqual(['Approval.Approve Waiting']);
    expect(waiting.stages.map((s) => `${s.stage} ${s.status}`)).toEqual(['Source Succeeded', 'Approval InProgress']);
    expect(waiting.approvals[0]?.customData).toBe('release now?');

    const answered = await pipe(['approve', id.slice(0, 8), 'Approval.Approve', '--summary', 'looks good'], env);
    expect(answered.stderr).toBe('');
    expect(answered.exitCode).toBe(0);
    expect(answered.stdout).toBe(`Approval.Approve of execution ${id}: approved`);
    const done = await waitForEnd(id, env);
    expect(done.status).toBe('Succeeded');
    expect(done.approvals[0]).toMatchObject({ status: 'Approved', summary: 'looks good' });
    expect(done.actions.map((a) => `${a.stage}.${a.action} ${a.status}`)).toEqual([
      'Source.Checkout Succeeded', 'Approval.Approve Succeeded', 'Build.Build Succeeded', 'Release.Publish Succeeded',
    ]);
    const logs = await pipe(['logs', id, 'Build.Build'], env);
    expect(logs.stdout).toContain('build through gate open');
    // Answered once: a second answer is refused, saying how it was answered.
    const again = await pipe(['approve', id, 'Approval.Approve', '--reject'], env);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/^error: Approval\.Approve is no longer waiting for approval: it was approved at \S+$/);
    await waitUntil('the workers to exit', () => workerPids(id).length === 0);
  });

  it('`pipe approve --reject` from another process fails the parked execution; the stages after it never run', async () => {
    const repo = repoWith(APPROVAL_STAGE);
    const env = makePipeEnv();
    const id = await detach(repo, env);
    await parked(id, env);
    const rejected = await pipe(['approve', id, 'Approve', '--reject', '--summary', 'not today'], env);
    expect(rejected.exitCode).toBe(0);
    expect(rejected.stdout).toBe(`Approval.Approve of execution ${id}: rejected`);
    const done = await waitForEnd(id, env);
    expect(done.status).toBe('Failed');
    expect(done.approvals[0]).toMatchObject({ status: 'Rejected', summary: 'not today' });
    expect(done.actions.map((a) => `${a.stage}.${a.action} ${a.status}`)).toEqual(['Source.Checkout Succeeded', 'Approval.Approve Failed']);
    expect(done.actions[1]?.statusMessage).toBe('rejected: not today');
    expect(done.stages.map((s) => `${s.stage} ${s.status}`)).toEqual(['Source Succeeded', 'Approval Failed']);
    await waitUntil('the worker to exit', () => workerPids(id).length === 0);
    expect(workerLog(id, env)).toMatch(/execution \S+: Failed - Approval\.Approve: rejected: not today\n$/);
  });

  it('`pipe stop ID` from another process: the running build finishes, nothing new starts, the execution ends Stopped', async () => {
    const repo = repoWith('');
    const env = makePipeEnv();
    const run = startPipe(['run', join(repo, 'pipeline.yml'), '--variable', 'Gate=stop-wait'], env);
    const id = await executionIdOf(run);
    await gates.waitForHit('stop-wait');
    const stop = await pipe(['stop', id, '--reason', 'release freeze'], env);
    expect(stop.stderr).toBe('');
    expect(stop.exitCode).toBe(0);
    expect(stop.stdout).toBe(`Execution ${id}: stop requested`);
    const stopping = await waitUntil('the execution to be Stopping', async () => {
      const e = await executionDetail(id, env);
      return e.status === 'Stopping' ? e : undefined;
    });
    // Stop and wait: the build goes on (its container runs) until it is done.
    expect(stopping.actions.find((a) => a.action === 'Build')?.status).toBe('InProgress');
    expect(await homeContainers(env, { [LABELS.executionId]: id })).toHaveLength(1);
    const twice = await pipe(['stop', id], env);
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toContain(`error: execution ${id} is already stopping`);

    gates.open('stop-wait');
    const end = await run.exited;
    expect(end.exitCode).toBe(1);
    expect(end.stdout).toContain(`Execution ${id}: Stopped (release freeze)`);
    const e = await executionDetail(id, env);
    expect(e.status).toBe('Stopped');
    expect(e.actions.map((a) => `${a.stage}.${a.action} ${a.status}`)).toEqual(['Source.Checkout Succeeded', 'Build.Build Succeeded']);
    expect(e.stages.map((s) => s.stage)).toEqual(['Source', 'Build']); // Release never started
    expect(await homeContainers(env)).toEqual([]);
  });

  it('`pipe stop ID --abandon` from another process: the build is Abandoned now and its container removed', async () => {
    const repo = repoWith('');
    const env = makePipeEnv();
    const run = startPipe(['run', join(repo, 'pipeline.yml'), '--variable', 'Gate=stop-abandon'], env);
    const id = await executionIdOf(run);
    await gates.waitForHit('stop-abandon');
    expect(await homeContainers(env, { [LABELS.executionId]: id })).toHaveLength(1);
    const stop = await pipe(['stop', id, '--abandon'], env);
    expect(stop.exitCode).toBe(0);
    expect(stop.stdout).toBe(`Execution ${id}: stop and abandon requested`);
    const end = await run.exited; // the gate never opens: only the abandon ends the build
    expect(end.exitCode).toBe(1);
    expect(end.stdout).toContain(`Execution ${id}: Stopped (stopped and abandoned)`);
    const e = await executionDetail(id, env);
    expect(e.status).toBe('Stopped');
    expect(e.actions.map((a) => `${a.stage}.${a.action} ${a.status}`)).toEqual(['Source.Checkout Succeeded', 'Build.Build Abandoned']);
    expect(e.stages.map((s) => `${s.stage} ${s.status}`)).toEqual(['Source Succeeded', 'Build Stopped']);
    expect(await homeContainers(env)).toEqual([]);
    expect(gates.hits('stop-abandon')).toBeGreaterThan(0);
  });

  it('`pipe stop` of a parked execution: a worker settles it, the approval is abandoned, the execution ends Stopped', async () => {
    const repo = repoWith(APPROVAL_STAGE);
    const env = makePipeEnv();
    const id = await detach(repo, env);
    await parked(id, env);
    const stop = await pipe(['stop', id], env);
    expect(stop.exitCode).toBe(0);
    const done = await waitForEnd(id, env);
    expect(done.status).toBe('Stopped');
    expect(done.approvals[0]?.status).toBe('Abandoned');
    expect(done.actions.map((a) => `${a.stage}.${a.action} ${a.status}`)).toEqual(['Source.Checkout Succeeded', 'Approval.Approve Abandoned']);
    const late = await pipe(['approve', id, 'Approval.Approve'], env);
    expect(late.exitCode).toBe(2);
    expect(late.stderr).toMatch(/^error: Approval\.Approve is no longer waiting for approval: it was abandoned at /);
    // A worker that comes after the end (a second one, started meanwhile) finds nothing to run and changes nothing.
    await waitUntil('the workers to exit', () => workerPids(id).length === 0);
    const second = await pipe(['worker', id], env);
    expect(second.stdout).toMatch(/execution \S+: Stopped - stopped$/);
    const after = await executionDetail(id, env);
    expect([after.status, after.statusMessage, after.endTime]).toEqual(['Stopped', 'stopped', done.endTime]);
  });

  it('`pipe run --detach` then `pipe logs ID --follow` prints every action\'s lines, each once, as they come, and returns when the execution ends', async () => {
    const repo = repoWith('');
    const env = makePipeEnv();
    const file = join(repo, 'pipeline.yml');
    // The execution is held in front of Build (a disabled transition) while the follower starts: it knows of one action.
    const disabled = await pipe(['transition', 'disable', file, 'Build', '--reason', 'hold for the test'], env);
    expect(disabled.exitCode).toBe(0);
    const id = await detach(repo, env, 'follow');
    const held = await waitUntil('the execution to wait in front of Build', async () => {
      const e = await executionDetail(id, env);
      return e.waitingFor ? e : undefined;
    });
    expect(held.waitingFor).toMatchObject({ stage: 'Build', reason: 'the transition into Build is disabled: hold for the test' });
    const follow = startPipe(['logs', id, '--follow'], env);
    await follow.waitForOutput(/^\[Source\.Checkout\] Wrote Src /m);
    expect((await pipe(['transition', 'enable', file, 'Build'], env)).exitCode).toBe(0);
    await follow.waitForOutput(/^\[Build\.Build\] build at gate follow$/m);
    await gates.waitForHit('follow');
    expect(follow.stdout()).not.toContain('build through gate follow');
    gates.open('follow');
    const end = await follow.exited;
    expect(end.stderr).toBe('');
    expect(end.exitCode).toBe(0);
    const lines = end.stdout.split('\n');
    expect(lines.filter((l) => l === '[Build.Build] build through gate follow')).toHaveLength(1);
    expect(lines.indexOf('[Build.Build] build through gate follow')).toBeGreaterThan(lines.indexOf('[Build.Build] build at gate follow'));
    expect(lines.filter((l) => l === '[Release.Publish] build through gate open')).toHaveLength(1);
    expect(lines.at(-2)).toMatch(/^\[Release\.Publish\] .*Phase complete: UPLOAD_ARTIFACTS State: SUCCEEDED$/);
    // Every line names its action: a follower started before an action does not lose track of whose line it is.
    expect(lines.slice(0, -1).filter((l) => !/^\[(Source\.Checkout|Build\.Build|Release\.Publish)\] /.test(l))).toEqual([]);
    expect((await executionDetail(id, env)).status).toBe('Succeeded');
    // Following an execution that has ended prints what it logged and returns at once.
    const after = await pipe(['logs', id, 'Build.Build', '--follow'], env);
    expect(after.exitCode).toBe(0);
    expect(after.stdout).toContain('build through gate follow\n');
  });

  it('`pipe retry ID Build --detach` from another process, followed by `pipe logs ID --follow`: the follower follows the retry, not the earlier end', async () => {
    // The build fails while gate `verdict` is closed; once it is open, the build goes on and waits at gate `hold`.
    const buildspec = `version: 0.2\nphases:\n  build:\n    commands:\n      - echo attempt starts\n      - ${JSON.stringify(gates.checkCommand('VERDICT'))}\n      - ${JSON.stringify(gates.waitCommand('HOLD'))}\n      - echo attempt through\n`;
    const repo = makeRepo({ 'buildspec.yml': buildspec, 'pipeline.yml': `name: retried
stages:
  - name: Source
    actions:
      - { name: Checkout, type: Source/Git, configuration: { repository: . }, outputArtifacts: [Src] }
  - name: Build
    actions:
      - name: Build
        type: Build/CodeBuild
        configuration: { buildspec: buildspec.yml, environmentVariables: { VERDICT: retry-verdict, HOLD: retry-hold } }
        inputArtifacts: [Src]
` });
    const env = makePipeEnv();
    const first = startPipe(['run', join(repo, 'pipeline.yml')], env);
    const id = await executionIdOf(first);
    expect((await first.exited).exitCode).toBe(1);
    expect((await executionDetail(id, env)).status).toBe('Failed');
    gates.open('retry-verdict');
    const retry = await pipe(['retry', id.slice(0, 8), 'Build', '--detach'], env);
    expect(retry.stderr).toBe('');
    expect(retry.stdout).toBe(id);
    const follow = startPipe(['logs', id, '--follow'], env);
    // The earlier attempt's end is in the event log before the retry's lines: following goes past it.
    await follow.waitForOutput(/^\[Build\.Build\] attempt starts$[^]*^\[Build\.Build\] attempt starts$/m);
    await gates.waitForHit('retry-hold');
    gates.open('retry-hold');
    const end = await follow.exited;
    expect(end.exitCode).toBe(0);
    expect(end.stdout).toMatch(/^\[Build\.Build\] attempt through$/m);
    const done = await executionDetail(id, env);
    expect(done.status).toBe('Succeeded');
    expect(done.stages.find((st) => st.stage === 'Build')).toMatchObject({ attempt: 2, retryTrigger: 'ManualStageRetry', status: 'Succeeded' });
    expect(done.actionAttempts.filter((a) => a.action === 'Build').map((a) => `${a.attempt} ${a.status}`)).toEqual(['1 Failed', '2 Succeeded']);
  });
});
