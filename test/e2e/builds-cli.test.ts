// What `pipe build` ran stays findable: `pipe builds` lists the builds, `pipe build ID` shows one, `pipe logs ID`
// prints its log, by whole id or a unique prefix of it or of its uuid; an unknown id is a clear error. A build is an
// execution of the engine: another process follows its log as it comes (`pipe logs ID --follow`) or stops it.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { makePipeEnv, pipe } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { startGates } from '../support/gate.js';
import type { Gates } from '../support/gate.js';
import { endStrayPipes, homeContainers, startPipe } from '../support/pipe-process.js';

describeDocker('pipe builds, pipe build ID, pipe logs BUILD_ID', () => {
  let p: PipeEnv;
  const ids: string[] = [];
  beforeAll(async () => {
    p = makePipeEnv();
    const dir = join(mkdtempSync(join(tmpdir(), 'pipe-builds-')), 'webapp');
    
    mkdirSync(dir);
    writeFileSync(join(dir, 'buildspec.yml'), 'version: 0.2\nenv:\n  exported-variables: [GREETING]\nphases:\n  build:\n    commands:\n      - echo "build number $CODEBUILD_BUILD_NUMBER"\n      - export GREETING=hello\n');
    for (let i = 0; i < 2; i++) {
      const r = await pipe(['build', dir], p);
      expect(r.exitCode).toBe(0);
      const id = /^Build (\S+): IN_PROGRESS$/m.exec(r.stdout)?.[1];
      expect(id).toMatch(/^webapp:[0-9a-f-]{36}$/);
      ids.push(id ?? '');
    }
  });

  it('pipe builds lists them newest first, in text and JSON', async () => {
    const text = await pipe(['builds'], p);
    expect(text.exitCode).toBe(0);
    expect(text.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      [ids[1], 'SUCCEEDED'],
      [ids[0], 'SUCCEEDED'],
    ]);
    const json = JSON.parse((await pipe(['builds', '--json', '--limit', '1'], p)).stdout) as { buildId: string; buildNumber: number; project: string }[];
    expect(json.map((b) => [b.buildId, b.buildNumber, b.project])).toEqual([[ids[1], 2, 'webapp']]);
  });

  it('pipe build ID shows one build; --json gives its record', async () => {
    const r = await pipe(['build', ids[0] ?? ''], p);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`Build ${ids[0]}\n  status    SUCCEEDED\n  project   webapp #1`);
    expect(r.stdout).toContain('  variable  GREETING=hello');
    expect(r.stdout).toContain(`  log       pipe logs ${ids[0]}`);
    const json = JSON.parse((await pipe(['build', ids[0] ?? '', '--json'], p)).stdout) as { status: string; detail: { exportedVariables: Record<string, string> } };
    expect(json.status).toBe('SUCCEEDED');
    expect(json.detail.exportedVariables).toEqual({ GREETING: 'hello' });
  });

  it('pipe logs BUILD_ID prints its log, by id or by a prefix of its uuid', async () => {
    const whole = await pipe(['logs', ids[1] ?? ''], p);
    expect(whole.exitCode).toBe(0);
    expect(whole.stdout).toMatch(/^build number 2$/m);
    const uuid = (ids[1] ?? '').split(':')[1] ?? '';
    const byPrefix = await pipe(['logs', uuid.slice(0, 8)], p);
    expect(byPrefix.stdout).toBe(whole.stdout);
  });

  it('an unknown build or execution id is one clear error, exit 2', async () => {
    const r = await pipe(['logs', 'nothing-like-it'], p);
    expect(r.stderr).toBe("error: no execution or build 'nothing-like-it'\nhint: 'pipe executions' and 'pipe builds' list them");
    expect(r.exitCode).toBe(2);
    const b = await pipe(['build', 'webapp:00000000-0000-4000-8000-000000000000'], p);
    expect(b.stderr).toBe("error: no build 'webapp:00000000-0000-4000-8000-000000000000'\nhint: 'pipe builds' lists the builds pipe build ran");
    expect(b.exitCode).toBe(2);
    const limit = await pipe(['builds', '--limit', '0'], p);
    expect(limit.stderr).toBe("error: --limit takes a positive whole number, got '0'");
    expect(limit.exitCode).toBe(2);
  });
});

describeDocker('pipe build on the engine: one event log, followed and stopped from other processes', () => {
  let gates: Gates;
  beforeAll(async () => {
    gates = await startGates();
  });
  afterAll(() => gates.close());
  afterEach(endStrayPipes);

  /** A directory whose build prints `build at gate NAME`, waits at gate NAME, then prints `build through gate NAME`. */
  function gatedDir(gate: string): string {
    const dir = join(mkdtempSync(join(tmpdir(), 'pipe-builds-gated-')), 'gated');
    mkdirSync(dir);
    writeFileSync(join(dir, 'buildspec.yml'), `version: 0.2\nenv:\n  variables:\n    GATE: ${gate}\nphases:\n  build:\n    commands:\n      - echo "build at gate $GATE"\n      - ${JSON.stringify(gates.waitCommand())}\n      - echo "build through gate $GATE"\n`);
    return dir;
  }

  it('pipe logs BUILD_ID --follow from another process prints the lines as they come and returns when the build ends; pipe executions does not list builds', async () => {
    const p = makePipeEnv();
    const build = startPipe(['build', gatedDir('follow-build')], p);
    const id = (await build.waitForOutput(/^Build (\S+): IN_PROGRESS$/m))[1] ?? '';
    await gates.waitForHit('follow-build');
    const follow = startPipe(['logs', id, '--follow'], p);
    await follow.waitForOutput(/^build at gate follow-build$/m);
    expect(follow.stdout()).not.toContain('build through gate');
    gates.open('follow-build');
    const [built, followed] = await Promise.all([build.exited, follow.exited]);
    expect(built.exitCode).toBe(0);
    expect(followed.exitCode).toBe(0);
    expect(followed.stdout).toMatch(/^build through gate follow-build$/m);
    // The follower printed what the build's log holds, each line once.
    expect(followed.stdout).toBe((await pipe(['logs', id], p)).stdout + '\n');
    expect((await pipe(['executions'], p)).stdout).toBe('no executions');
    expect((await pipe(['builds'], p)).stdout).toMatch(new RegExp(`^${id}  SUCCEEDED `));
  });

  it('pipe stop of a build from another process stops it: STOPPED, exit 1, its container removed', async () => {
    const p = makePipeEnv();
    const build = startPipe(['build', gatedDir('stop-build')], p);
    const id = (await build.waitForOutput(/^Build (\S+): IN_PROGRESS$/m))[1] ?? '';
    await gates.waitForHit('stop-build');
    const executionId = id.slice(id.indexOf(':') + 1);
    const stop = await pipe(['stop', executionId, '--abandon'], p);
    expect(stop.stderr).toBe('');
    const end = await build.exited;
    expect(end.exitCode).toBe(1);
    expect(end.stdout).toMatch(new RegExp(`^Build ${id}: STOPPED`, 'm'));
    expect(await homeContainers(p)).toEqual([]);
    expect(gates.hits('stop-build')).toBeGreaterThan(0);
  });
});
