// Every command on bad input, through the real binary: a missing file, an unreadable one, a folder for a file, bad
// flags, unknown ids, no Docker engine, a full disk. Each gets one error line (and at most a hint), the right exit
// code, and never a stack trace.
import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPE_BIN, makePipeEnv } from '../support/cli.js';

const STACK = /\n\s+at |node:internal|\.mjs:\d+|SqliteError|TypeError|ReferenceError/;
const work = mkdtempSync(join(tmpdir(), 'pipe-sweep-'));
const missing = join(work, 'missing.yml');
const folder = join(work, 'a-folder');
const unreadable = join(work, 'unreadable.yml');
const project = join(work, 'project');
mkdirSync(folder);
mkdirSync(project);
writeFileSync(join(project, 'buildspec.yml'), 'version: 0.2\nphases:\n  build:\n    commands: [echo hi]\n');
writeFileSync(unreadable, 'name: x\n');
chmodSync(unreadable, 0o000);
chmodSync(work, 0o755);

/** [args, exit code, the error line (a regex)] */
type Case = [string[], number, RegExp];

const cases: Record<string, Case[]> = {
  'a missing file': [
    [['run', missing], 2, /^error: pipeline file .*missing\.yml not found$/],
    [['validate', missing], 2, /^error: pipeline file .*missing\.yml not found$/],
    [['build', '--plan', missing], 2, /^error: buildspec .*missing\.yml not found$/],
    [['build', project, '--buildspec', missing], 2, /^error: buildspec .*missing\.yml not found$/],
    [['secrets', 'set', 'db-password', '--from-file', missing], 2, /^error: --from-file .*missing\.yml: ENOENT/],
    [['invoke', 'hello', '--payload', `@${missing}`], 2, /^error: cannot read the payload file .*missing\.yml: ENOENT/],
    [['build', join(work, 'no-such-dir')], 2, /^error: the source directory .*no-such-dir does not exist$/],
  ],
  'a folder for a file': [
    [['run', folder], 2, /^error: .*a-folder is a directory; expected a pipeline file$/],
    [['validate', folder], 2, /^error: .*a-folder is a directory; expected a pipeline file$/],
    [['build', '--plan', folder], 2, /^error: cannot read buildspec .*a-folder: EISDIR/],
    [['secrets', 'set', 'db-password', '--from-file', folder], 2, /^error: --from-file .*a-folder: EISDIR/],
    [['invoke', 'hello', '--payload', `@${folder}`], 2, /^error: cannot read the payload file .*a-folder: EISDIR/],
  ],
  'bad flags': [
    [['run', '--bogus'], 2, /^error: unknown option '--bogus'$/],
    [['executions', '--limit', 'abc'], 2, /^error: --limit takes a positive whole number, got 'abc'$/],
    [['builds', '--limit', '-1'], 2, /^error: --limit takes a positive whole number, got '-1'$/],
    [['registry', 'serve', '--port', 'x'], 2, /^error: --port x is not a port number$/],
    [['build', project, '--batch-concurrency', '0'], 2, /^error: --batch-concurrency takes a whole number from 1 to 64, got '0'$/],
    [['build', project, '--env', 'NOEQUALS'], 2, /^error: --env takes NAME=VALUE, got 'NOEQUALS'$/],
    [['run', missing, '--variable', 'x'], 2, /^error: option '--variable <NAME=VALUE>' argument 'x' is invalid\. --variable takes NAME=VALUE$/],
    [['functions', '--region', 'x y'], 2, /^error: x y is not a region name \(like us-east-1\)$/],
    [['nonsense'], 2, /^error: unknown command 'nonsense'$/],
  ],
  'unknown ids and names': [
    [['execution', 'nope'], 2, /^error: no execution 'nope'$/],
    [['logs', 'nope'], 2, /^error: no execution or build 'nope'$/],
    [['build', 'webapp:00000000-0000-4000-8000-000000000000'], 2, /^error: no build 'webapp:00000000-0000-4000-8000-000000000000'$/],
    [['parameters', 'get', '/no/such'], 2, /^error: parameter \/no\/such does not exist$/],
    [['parameters', 'rm', '/no/such'], 2, /^error: parameter \/no\/such does not exist$/],
    [['secrets', 'rm', 'no-such'], 2, /^error: secret no-such does not exist$/],
  ],
};

/** Runs pipe; returns its result with stderr split in lines. */
async function sweep(args: string[], env: Record<string, string>, options: { uid?: number } = {}) {
  const cmd = options.uid === undefined ? ['node', PIPE_BIN, ...args] : ['setpriv', `--reuid=${options.uid}`, `--regid=${options.uid}`, '--clear-groups', 'node', PIPE_BIN, ...args];
  const r = await execa(cmd[0] ?? 'node', cmd.slice(1), { env, reject: false, cwd: work });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), lines: String(r.stderr).split('\n').filter(Boolean) };
}

function expectOneError(r: { exitCode?: number | undefined; stderr: string; lines: string[] }, exit: number, line: RegExp): void {
  expect(r.stderr).not.toMatch(STACK);
  expect(r.lines[0]).toMatch(line);
  expect(r.lines.length).toBeLessThanOrEqual(2);
  if (r.lines[1] !== undefined) expect(r.lines[1]).toMatch(/^(hint: |\(Did you mean)/);
  expect(r.exitCode).toBe(exit);
}

describe('every command on bad input: one line, the right exit code, no stack trace', () => {
  for (const [kind, list] of Object.entries(cases)) {
    describe(kind, () => {
      for (const [args, exit, line] of list) {
        it(`pipe ${args.join(' ').replaceAll(work, '…')}`, async () => {
          const p = makePipeEnv();
          expectOneError(await sweep(args, { ...process.env, ...p.env } as Record<string, string>), exit, line);
        });
      }
    });
  }

  describe('an unreadable file (pipe run as an unprivileged user, since root reads anything)', () => {
    for (const args of [['validate', unreadable], ['run', unreadable], ['build', '--plan', unreadable]]) {
      it(`pipe ${args.join(' ').replaceAll(work, '…')}`, async () => {
        const home = mkdtempSync(join(tmpdir(), 'pipe-sweep-home-'));
        chmodSync(home, 0o777);
        const r = await sweep(args, { ...process.env, PIPE_HOME: join(home, 'h'), PIPE_ARTIFACTS: join(home, 'a'), NO_COLOR: '1' } as Record<string, string>, { uid: 65534 });
        expectOneError(r, 2, /EACCES|permission denied/i);
      });
    }
  });

  describe('no Docker engine', () => {
    for (const args of [['build', project], ['registry', 'serve', '--port', '0']]) {
      it(`pipe ${args.join(' ').replaceAll(work, '…')}`, async () => {
        const p = makePipeEnv();
        const r = await sweep(args, { ...process.env, ...p.env, DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` } as Record<string, string>);
        expectOneError(r, 1, /^error: no Docker engine answers/);
      });
    }
  });

  describe('a full disk under PIPE_HOME (a small tmpfs)', () => {
    const mountpoint = join(work, 'full');
    beforeAll(async () => {
      expect(process.getuid?.(), 'mounting a tmpfs needs root, as setup.sh and CI run').toBe(0);
      mkdirSync(mountpoint);
      await execa('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountpoint]);
      await execa('sh', ['-c', `head -c 200000 /dev/zero > '${join(mountpoint, 'filler')}'`]);
    });
    afterAll(async () => {
      await execa('umount', [mountpoint], { reject: false });
    });
    for (const args of [['parameters', 'set', '/app/db-host', 'x'.repeat(100_000)], ['build', project]]) {
      it(`pipe ${args.join(' ').replaceAll(work, '…').slice(0, 60)}`, async () => {
        const r = await sweep(args, { ...process.env, PIPE_HOME: join(mountpoint, 'home'), PIPE_ARTIFACTS: join(mountpoint, 'artifacts'), NO_COLOR: '1' } as Record<string, string>);
        expectOneError(r, 1, /disk is full|no space left|I\/O error/);
      });
    }
  });
});

it('leaves nothing in the project folder the failed builds were given', () => {
  expect(readdirSync(project)).toEqual(['buildspec.yml']);
});
