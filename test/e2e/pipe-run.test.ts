// End to end: the real `pipe` binary, real git, real Docker.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { LABELS } from '../../src/core/index.js';
import { DockerEngine } from '../../src/infra/docker.js';
import { makePipeEnv, pipe, REPO_ROOT } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { makeRepo, twoStagePipeline } from '../support/git-fixture.js';
import { readZip } from '../support/zip-read.js';

/** Runs `pipe`, sends a signal once stdout shows `marker`, and waits for the process to end. */
function runUntil(args: string[], env: Record<string, string>, marker: string, signal: NodeJS.Signals) {
  return new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; stdout: string }>((resolve) => {
    const child = spawn('node', [join(REPO_ROOT, 'bin/pipe.js'), ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (!sent && stdout.includes(marker)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('close', (exitCode, sig) => resolve({ exitCode, signal: sig, stdout }));
  });
}

describeDocker('pipe run, end to end', () => {
  it('runs pipelines/deploy.yml from a fresh clone, writes its zips and deploys the stack', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'pipe-clone-'));
    execFileSync('git', ['clone', '-q', REPO_ROOT, clone]);
    const env = makePipeEnv();
    const r = await pipe(['run', join(clone, 'pipelines/deploy.yml')], env);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Execution [0-9a-f-]{36}: Succeeded/);
    const [executionId] = readdirSync(join(env.artifacts, 'hello-service'));
    const dir = join(env.artifacts, 'hello-service', String(executionId));
    expect(readdirSync(dir).sort()).toEqual(['FunctionCode.zip', 'LayerCode.zip', 'SourceOutput.zip', 'StackBundle.zip']);
    const fn = await readZip(join(dir, 'FunctionCode.zip'));
    expect(Object.keys(fn).sort()).toEqual(['build.json', 'index.js']);
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: clone, encoding: 'utf8' }).trim();
    expect(JSON.parse(String(fn['build.json']))).toEqual({ tag: `${commit}-dev-1` });
    const bundle = await readZip(join(dir, 'StackBundle.zip'));
    expect(Object.keys(bundle).filter((k) => !k.startsWith('layer/')).sort()).toEqual(['hooks/post-traffic.js', 'smoke/index.js', 'src/build.json', 'src/index.js', 'template.yaml']);
    const layer = await readZip(join(dir, 'LayerCode.zip'));
    expect(Object.keys(layer).sort()).toEqual(['nodejs/node_modules/greeting/index.js', 'nodejs/node_modules/greeting/package.json']);

    const shown = await pipe(['execution', String(executionId), '--json'], env);
    const detail = JSON.parse(shown.stdout) as { status: string; actions: Array<{ action: string; status: string; outputVariables: Record<string, string> }> };
    expect(detail.status).toBe('Succeeded');
    expect(detail.actions.map((a) => `${a.action} ${a.status}`)).toEqual(['Checkout Succeeded', 'Build Succeeded', 'Stack Succeeded', 'Smoke Succeeded']);
    expect(detail.actions[2]?.outputVariables['FunctionName']).toBe('hello-service-dev');
    expect(detail.actions[3]?.outputVariables).toEqual({ Message: 'Hello, ada!', TestedVersion: '1' });
    const stack = JSON.parse((await pipe(['stack', 'describe', 'hello-service', '--json'], env)).stdout) as { StackStatus: string };
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(detail.actions[0]?.outputVariables['CommitId']).toBe(commit);
    expect(detail.actions[1]?.outputVariables['BUILD_TAG']).toBe(`${commit}-dev-1`);
    const logs = await pipe(['logs', String(executionId).slice(0, 8), 'Build.Build'], env);
    expect(logs.stdout).toContain('Entering phase POST_BUILD');
    expect(logs.stdout).toContain(`built ${commit}-dev-1`);
  });

  it('Ctrl-C stops the execution (Stopped, exit 1) and removes its container', async () => {
    const repo = makeRepo({ 'buildspec.yml': 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo started\n      - sleep 60\n' });
    writeFileSync(join(repo, 'pipeline.yml'), twoStagePipeline({ repository: '.' }));
    const env = makePipeEnv();
    const r = await runUntil(['run', join(repo, 'pipeline.yml')], env.env, 'started', 'SIGINT');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/Execution [0-9a-f-]{36}: Stopped/);
    const list = JSON.parse((await pipe(['executions', '--json'], env)).stdout) as Array<{ executionId: string; status: string }>;
    expect(list[0]?.status).toBe('Stopped');
    const containers = await new DockerEngine().listContainers({ [LABELS.home]: env.home, [LABELS.executionId]: String(list[0]?.executionId) });
    expect(containers).toEqual([]);
  });

  it('a run killed with SIGKILL is finished by the next command, any command: Failed (interrupted), its container removed', async () => {
    const repo = makeRepo({ 'buildspec.yml': 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo started\n      - sleep 60\n' });
    writeFileSync(join(repo, 'pipeline.yml'), twoStagePipeline({ repository: '.' }));
    const env = makePipeEnv();
    const killed = await runUntil(['run', join(repo, 'pipeline.yml')], env.env, 'started', 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const engine = new DockerEngine();
    const before = (await engine.listContainers({ [LABELS.home]: env.home })).length;
    expect(before).toBe(1); // the killed run's build container, still running
    const list = JSON.parse((await pipe(['executions', '--json'], env)).stdout) as Array<{ executionId: string; status: string; statusMessage: string }>;
    expect(list[0]?.status).toBe('Failed');
    expect(list[0]?.statusMessage).toBe('interrupted: the process running this execution ended without finishing it');
    const id = String(list[0]?.executionId);
    const detail = JSON.parse((await pipe(['execution', id, '--json'], env)).stdout) as { actions: Array<{ action: string; status: string; statusMessage?: string }> };
    expect(detail.actions.find((a) => a.action === 'Build')).toMatchObject({ status: 'Failed', statusMessage: 'interrupted: the process running it died' });
    // Only this PIPE_HOME's containers: other homes' (other test files) are left alone.
    expect(await engine.listContainers({ [LABELS.home]: env.home, [LABELS.executionId]: id })).toEqual([]);
    const fastRepo = makeRepo({ 'fast.yml': 'version: 0.2\nphases:\n  build:\n    commands:\n      - "true"\n' });
    writeFileSync(join(fastRepo, 'p.yml'), twoStagePipeline({ repository: '.', buildspec: 'fast.yml' }));
    const again = await pipe(['run', join(fastRepo, 'p.yml')], env);
    expect(again.exitCode).toBe(0);
  });
});

it('the sample pipeline is valid', async () => {
  const r = await pipe(['validate', join(REPO_ROOT, 'pipelines/deploy.yml')], makePipeEnv());
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toContain('valid pipeline hello-service, 4 stages, 4 actions');
  expect(existsSync(join(REPO_ROOT, 'buildspecs/hello-service.yml'))).toBe(true);
});
