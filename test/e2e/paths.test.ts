// Names that would become paths outside their folder, through the real CLI: each is refused with its position,
// exit 2, and nothing is written anywhere (the whole sandbox is listed before and after).
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { makePipeEnv, pipe } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';

/** Every path under `root` with its size (directories as `/`), to show that nothing was added or changed. */
function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const st = statSync(full);
      out.push(`${relative(root, full)}${st.isDirectory() ? '/' : ` ${st.size}`}`);
      if (st.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}

it('pipe build: a secondary artifact identifier ../../x exits 2 at its position and writes nothing outside (or inside)', async () => {
  const env = makePipeEnv();
  // sandbox/a/b/src is the source; ../../x.zip from sandbox/a/b/out would be sandbox/a/x.zip.
  const sandbox = mkdtempSync(join(tmpdir(), 'pipe-paths-'));
  const src = join(sandbox, 'a', 'b', 'src');
  mkdirSync(src, { recursive: true });
  writeFileSync(
    join(src, 'buildspec.yml'),
    [
      'version: 0.2',
      'phases:',
      '  build:',
      '    commands: [echo hi > x.txt]',
      'artifacts:',
      "  files: ['**/*']",
      '  secondary-artifacts:',
      '    ../../x:',
      '      files: [x.txt]',
      '',
    ].join('\n'),
  );
  const before = listTree(sandbox);
  const r = await pipe(['build', src, '--artifacts', join(sandbox, 'a', 'b', 'out')], env);
  expect(r.exitCode).toBe(2);
  expect(r.stdout).toBe('');
  const file = join(src, 'buildspec.yml');
  expect(r.stderr).toBe(
    [
      `error: ${file}: 1 problem found`,
      `  ${file}:8:5 artifacts.secondary-artifacts["../../x"]: expected a secondary artifact identifier of 1-127 characters from A-Z a-z 0-9 _ -, got '../../x'`,
      '    8 |     ../../x:',
      '      |     ^',
    ].join('\n'),
  );
  expect(listTree(sandbox)).toEqual(before);
});

it('pipe validate: a pipeline named .. and a stage named .. are refused with their positions', async () => {
  const env = makePipeEnv();
  const dir = mkdtempSync(join(tmpdir(), 'pipe-paths-'));
  const file = join(dir, 'pipeline.yml');
  writeFileSync(
    file,
    [
      'name: ..',
      'stages:',
      '  - name: Source',
      '    actions:',
      '      - { name: Checkout, type: Source/Git, configuration: { repository: . }, outputArtifacts: [Src] }',
      '  - name: ..',
      '    actions:',
      '      - { name: Build, type: Build/CodeBuild, inputArtifacts: [Src] }',
      '',
    ].join('\n'),
  );
  const before = listTree(dir);
  const r = await pipe(['validate', file], env);
  expect(r.exitCode).toBe(2);
  const dots = (what: string) => `'..' is not usable as ${what}: a name of only dots reads as a path ('.' or '..'); use a letter, digit, @, - or _ too`;
  expect(r.stderr).toBe(
    [
      `error: ${file}: 2 problems found`,
      `  ${file}:1:7 name: ${dots('a pipeline name')}`,
      '    1 | name: ..',
      '      |       ^',
      `  ${file}:6:11 stages[1].name: ${dots('a stage name')}`,
      '    6 |   - name: ..',
      '      |           ^',
    ].join('\n'),
  );
  expect(listTree(dir)).toEqual(before);
});

describeDocker('names expanded in the build', () => {
  it('pipe build: an artifact name that expands to ../../escape.zip fails UPLOAD_ARTIFACTS and writes no zip anywhere', async () => {
    const env = makePipeEnv();
    const sandbox = mkdtempSync(join(tmpdir(), 'pipe-paths-'));
    const src = join(sandbox, 'a', 'b', 'src');
    mkdirSync(src, { recursive: true });
    writeFileSync(
      join(src, 'buildspec.yml'),
      'version: 0.2\nphases:\n  build:\n    commands: [echo hi > x.txt]\nartifacts:\n  name: ../../escape-$CODEBUILD_BUILD_NUMBER.zip\n  files: [x.txt]\n',
    );
    const out = join(sandbox, 'a', 'b', 'out');
    const r = await pipe(['build', src, '--artifacts', out], env);
    expect(r.exitCode).toBe(1);
    const message = 'CLIENT_ERROR: artifact name ../../escape-$CODEBUILD_BUILD_NUMBER.zip expands to ../../escape-1.zip, which is not a path inside the artifacts folder';
    expect(r.stdout).toContain('Phase complete: UPLOAD_ARTIFACTS State: FAILED');
    const result = r.stdout.split('\n').find((l) => l.startsWith('Build ') && !l.endsWith('IN_PROGRESS'));
    expect(result).toMatch(/^Build src:[0-9a-f-]+: FAILED - /);
    expect(result?.endsWith(`: FAILED - ${message}`)).toBe(true);
    expect(listTree(sandbox)).toEqual(['a/', 'a/b/', 'a/b/out/', 'a/b/src/', `a/b/src/buildspec.yml ${statSync(join(src, 'buildspec.yml')).size}`]);
  });
});
