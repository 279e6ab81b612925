// Deploy test support: a PIPE_HOME with the in-process registry and its ephemeral endpoint (real Docker invoker),
// node functions written in a line, and the hook functions that report to the CodeDeploy API by plain fetch.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDeployRegistry } from '../../src/app/index.js';
import type { DeployRegistry } from '../../src/app/index.js';

export const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

export function nodeZip(code: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-deploy-zip-'));
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.js'), code);
    execFileSync('zip', ['-q', '-X', 'code.zip', 'index.js'], { cwd: dir });
    return readFileSync(join(dir, 'code.zip'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A hook that reports `status` (or nothing, for 'none') through PutLifecycleEventHookExecutionStatus. */
export function hookCode(status: 'Succeeded' | 'Failed' | 'none' | 'throw'): string {
  if (status === 'throw') return 'exports.handler = async () => { throw new Error("hook broke"); };';
  if (status === 'none') return 'exports.handler = async () => "no report";';
  return `exports.handler = async (e) => {
  const r = await fetch(process.env.AWS_ENDPOINT_URL, { method: 'POST', headers: {
    'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus' },
    body: JSON.stringify({ deploymentId: e.DeploymentId, lifecycleEventHookExecutionId: e.LifecycleEventHookExecutionId, status: '${status}' }) });
  if (r.status !== 200) throw new Error('report refused: ' + r.status + ' ' + await r.text());
  return 'reported';
};`;
}

export interface DeployHome {
  home: string;
  r: DeployRegistry;
  close(): Promise<void>;
}

export async function openDeployHome(): Promise<DeployHome> {
  const home = mkdtempSync(join(tmpdir(), 'pipe-deploy-'));
  const r = await openDeployRegistry(home);
  return {
    home, r,
    async close() {
      await r.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A function with versions 1.. (one per code), and alias `live` on version 1. */
export async function functionWithVersions(r: DeployRegistry, name: string, codes: string[]): Promise<void> {
  const [first, ...rest] = codes;
  await r.registry.createFunction({ FunctionName: name, Role: ROLE, Runtime: 'nodejs18.x', Handler: 'index.handler', Code: { ZipFile: nodeZip(first ?? '') }, Timeout: 5 });
  await r.registry.waitUntilReady({ FunctionName: name });
  await r.registry.publishVersion({ FunctionName: name });
  for (const code of rest) {
    await r.registry.updateFunctionCode({ FunctionName: name, ZipFile: nodeZip(code) });
    await r.registry.waitUntilReady({ FunctionName: name });
    await r.registry.publishVersion({ FunctionName: name });
  }
  await r.registry.createAlias({ FunctionName: name, Name: 'live', FunctionVersion: '1' });
}

export async function hookFunction(r: DeployRegistry, name: string, status: Parameters<typeof hookCode>[0]): Promise<void> {
  await r.registry.createFunction({ FunctionName: name, Role: ROLE, Runtime: 'nodejs18.x', Handler: 'index.handler', Code: { ZipFile: nodeZip(hookCode(status)) }, Timeout: 5 });
  await r.registry.waitUntilReady({ FunctionName: name });
}
