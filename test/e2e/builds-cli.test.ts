// What `pipe build` ran stays findable: `pipe builds` lists the builds, `pipe build ID` shows one, `pipe logs ID`
// prints its log, by whole id or a unique prefix of it or of its uuid; an unknown id is a clear error.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { makePipeEnv, pipe } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';

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
