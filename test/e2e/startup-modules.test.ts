// What the bundle evaluates at start: a command loads only its own module and the rooms behind it. Read from V8's
// coverage of dist/pipe.cjs: esbuild names each lazily-initialised module's init after its file, and a module whose
// init never ran was never evaluated.
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PIPE_BIN, makePipeEnv } from '../support/cli.js';

interface Coverage {
  result: { url: string; functions: { functionName: string; ranges: { count: number }[] }[] }[];
}

/** The modules (source files and packages) whose top-level code ran in `pipe ARGS`. */
async function evaluatedModules(args: string[]): Promise<{ exitCode: number; modules: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-cov-'));
  try {
    const p = makePipeEnv();
    const r = await execa('node', [PIPE_BIN, ...args], { env: { ...p.env, NODE_V8_COVERAGE: dir }, reject: false });
    const modules = new Set<string>();
    for (const f of readdirSync(dir)) {
      const cov = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Coverage;
      for (const script of cov.result.filter((s) => s.url.endsWith('pipe.cjs'))) {
        for (const fn of script.functions) {
          const name = fn.functionName;
          if (!/^src\/.+\.ts$/.test(name) && !/node_modules\/.+\.c?js$/.test(name)) continue;
          if ((fn.ranges[0]?.count ?? 0) > 0) modules.add(name.startsWith('src/') ? name : `npm:${name.replace(/.*node_modules\//, '').split('/')[0]}`);
        }
      }
    }
    return { exitCode: r.exitCode ?? -1, modules: [...modules].sort() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('start-up', () => {
  it('pipe --version evaluates the CLI shell and core only: no command, no adapter', async () => {
    const { exitCode, modules } = await evaluatedModules(['--version']);
    expect(exitCode).toBe(0);
    expect(modules).toContain('src/core/index.ts');
    expect(modules.filter((m) => !m.startsWith('src/core/'))).toEqual(['npm:commander', 'src/cli/exit-codes.ts', 'src/cli/stop-signals.ts']);
  });

  it('pipe --help registers every command but evaluates no server or dashboard: they load when a server starts', async () => {
    const { exitCode, modules } = await evaluatedModules(['--help']);
    expect(exitCode).toBe(0);
    expect(modules).toContain('src/cli/commands/serve.ts');
    expect(modules.filter((m) => /^src\/server\/|^npm:(@hono|hono)$/.test(m))).toEqual([]);
  });

  it('pipe validate evaluates no server, dashboard or gateway', async () => {
    const { exitCode, modules } = await evaluatedModules(['validate', join(import.meta.dirname, '..', '..', 'pipelines', 'deploy.yml')]);
    expect(exitCode).toBe(0);
    expect(modules).toContain('src/cli/commands/pipeline.ts');
    expect(modules.filter((m) => /^src\/(server|gateway)\/|^npm:(@hono|hono)$|^src\/cli\/commands\/(serve|gateway|stack)\.ts$/.test(m))).toEqual([]);
  });
});
