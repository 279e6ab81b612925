// `pipe build` leaves out what a .pipeignore says (and says how much it copied); without one it copies the whole
// folder, as codebuild_build.sh does, and hints at .pipeignore when the source is large.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makePipeEnv, pipe } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { readZip } from '../support/zip-read.js';

function project(withIgnore: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-ignore-'));
  const files: Record<string, string> = {
    'buildspec.yml': 'version: 0.2\nphases:\n  build:\n    commands:\n      - find . -type f | sort\nartifacts:\n  files: ["**/*"]\n',
    'src/index.js': 'x',
    'node_modules/dep/index.js': 'dep',
    'debug.log': 'noise',
    'keep.log': 'wanted',
  };
  if (withIgnore) files['.pipeignore'] = '# not for the build\nnode_modules/\n*.log\n!keep.log\n';
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

describeDocker('.pipeignore', () => {
  it('leaves the paths it names out of the source, and says what it copied', async () => {
    const dir = project(true);
    const out = join(dir, 'out');
    const r = await pipe(['build', dir, '--artifacts', out], makePipeEnv());
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Source: 4 files, 0\\.0 MB from ${dir} \\(\\.pipeignore left out 2 paths\\)$`, 'm'));
    expect(Object.keys(await readZip(join(out, 'artifacts.zip'))).sort()).toEqual(['.pipeignore', 'buildspec.yml', 'keep.log', 'src/index.js']);
  });

  it('says how far a copy has got, of the source and of each artifact (every chunk with PIPE_PROGRESS_MS=0)', async () => {
    const dir = project(true);
    const out = join(dir, 'out');
    const r = await pipe(['build', dir, '--artifacts', out], makePipeEnv(), { PIPE_PROGRESS_MS: '0' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Copying the source: \d+ files, 0\.0 MB so far$/m);
    expect(r.stdout).toMatch(/^\[Container\] \S+ \S+ Artifact primary: \d+\.\d MB read from the build so far$/m);
  });

  it('without one, copies the whole folder', async () => {
    const dir = project(false);
    const out = join(dir, 'out');
    const r = await pipe(['build', dir, '--artifacts', out], makePipeEnv());
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Source: 5 files, 0\\.0 MB from ${dir}$`, 'm'));
    expect(Object.keys(await readZip(join(out, 'artifacts.zip'))).sort()).toEqual(['buildspec.yml', 'debug.log', 'keep.log', 'node_modules/dep/index.js', 'src/index.js']);
  });
});
