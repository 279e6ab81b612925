// The live view of `pipe run` in a real terminal (tmux), at several widths, with colour and with NO_COLOR: every
// stage and action is on screen from the start with its state; no row wraps or leaves a fragment, Ctrl-C
// included; a failure's reason is printed once; the run ends with one status line.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PIPE_BIN, makePipeEnv } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { makeRepo } from '../support/git-fixture.js';
import { hasTmux, openTerminal } from '../support/tmux.js';
import type { Terminal } from '../support/tmux.js';

/** A loopback gate the builds wait at (containers share the host's network): closed until `open()`. */
let gate: Server;
let gatePort = 0;
let gateOpen = false;
beforeAll(async () => {
  gate = createServer((_req, res) => {
    res.statusCode = gateOpen ? 200 : 503;
    res.end();
  });
  await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
  gatePort = (gate.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => gate.close(() => r())));

const WAIT_AT_GATE = () =>
  `node -e "(async()=>{for(;;){try{if((await fetch('http://127.0.0.1:${gatePort}/')).status===200)return}catch{}await new Promise(r=>setTimeout(r,100))}})()"`;

function pipelineRepo(buildCommands: string[]): string {
  const buildspec = `version: 0.2\nphases:\n  build:\n    commands:\n${buildCommands.map((c) => `      - ${JSON.stringify(c)}\n`).join('')}`;
  const pipeline = `name: view
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration: { repository: .. }
        outputArtifacts: [Src]
  - name: Build
    actions:
      - name: UnitTests
        type: Build/CodeBuild
        runOrder: 1
        configuration: { buildspec: buildspec.yml }
        inputArtifacts: [Src]
      - name: Package
        type: Build/CodeBuild
        runOrder: 2
        configuration: { buildspec: buildspec.yml }
        inputArtifacts: [Src]
  - name: Release
    actions:
      - name: Publish
        type: Build/CodeBuild
        configuration: { buildspec: buildspec.yml }
        inputArtifacts: [Src]
`;
  return makeRepo({ 'buildspec.yml': buildspec, 'pipelines/p.yml': pipeline });
}

/** The rows of the last block drawn: from the last `Source` row to the execution's status line. */
function lastBlock(screen: string): string[] {
  const lines = screen.split('\n');
  const start = lines.map((l) => l.startsWith('Source ')).lastIndexOf(true);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('Execution '));
  return lines.slice(start, end);
}

const terminals: Terminal[] = [];
function run(repo: string, width: number, env: Record<string, string>): Terminal {
  const p = makePipeEnv();
  const t = openTerminal(`cd '${repo}' && node '${PIPE_BIN}' run pipelines/p.yml`, { width, height: 40, env: { PIPE_HOME: p.home, PIPE_ARTIFACTS: p.artifacts, TERM: 'xterm-256color', ...env } });
  terminals.push(t);
  return t;
}
afterAll(() => {
  for (const t of terminals) t.close();
});

const ANSI_COLOUR = /\x1b\[(3\d|9\d)m/;

describeDocker('the live view in a terminal', () => {
  it('needs tmux (bash scripts/setup.sh --test installs it)', () => {
    expect(hasTmux()).toBe(true);
  });

  for (const [width, colour] of [[60, true], [100, false]] as const) {
    it(`shows every stage and action from the start, at ${width} columns ${colour ? 'in colour' : 'with NO_COLOR'}`, async () => {
      gateOpen = false;
      const repo = pipelineRepo(['echo started', WAIT_AT_GATE(), 'echo done']);
      const t = run(repo, width, colour ? {} : { NO_COLOR: '1' });
      // While the first build waits at the gate, the actions after it are on screen, not started.
      await t.waitFor(/\[Build\.UnitTests\] started/);
      const during = lastBlockWhileRunning(await t.waitFor(/^ {2}UnitTests +InProgress .*BUILD$/m));
      expect(during).toEqual([
        expect.stringMatching(/^Source +Succeeded$/),
        expect.stringMatching(/^ {2}Checkout +Succeeded \d/),
        expect.stringMatching(/^Build +InProgress$/),
        expect.stringMatching(/^ {2}UnitTests +InProgress \S+ BUILD$/),
        expect.stringMatching(/^ {2}Package +not started$/),
        expect.stringMatching(/^Release +not started$/),
        expect.stringMatching(/^ {2}Publish +not started$/),
      ]);
      gateOpen = true;
      const end = await t.waitFor(/^\[exit \d+\]$/m);
      expect(end).toMatch(/^\[exit 0\]$/m);
      expect(lastBlock(end)).toEqual([
        expect.stringMatching(/^Source +Succeeded$/),
        expect.stringMatching(/^ {2}Checkout +Succeeded \S+$/),
        expect.stringMatching(/^Build +Succeeded$/),
        expect.stringMatching(/^ {2}UnitTests +Succeeded \S+$/),
        expect.stringMatching(/^ {2}Package +Succeeded \S+$/),
        expect.stringMatching(/^Release +Succeeded$/),
        expect.stringMatching(/^ {2}Publish +Succeeded \S+$/),
      ]);
      expect(end.match(/^Execution \S+: Succeeded$/gm)).toHaveLength(1);
      // No row of the view is wider than the terminal (wrapped rows would be joined into longer lines here).
      for (const row of lastBlock(end)) expect(row.length).toBeLessThanOrEqual(width);
      expect(ANSI_COLOUR.test(t.screen({ escapes: true }))).toBe(colour);
    });
  }

  it('after Ctrl-C shows the stopped pipeline whole, with no fragment of an earlier row, and removes the build container', async () => {
    gateOpen = false;
    const repo = pipelineRepo(['echo started', WAIT_AT_GATE()]);
    const t = run(repo, 50, {});
    await t.waitFor(/\[Build\.UnitTests\] started/);
    t.keys('C-c');
    const end = await t.waitFor(/^\[exit \d+\]$/m);
    expect(end).toMatch(/^\[exit 1\]$/m);
    expect(lastBlock(end)).toEqual([
      expect.stringMatching(/^Source +Succeeded$/),
      expect.stringMatching(/^ {2}Checkout +Succeeded \S+$/),
      expect.stringMatching(/^Build +Stopped$/),
      expect.stringMatching(/^ {2}UnitTests +Abandoned \S+$/),
      expect.stringMatching(/^ {2}Package +not started$/),
      expect.stringMatching(/^Release +not started$/),
      expect.stringMatching(/^ {2}Publish +not started$/),
    ]);
    expect(end).not.toMatch(/\S(Source|Build|Release) /);
    expect(end.match(/^Execution \S+: Stopped \(stopped by SIGINT\)$/gm)).toHaveLength(1);
    const id = /^Details: pipe execution (\S+)$/m.exec(end)?.[1] ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(execFileSync('docker', ['ps', '-aq', '--filter', `label=dev.pipe.execution-id=${id}`], { encoding: 'utf8' }).trim()).toBe('');
  });

  it('prints a failed action\'s reason once, and the execution\'s status line without repeating it', async () => {
    const repo = pipelineRepo(['echo about to fail', 'exit 3']);
    const t = run(repo, 80, { NO_COLOR: '1' });
    const end = await t.waitFor(/^\[exit \d+\]$/m);
    expect(end).toMatch(/^\[exit 1\]$/m);
    const reasons = end.split('\n').filter((l) => l.includes('Build.UnitTests'));
    expect(reasons.filter((l) => l.startsWith('Build.UnitTests failed: '))).toHaveLength(1);
    expect(end).not.toMatch(/Build\.UnitTests: Build\.UnitTests/);
    expect(end.match(/^Execution \S+: Failed$/gm)).toHaveLength(1);
    expect(lastBlock(end).slice(2, 5)).toEqual([
      expect.stringMatching(/^Build +Failed$/),
      expect.stringMatching(/^ {2}UnitTests +Failed \S+$/),
      expect.stringMatching(/^ {2}Package +not started$/),
    ]);
  });
});

/** The block at the bottom of a screen while the run goes on: its last seven rows. */
function lastBlockWhileRunning(screen: string): string[] {
  const lines = screen.replace(/\n+$/, '').split('\n');
  const start = lines.map((l) => l.startsWith('Source ')).lastIndexOf(true);
  return lines.slice(start, start + 7);
}
