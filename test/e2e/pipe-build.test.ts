// `pipe build` through the real binary: --plan, exit codes, Ctrl-C, the sample service built the same way as by its
// pipeline, and batch builds in a pipeline (batchEnabled, combineArtifacts).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LABELS, ValidationError } from '../../src/core/index.js';
import { INTERRUPTED_ACTION } from '../../src/execute/index.js';
import { DockerEngine } from '../../src/infra/docker.js';
import { describeBuildspec, loadBuildspec, parseBuildspec } from '../../src/parse/index.js';
import { makePipeEnv, pipe, PIPE_BIN, REPO_ROOT } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { makeRepo } from '../support/git-fixture.js';
import { readZip } from '../support/zip-read.js';

const SAMPLE_SPEC = join(REPO_ROOT, 'buildspecs/hello-service.yml');
const INVALID = `version: 0.2
phases:
  build:
    commands:
      - echo ok
  deploy:
    commands: [echo no]
`;

describe('pipe build --plan', () => {
  it('prints the plan of a file without running it', async () => {
    const r = await pipe(['build', '--plan', SAMPLE_SPEC], makePipeEnv());
    expect(r.exitCode).toBe(0);
    // execa strips the final newline.
    expect(r.stdout).toBe(describeBuildspec(loadBuildspec(SAMPLE_SPEC)));
    expect(r.stdout).toContain('  build\n    1. BUILD_TAG="${COMMIT:-local}-${ENV:-dev}-$CODEBUILD_BUILD_NUMBER"');
  });

  it('reads DIR/--buildspec when --plan names no file; --json prints the BuildSpec', async () => {
    const r = await pipe(['build', REPO_ROOT, '--buildspec', 'buildspecs/hello-service.yml', '--plan', '--json'], makePipeEnv());
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(loadBuildspec(SAMPLE_SPEC))));
  });

  it('exits 2 with every problem, in the ValidationError format, on an invalid file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-plan-'));
    const file = join(dir, 'bad.yml');
    writeFileSync(file, INVALID);
    const r = await pipe(['build', '--plan', file], makePipeEnv());
    let expected = '';
    try {
      parseBuildspec(INVALID, file);
    } catch (e) {
      expected = (e as ValidationError).format();
    }
    expect(expected).toMatch(/1 problem found/);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`error: ${expected}`);
    expect(r.stdout).toBe('');
  });

  it('exits 2 when the buildspec does not exist, and on a malformed --env', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-plan-'));
    const missing = await pipe(['build', dir, '--plan'], makePipeEnv());
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toBe(`error: buildspec ${join(dir, 'buildspec.yml')} not found\nhint: give the path relative to the source directory, as CodeBuild does (default buildspec.yml)`);
    const env = await pipe(['build', dir, '--env', 'NOEQUALS'], makePipeEnv());
    expect(env.exitCode).toBe(2);
    expect(env.stderr).toBe("error: --env takes NAME=VALUE, got 'NOEQUALS'");
  });
});

/** Runs `pipe`, sends a signal once stdout shows `marker`, and waits for the process to end. */
function runUntil(args: string[], env: Record<string, string>, marker: string, signal: NodeJS.Signals) {
  return new Promise<{ exitCode: number | null; stdout: string }>((resolve) => {
    const child = spawn('node', [PIPE_BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (!sent && stdout.includes(marker)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('close', (exitCode) => resolve({ exitCode, stdout }));
  });
}

/** Entry names and contents of a zip, with build.json's tag replaced by a pattern check. */
async function comparable(path: string): Promise<Record<string, string>> {
  const entries = await readZip(path);
  // The function's build.json, also in the stack bundle's src/.
  for (const name of ['build.json', 'src/build.json']) {
    const tag = entries[name];
    if (tag === undefined) continue;
    expect(tag).toMatch(/^\{"tag":"[0-9a-z]+-dev-\d+"\}\n$/);
    entries[name] = '{"tag":"<commit or local>-dev-<build number>"}';
  }
  return entries;
}

describeDocker('pipe build, end to end', () => {
  it('builds the sample service into the same zips as the pipeline build action', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'pipe-clone-'));
    execFileSync('git', ['clone', '-q', REPO_ROOT, clone]);
    const env = makePipeEnv();
    const out = join(mkdtempSync(join(tmpdir(), 'pipe-out-')), 'out');
    const built = await pipe(['build', clone, '--buildspec', 'buildspecs/hello-service.yml', '--artifacts', out], env);
    expect(built.stderr).toBe('');
    expect(built.exitCode).toBe(0);
    expect(built.stdout).toMatch(/^Build [\w-]+:[0-9a-f-]{36}: SUCCEEDED$/m);
    expect(built.stdout).toContain('  variable BUILD_TAG=local-dev-1');
    expect(readdirSync(out).sort()).toEqual(['FunctionCode.zip', 'LayerCode.zip', 'StackBundle.zip', 'artifacts.zip']);

    const ran = await pipe(['run', join(clone, 'pipelines/deploy.yml')], env);
    expect(ran.exitCode).toBe(0);
    const [executionId] = readdirSync(join(env.artifacts, 'hello-service'));
    const pipelineDir = join(env.artifacts, 'hello-service', String(executionId));

    for (const name of ['FunctionCode.zip', 'LayerCode.zip', 'StackBundle.zip']) {
      const fromBuild = await comparable(join(out, name));
      const fromPipeline = await comparable(join(pipelineDir, name));
      expect(Object.keys(fromBuild).length).toBeGreaterThan(0);
      expect(fromBuild).toEqual(fromPipeline);
    }
    expect(JSON.parse(String((await readZip(join(out, 'FunctionCode.zip')))['build.json']))).toEqual({ tag: 'local-dev-1' });
    // The top-level artifacts block selects what FunctionCode does.
    expect(await comparable(join(out, 'artifacts.zip'))).toEqual(await comparable(join(out, 'FunctionCode.zip')));
  });

  it('exits 1 on a failed build, keeps the log under PIPE_HOME/logs/builds, and copies .git with the source', async () => {
    const repo = makeRepo({ 'buildspec.yml': 'version: 0.2\nphases:\n  build:\n    commands:\n      - test -d .git && echo has-git\n      - exit 7\n' });
    const env = makePipeEnv();
    const r = await pipe(['build', repo], env);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('\nhas-git\n');
    expect(r.stdout).toMatch(/^Build [\w-]+:[0-9a-f-]{36}: FAILED - Error while executing command: exit 7\. Reason: exit status 7$/m);
    const [log] = readdirSync(join(env.home, 'logs', 'builds'));
    expect(String(log)).toMatch(/\.log$/);
  });

  it('gives a git directory\'s build its commit as CODEBUILD_RESOLVED_SOURCE_VERSION and CODEBUILD_SOURCE_VERSION', async () => {
    const spec = 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo "resolved=${CODEBUILD_RESOLVED_SOURCE_VERSION-unset} source=${CODEBUILD_SOURCE_VERSION}"\n';
    const repo = makeRepo({ 'buildspec.yml': spec });
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    const env = makePipeEnv();
    const r = await pipe(['build', repo], env);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`\nresolved=${commit} source=${commit}\n`);
    // A plain directory has no commit: the variable stays unset, as for an S3 source.
    const plain = mkdtempSync(join(tmpdir(), 'pipe-plain-'));
    writeFileSync(join(plain, 'buildspec.yml'), spec);
    const p = await pipe(['build', plain], env);
    expect(p.exitCode).toBe(0);
    expect(p.stdout).toContain('\nresolved=unset source=\n');
  });

  it('prints the reports of a build, also in --json; a failing test does not fail it', async () => {
    const junit = '<testsuite name="s" tests="2" failures="1" time="0.5"><testcase classname="c" name="ok" time="0.1"/><testcase classname="c" name="bad" time="0.4"><failure message="boom"/></testcase></testsuite>';
    const repo = makeRepo({
      'buildspec.yml': `version: 0.2\nreports:\n  unit:\n    files: [out/TEST-*.xml]\nphases:\n  build:\n    commands:\n      - mkdir -p out && cp TEST-s.xml out/\n`,
      'TEST-s.xml': junit,
    });
    const env = makePipeEnv();
    const r = await pipe(['build', repo], env);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('\n  report unit (JUNITXML): FAILED  2 tests: 1 passed, 1 failed, 0 skipped  500ms\n    FAILED c.bad: boom\n');
    const json = await pipe(['build', repo, '--json'], env);
    const result = JSON.parse(json.stdout.trim().split('\n').at(-1) ?? '{}') as { reports?: Array<{ group: string; failed: number }> };
    expect(result.reports?.map((x) => [x.group, x.failed])).toEqual([['unit', 1]]);
  });

  it('Ctrl-C stops the build (exit 1, STOPPED) and removes its container', async () => {
    const repo = makeRepo({ 'buildspec.yml': 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo started\n      - sleep 60\n' });
    const env = makePipeEnv();
    const r = await runUntil(['build', repo], env.env, '\nstarted\n', 'SIGINT');
    expect(r.exitCode).toBe(1);
    const id = /^Build (\S+): STOPPED/m.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    expect(await new DockerEngine().listContainers({ [LABELS.action]: String(id) })).toEqual([]);
  });

  it('a build killed with SIGKILL is finished by the next command, any command: FAILED (interrupted), no container, no temp files', async () => {
    const repo = makeRepo({ 'buildspec.yml': 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo started\n      - sleep 60\n' });
    const env = makePipeEnv();
    const r = await runUntil(['build', repo], env.env, '\nstarted\n', 'SIGKILL');
    expect(r.exitCode).toBeNull();
    const id = /^Build (\S+): IN_PROGRESS/m.exec(r.stdout)?.[1] ?? '';
    const engine = new DockerEngine();
    expect(await engine.listContainers({ [LABELS.home]: env.home, [LABELS.action]: id })).toHaveLength(1);
    expect(readdirSync(join(env.home, 'tmp', 'builds'))).toHaveLength(1);
    const list = JSON.parse((await pipe(['builds', '--json'], env)).stdout) as Array<{ buildId: string; status: string; statusMessage?: string }>;
    expect(list).toEqual([expect.objectContaining({ buildId: id, status: 'FAILED', statusMessage: INTERRUPTED_ACTION })]);
    expect(await engine.listContainers({ [LABELS.home]: env.home, [LABELS.action]: id })).toEqual([]);
    expect(readdirSync(join(env.home, 'tmp', 'builds'))).toEqual([]);
  });

  it('runs a batch in a pipeline with batchEnabled and combineArtifacts: one zip, a folder per build', async () => {
    const repo = makeRepo({
      'buildspec.yml': `version: 0.2
phases:
  build:
    commands:
      - mkdir -p out && echo "$CODEBUILD_BATCH_BUILD_IDENTIFIER $FLAVOUR" > out/flavour.txt
artifacts:
  files: ['**/*']
  base-directory: out
batch:
  build-list:
    - identifier: sweet
      env:
        variables:
          FLAVOUR: sugar
    - identifier: sour
      env:
        variables:
          FLAVOUR: lemon
`,
    });
    const pipeline = (config: string, outputs: string) => `name: batch
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration:
          repository: .
        outputArtifacts: [Src]
  - name: Build
    actions:
      - name: Batch
        type: Build/CodeBuild
        configuration:
${config}
        inputArtifacts: [Src]
        outputArtifacts: [${outputs}]
`;
    writeFileSync(join(repo, 'combined.yml'), pipeline('          batchEnabled: "true"\n          combineArtifacts: "true"', 'Combined'));
    writeFileSync(join(repo, 'individual.yml'), pipeline('          batchEnabled: "true"', 'sweet, sour'));
    const env = makePipeEnv();

    const combined = await pipe(['run', join(repo, 'combined.yml')], env);
    expect(combined.stderr).toBe('');
    expect(combined.exitCode).toBe(0);
    const [first] = readdirSync(join(env.artifacts, 'batch'));
    expect(await readZip(join(env.artifacts, 'batch', String(first), 'Combined.zip'))).toEqual({
      'sour/flavour.txt': 'sour lemon\n',
      'sweet/flavour.txt': 'sweet sugar\n',
    });

    const individual = await pipe(['run', join(repo, 'individual.yml'), '--json'], env);
    expect(individual.exitCode).toBe(0);
    const second = readdirSync(join(env.artifacts, 'batch')).find((d) => d !== first);
    expect(await readZip(join(env.artifacts, 'batch', String(second), 'sweet.zip'))).toEqual({ 'flavour.txt': 'sweet sugar\n' });
    expect(await readZip(join(env.artifacts, 'batch', String(second), 'sour.zip'))).toEqual({ 'flavour.txt': 'sour lemon\n' });
  });

  it('without batchEnabled a batch-only buildspec fails the action with the runner\'s message', async () => {
    const repo = makeRepo({ 'buildspec.yml': 'version: 0.2\nbatch:\n  build-list:\n    - identifier: a\n' });
    writeFileSync(
      join(repo, 'pipeline.yml'),
      'name: nobatch\nstages:\n  - name: Source\n    actions:\n      - name: Checkout\n        type: Source/Git\n        configuration: { repository: . }\n        outputArtifacts: [Src]\n  - name: Build\n    actions:\n      - name: Build\n        type: Build/CodeBuild\n        inputArtifacts: [Src]\n',
    );
    const r = await pipe(['run', join(repo, 'pipeline.yml')], makePipeEnv());
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('Build FAILED: no phases; this buildspec only defines a batch');
  });
});
