// A second Docker engine for a test: its own dockerd (no bridge, no iptables: containers use host networking, as
// on pipe's engine) on its own socket, data root and exec root under one temp folder, given a slimmed, flattened
// copy of pipe/standard:1 (export | filter | import); stopped and its folder removed (mounts first) afterwards.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import { describe, it } from 'vitest';
import { isSkipAllowed } from './probes.js';

const run = promisify(execFile);
const DOCKERD = '/usr/sbin/dockerd';

export interface SecondEngine {
  /** `unix:///tmp/.../docker.sock`, for DOCKER_HOST. */
  host: string;
  /** Runs the docker CLI against this engine. */
  docker(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'a second dockerd needs root';
  if (!existsSync(DOCKERD)) return `${DOCKERD} is missing (Debian's docker.io package)`;
  return undefined;
}

/** `describe` for tests that start a second engine: fails when it cannot be had, unless PIPE_SKIP_MISSING=1. */
export function describeSecondEngine(name: string, body: () => void): void {
  const why = missing();
  if (!why) {
    describe(name, body);
    return;
  }
  if (isSkipAllowed()) {
    describe(name, { skip: true, meta: { skippedFor: why } }, body);
    return;
  }
  describe(name, () => {
    it('needs a second dockerd', { meta: { failedFor: why } }, () => {
      throw new Error(`${why}\n(PIPE_SKIP_MISSING=1 skips the tests that need it instead)`);
    });
  });
}

/** Parts of pipe/standard:1 no build or Node function needs: half the image, so half the copy. */
const SLIM_DROPS = ['usr/share/locale/', 'usr/share/perl/', 'usr/share/doc/', 'usr/share/man/', 'usr/lib/x86_64-linux-gnu/perl', 'usr/lib/git-core/', 'usr/lib/python3', 'var/lib/apt/', 'var/cache/'];

/**
 * Copies `image` of the default engine into the engine at `host` as `as`, flattened and without SLIM_DROPS:
 * `docker export` of a created (never started) container, filtered, into `docker import` with the image's ENV.
 */
async function copySlimImage(image: string, as: string, host: string): Promise<void> {
  const env = JSON.parse((await run('docker', ['image', 'inspect', '--format', '{{json .Config.Env}}', image])).stdout) as string[];
  const id = (await run('docker', ['create', '--label', 'dev.pipe.test=second-engine', image, 'true'])).stdout.trim();
  try {
    await new Promise<void>((resolve, reject) => {
      const exp = spawn('docker', ['export', id], { stdio: ['ignore', 'pipe', 'inherit'] });
      const imp = spawn('docker', ['-H', host, 'import', ...env.flatMap((e) => ['--change', `ENV ${e}`]), '-', as], { stdio: ['pipe', 'ignore', 'inherit'] });
      const extract = tarExtract();
      const pack = tarPack();
      extract.on('entry', (header, stream, next) => {
        if (SLIM_DROPS.some((d) => header.name.startsWith(d))) {
          stream.on('end', next);
          stream.resume();
          return;
        }
        stream.pipe(pack.entry(header, next));
      });
      extract.on('finish', () => pack.finalize());
      extract.on('error', reject);
      exp.stdout.pipe(extract);
      pack.pipe(imp.stdin);
      imp.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker import of ${image} into the second engine exited ${code}`))));
    });
  } finally {
    await run('docker', ['rm', '-f', id]);
  }
}

/** Starts the engine and gives it each image (`{ default-engine image: name there }`). */
export async function startSecondEngine(images: Record<string, string>): Promise<SecondEngine> {
  // Short: a unix socket path has at most 107 bytes.
  const root = mkdtempSync('/tmp/pipe-dd-');
  const socket = join(root, 'docker.sock');
  const host = `unix://${socket}`;
  const daemon: ChildProcess = spawn(DOCKERD, [
    '--bridge=none', '--iptables=false', '--ip6tables=false',
    '--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'),
    '--host', host, '--pidfile', join(root, 'docker.pid'),
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  daemon.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => daemon.on('exit', () => resolve()));
  const docker = async (...args: string[]) => (await run('docker', ['-H', host, ...args], { maxBuffer: 16 * 1024 * 1024 })).stdout;
  const stop = async () => {
    daemon.kill('SIGTERM');
    await exited;
    // dockerd leaves its network namespace (and any overlay a crash left) mounted under the exec root.
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(root));
    for (const m of mounts.reverse()) await run('umount', ['-l', m]).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (await docker('version', '--format', '{{.Server.Version}}').then(() => true, () => false)) break;
      if (daemon.exitCode !== null || Date.now() > deadline) throw new Error(`the second dockerd did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const [image, as] of Object.entries(images)) await copySlimImage(image, as, host);
  } catch (e) {
    await stop();
    throw e;
  }
  return { host, docker, stop };
}
