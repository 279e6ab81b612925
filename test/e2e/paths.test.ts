// Names that would become paths outside their folder, through the real CLI: each is refused with its position,
// exit 2, and nothing is written anywhere (the whole sandbox is listed before and after).
import { mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { makePipeEnv, pipe } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { git, makeRepo, twoStagePipeline } from '../support/git-fixture.js';
import { readZip } from '../support/zip-read.js';

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

describeDocker('symlinks that point out of a source', () => {
  it('pipe build: links to /etc in the source directory are skipped with a warning, never followed (real files)', async () => {
    const env = makePipeEnv();
    const src = mkdtempSync(join(tmpdir(), 'pipe-paths-'));
    writeFileSync(join(src, 'buildspec.yml'), "version: 0.2\nphases:\n  build:\n    commands:\n      - 'ls -A'\n      - 'cat passwd || true'\nartifacts:\n  files: ['**/*']\n");
    writeFileSync(join(src, 'kept.txt'), 'kept');
    symlinkSync('/etc', join(src, 'etc'));
    symlinkSync('/etc/passwd', join(src, 'passwd'));
    const out = join(src, 'out');
    const r = await pipe(['build', src, '--artifacts', out], env);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`Warning: Skipping symlink etc: its target /etc is outside ${src}`);
    expect(r.stdout).toContain(`Warning: Skipping symlink passwd: its target /etc/passwd is outside ${src}`);
    // The build's directory holds the buildspec and the file, nothing of /etc; the artifact likewise.
    expect(r.stdout).toMatch(/Running command ls -A\nbuildspec\.yml\nkept\.txt\n/);
    expect(r.stdout).not.toContain('root:x:0:0');
    expect(Object.keys(await readZip(join(out, 'artifacts.zip'))).sort()).toEqual(['buildspec.yml', 'kept.txt']);
  });

  it('pipe run: a committed link to /etc makes the source artifact refused when unpacked, never followed', async () => {
    const env = makePipeEnv();
    const repo = makeRepo({ 'buildspec.yml': 'version: 0.2\nphases:\n  build:\n    commands: [cat etc/passwd]\n' });
    symlinkSync('/etc', join(repo, 'etc'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'link');
    const file = join(repo, 'pipeline.yml');
    writeFileSync(file, twoStagePipeline({ repository: repo }));
    const r = await pipe(['run', file], env);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/Phase context status code: CLIENT_ERROR Message: Refusing to unpack \S+\/Src\.zip: symlink etc points outside the artifact root \(\/etc\)/);
    expect(r.stdout).not.toContain('root:x:0:0');
  });
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
