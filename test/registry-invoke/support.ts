// Helpers for the invoke side's Docker tests: zips built with the zip CLI, InvokeTargets made by hand, and the
// containers an invoker left, found by label.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DockerEngine } from '../../src/infra/docker.js';
import type { InvokeRequest, InvokeTarget } from '../../src/registry/invoke-port.js';
import { ENVIRONMENT_LABELS } from '../../src/registry/invoke/index.js';

const workDir = mkdtempSync(join(tmpdir(), 'pipe-invoke-test-'));

export function removeWorkDir(): void {
  rmSync(workDir, { recursive: true, force: true });
}

/** Writes the files into a fresh folder and zips them (`zip -r -X`); returns the zip's path. */
export function makeZip(files: Record<string, string>): string {
  const dir = join(workDir, randomUUID());
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const zipPath = `${dir}.zip`;
  execFileSync('zip', ['-q', '-r', '-X', zipPath, '.'], { cwd: dir });
  return zipPath;
}

export function makeTarget(overrides: Partial<InvokeTarget> & Pick<InvokeTarget, 'codeZipPath'>): InvokeTarget {
  const functionName = overrides.functionName ?? `fn-${randomUUID().slice(0, 8)}`;
  const functionArn = `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`;
  return {
    functionName,
    functionArn,
    invokedFunctionArn: functionArn,
    version: '$LATEST',
    revisionId: randomUUID(),
    runtime: 'nodejs18.x',
    handler: 'index.handler',
    memorySize: 128,
    timeout: 3,
    environment: {},
    region: 'us-east-1',
    layerZipPaths: [],
    ...overrides,
  };
}

export function request(target: InvokeTarget, payload: unknown = {}, extra: Partial<InvokeRequest> = {}): InvokeRequest {
  return { target, payload: Buffer.from(JSON.stringify(payload)), logType: 'None', ...extra };
}

export function json(buf: Buffer): unknown {
  return JSON.parse(buf.toString('utf8'));
}

export const engine = new DockerEngine();

/** Containers carrying this invoker's label, whatever their state. */
export function containersOf(invokerId: string): Promise<string[]> {
  return engine.listContainers({ [ENVIRONMENT_LABELS.invokerId]: invokerId });
}

/** This invoker's containers that Docker reports running (started, not yet stopped). */
export async function runningContainersOf(invokerId: string): Promise<string[]> {
  const list = await engine.api.listContainers({ filters: { label: [`${ENVIRONMENT_LABELS.invokerId}=${invokerId}`], status: ['running'] } });
  return list.map((c) => c.Id);
}

export function decodeTail(logResult: string | undefined): string {
  return Buffer.from(logResult ?? '', 'base64').toString('utf8');
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
