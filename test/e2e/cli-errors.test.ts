// The real `pipe` binary on bad input and closed pipes: one clear error line (and a hint), the right exit code,
// never a stack trace; a reader that goes away (`| head`) ends pipe quietly.
import { execa } from 'execa';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/core/index.js';
import { ExecutionStore, LogStore } from '../../src/execute/index.js';
import { openDatabase } from '../../src/infra/sqlite.js';
import { PIPE_BIN, makePipeEnv, pipe } from '../support/cli.js';

const STACK = /\n\s+at .+\(|node:internal|pipe\.mjs:\d+/;

/** A PIPE_HOME holding one finished execution whose Build action logged `lines` lines. */
function seedExecution(lines: number) {
  const p = makePipeEnv();
  mkdirSync(p.home, { recursive: true });
  const db = openDatabase(join(p.home, 'state.db'));
  const store = new ExecutionStore(db);
  const logs = new LogStore(p.home, (e, s, a, path) => store.setLogPath(e, s, a, path));
  const executionId = 'e0000000-0000-4000-8000-000000000001';
  const time = new Date().toISOString();
  const events: RunEvent[] = [
    { executionId, time, type: 'execution', pipeline: 'p', status: 'InProgress', start: { file: '/x/p.yml', digest: 'd', trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'test' }, variables: {} } },
    { executionId, time, type: 'stage', stage: 'Build', status: 'InProgress' },
    { executionId, time, type: 'action', stage: 'Build', action: 'Build', status: 'InProgress', details: { actionType: 'Build/CodeBuild', runOrder: 1 } },
    ...Array.from({ length: lines }, (_, i): RunEvent => ({ executionId, time, type: 'log', stage: 'Build', action: 'Build', stream: 'stdout', line: `line ${i} ${'x'.repeat(60)}` })),
    { executionId, time, type: 'action', stage: 'Build', action: 'Build', status: 'Succeeded' },
    { executionId, time, type: 'stage', stage: 'Build', status: 'Succeeded' },
    { executionId, time, type: 'execution', pipeline: 'p', status: 'Succeeded' },
  ];
  for (const e of events) {
    store.record(e);
    logs.record(e);
  }
  logs.closeAll();
  db.close();
  return { p, executionId };
}

describe('pipe on a closed pipe', () => {
  it('`pipe logs ID | head -5` prints five lines and exits quietly, with no EPIPE', async () => {
    const { p, executionId } = seedExecution(20_000); // ~1.4 MB: far past a pipe's buffer
    const r = await execa('sh', ['-c', `node "${PIPE_BIN}" logs ${executionId} | head -5`], { env: p.env, reject: false });
    expect(r.stdout.split('\n')).toEqual([0, 1, 2, 3, 4].map((i) => `line ${i} ${'x'.repeat(60)}`));
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect(r.exitCode).toBe(0);
  });

  it('`pipe logs ID --json | head -c 1` exits 0 without a word on stderr', async () => {
    const { p, executionId } = seedExecution(20_000);
    // `set -o pipefail` is not in dash: read pipe's own status from a file.
    const status = join(p.home, 'status');
    const r = await execa('sh', ['-c', `(node "${PIPE_BIN}" logs ${executionId} --json; echo $? > "${status}") | head -c 1`], { env: p.env, reject: false });
    expect(r.stdout).toBe('{');
    expect(r.stderr).toBe('');
    expect(readFileSync(status, 'utf8').trim()).toBe('0');
  });
});

/** A loopback port nothing listens on: one the kernel just handed out and took back. */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
const FREE_PORT = await freePort();

describe('pipe on bad input: one line, no stack', () => {
  const cases: { args: string[]; exit: number; stderr: string; setup?: (dir: string) => void }[] = [
    { args: ['rnu'], exit: 2, stderr: "error: unknown command 'rnu'\n(Did you mean run?)" },
    {
      args: ['build', '/nonexistent-pipe-dir'],
      exit: 2,
      stderr: 'error: the source directory /nonexistent-pipe-dir does not exist\nhint: pipe build DIR builds the folder DIR (default: the current one)',
    },
    {
      args: ['build', '/etc/hostname', '--plan'],
      exit: 2,
      stderr: 'error: /etc/hostname is not a directory\nhint: pipe build DIR builds the folder DIR; --buildspec names the buildspec file',
    },
    {
      args: ['invoke', 'hello', '--endpoint', `http://127.0.0.1:${FREE_PORT}`],
      exit: 1,
      stderr:
        `error: no registry at http://127.0.0.1:${FREE_PORT}: nothing answers at that address\nhint: start one with 'pipe registry serve', or leave out --endpoint to use this project's registry in-process`,
    },
  ];
  for (const c of cases) {
    it(`pipe ${c.args.join(' ')}`, async () => {
      const p = makePipeEnv();
      const r = await pipe(c.args, p);
      expect(r.stderr).toBe(c.stderr);
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stdout).toBe('');
      expect(r.exitCode).toBe(c.exit);
    });
  }

  it('pipe validate --json prints an invalid file\'s problems as JSON on stdout and exits 2', async () => {
    const p = makePipeEnv();
    mkdirSync(p.home, { recursive: true });
    const file = join(p.home, 'bad.yml');
    writeFileSync(file, 'name: p\nstages:\n  - name: Source\n    actions: []\n');
    const r = await pipe(['validate', file, '--json'], p);
    expect(r.exitCode).toBe(2);
    const body = JSON.parse(r.stdout) as { valid: boolean; problems: { file: string; line: number; column: number; path: string; message: string }[] };
    expect(body.valid).toBe(false);
    expect(body.problems.length).toBeGreaterThan(0);
    for (const problem of body.problems) {
      expect(problem.file).toBe(file);
      expect(problem.line).toBeGreaterThan(0);
      expect(problem.column).toBeGreaterThan(0);
      expect(typeof problem.message).toBe('string');
    }
    expect(r.stderr).toContain(`${file}:`);
  });
});
