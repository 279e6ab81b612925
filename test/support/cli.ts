// Runs the real `pipe` binary (bin/pipe.js, compiled by `npm run build`) in a child process.
import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const PIPE_BIN = join(REPO_ROOT, 'bin', 'pipe.js');

export interface PipeEnv {
  home: string;
  artifacts: string;
  env: Record<string, string>;
}

export function makePipeEnv(): PipeEnv {
  const root = mkdtempSync(join(tmpdir(), 'pipe-cli-'));
  const home = join(root, 'home');
  const artifacts = join(root, 'artifacts');
  return { home, artifacts, env: { PIPE_HOME: home, PIPE_ARTIFACTS: artifacts, NO_COLOR: '1' } };
}

export async function pipe(args: string[], p: PipeEnv, extraEnv: Record<string, string> = {}) {
  const r = await execa('node', [PIPE_BIN, ...args], { env: { ...p.env, ...extraEnv }, reject: false, all: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
