// `pipe` on the PATH as the README installs it (`npm install -g .` from the clone), here into a temporary prefix:
// the installed command runs from any folder, and builds a folder of another project there.
import { execa } from 'execa';
import { mkdtempSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';

let prefix = '';
let bin = '';
const elsewhere = mkdtempSync(join(tmpdir(), 'pipe-elsewhere-'));
const env = () => ({ ...process.env, PATH: `${join(prefix, 'bin')}:${process.env['PATH'] ?? ''}`, PIPE_HOME: '', PIPE_ARTIFACTS: '', NO_COLOR: '1' });

beforeAll(async () => {
  prefix = mkdtempSync(join(tmpdir(), 'pipe-prefix-'));
  // --ignore-scripts: the clone is built already (npm test builds first); a global install links the folder.
  await execa('npm', ['install', '-g', '--prefix', prefix, '--ignore-scripts', '--no-audit', '--no-fund', REPO_ROOT]);
  bin = join(prefix, 'bin', 'pipe');
});

describe('pipe installed with npm install -g', () => {
  it('is on the PATH and answers from another folder', async () => {
    const r = await execa('pipe', ['--version'], { cwd: elsewhere, env: env() });
    expect(r.stdout).toBe('0.1.0');
    const which = await execa('sh', ['-c', 'command -v pipe'], { cwd: elsewhere, env: env() });
    expect(which.stdout).toBe(bin);
  });
});

describeDocker('pipe installed with npm install -g, building another project', () => {
  it('builds a folder outside the clone, keeping state in that folder', async () => {
    const project = mkdtempSync(join(tmpdir(), 'pipe-other-project-'));
    writeFileSync(join(project, 'buildspec.yml'), 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo "hello from $CODEBUILD_SRC_DIR"\nartifacts:\n  files: [buildspec.yml]\n');
    const env2 = Object.fromEntries(Object.entries(env()).filter(([k]) => k !== 'PIPE_HOME' && k !== 'PIPE_ARTIFACTS')) as Record<string, string>;
    const r = await execa('pipe', ['build', '.'], { cwd: project, env: env2, extendEnv: false, reject: false });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Build pipe-other-project-\S+: IN_PROGRESS$/m);
    expect(r.stdout).toContain('hello from /codebuild/output/src');
    expect(r.stdout).toMatch(/^Build \S+: SUCCEEDED$/m);
    expect(r.exitCode).toBe(0);
    expect(readdirSync(project).sort()).toEqual(['.pipe', 'artifacts', 'buildspec.yml']);
  });
});
