// What ends a foreground `pipe registry serve`: SIGHUP (the terminal closed), and the process that started it
// going away without passing a signal on (`npx pipe registry serve &` then `kill $!` kills npx's wrapper only).
// A server started right after one stops that way gets the PIPE_HOME and the port.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';
import { PIPE_BIN } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';

/** The JSON lines a process prints, and a wait for the first one a predicate accepts. */
function jsonLines(stream: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) {
  const seen: Record<string, unknown>[] = [];
  let text = '';
  const waiters: { match: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  let ended = false;
  stderr.on('data', (d) => (text += String(d)));
  const rl = createInterface({ input: stream });
  rl.on('line', (line) => {
    text += `${line}\n`;
    if (!line.startsWith('{')) return;
    const e = JSON.parse(line) as Record<string, unknown>;
    seen.push(e);
    for (const w of waiters.filter((x) => x.match(e))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  rl.on('close', () => (ended = true));
  return {
    waitFor(match: (e: Record<string, unknown>) => boolean, deadlineMs = 30_000): Promise<Record<string, unknown>> {
      const found = seen.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no such line within ${deadlineMs} ms${ended ? ' (output ended)' : ''}; output:\n${text}`)), deadlineMs);
        waiters.push({ match, resolve: (e) => { clearTimeout(timer); resolve(e); } });
      });
    },
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(what: string, cond: () => boolean, deadlineMs = 15_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeDocker('a foreground registry server stops with what started it', () => {
  it('SIGHUP stops it, saying why', async () => {
    const home = mkdtempSync(join(tmpdir(), 'pipe-hup-'));
    const child = spawn('node', [PIPE_BIN, 'registry', 'serve', '--port', '0', '--json'], { env: { ...process.env, PIPE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const out = jsonLines(child.stdout, child.stderr);
    await out.waitFor((e) => e['type'] === 'listening');
    child.kill('SIGHUP');
    expect((await out.waitFor((e) => e['type'] === 'stopping'))['cause']).toBe('SIGHUP');
    expect(await exited).toBe(0);
  });

  it('a server whose `sh -c` wrapper and its parent are killed with -9 stops by itself', async () => {
    const home = mkdtempSync(join(tmpdir(), 'pipe-orphan-'));
    // node (the parent, like npm exec) -> sh -c (npm's wrapper) -> pipe registry serve
    const launcher = spawn('node', ['-e', `
      const { spawn } = require('node:child_process');
      const c = spawn('sh', ['-c', 'node "${PIPE_BIN}" registry serve --port 0 --json; true'], { stdio: ['ignore', 'inherit', 'inherit'] });
      setInterval(() => {}, 1000);
    `], { env: { ...process.env, PIPE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = jsonLines(launcher.stdout, launcher.stderr);
    const listening = await out.waitFor((e) => e['type'] === 'listening');
    const serverPid = Number(listening['pid']);
    expect(isRunning(serverPid)).toBe(true);
    launcher.kill('SIGKILL'); // the sh -c wrapper lives on, waiting for pipe: the server must notice its grandparent
    expect((await out.waitFor((e) => e['type'] === 'stopping'))['cause']).toBe('parent exited');
    await waitUntil(`server ${serverPid} to exit`, () => !isRunning(serverPid));
  });

  it("a server started at once after the previous one's wrapper got SIGTERM serves, on the same port", async () => {
    const home = mkdtempSync(join(tmpdir(), 'pipe-restart-'));
    // As `npx pipe registry serve & ... kill $!` then the next `npx pipe registry serve`: npm passes the signal to
    // its `sh -c` wrapper, which dies without passing it on; the server only learns of it by watching its parent.
    const launcher = spawn('node', ['-e', `
      const { spawn } = require('node:child_process');
      const c = spawn('sh', ['-c', 'node "${PIPE_BIN}" registry serve --port 0 --json; true'], { stdio: ['ignore', 'inherit', 'inherit'] });
      process.on('SIGTERM', () => { c.kill('SIGTERM'); c.on('exit', () => process.exit(0)); });
      setInterval(() => {}, 1000);
    `], { env: { ...process.env, PIPE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = jsonLines(launcher.stdout, launcher.stderr);
    const port = new URL(String((await out.waitFor((e) => e['type'] === 'listening'))['url'])).port;
    const launcherExited = new Promise((r) => launcher.on('exit', r));
    launcher.kill('SIGTERM');
    await launcherExited;
    const next = spawn('node', [PIPE_BIN, 'registry', 'serve', '--port', port, '--json'], { env: { ...process.env, PIPE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    const nextExited = new Promise<number | null>((r) => next.on('exit', (code) => r(code)));
    const nextOut = jsonLines(next.stdout, next.stderr);
    expect((await nextOut.waitFor((e) => e['type'] === 'listening'))['url']).toBe(`http://127.0.0.1:${port}`);
    expect((await out.waitFor((e) => e['type'] === 'stopping'))['cause']).toBe('parent exited');
    next.kill('SIGTERM');
    expect(await nextExited).toBe(0);
  });
});
