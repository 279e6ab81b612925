// `pipe deploy` killed with SIGKILL in the middle of a create and of an update: the next pipe command (`pipe
// functions`, `pipe invoke`, a stack command) finds the stack rolled back, the registry holding exactly what the
// stack says, and a second deploy works.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PIPE_BIN, makePipeEnv, pipe } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';

const FUNCTIONS = 8;

function template(): string {
  const fns = Array.from({ length: FUNCTIONS }, (_, i) => `  Fn${i}:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: index.handler, Runtime: nodejs20.x, AutoPublishAlias: live, Layers: [!Ref Shared] }
`).join('');
  return `Transform: AWS::Serverless-2016-10-31
Resources:
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties: { ContentUri: layer/ }
${fns}`;
}

/** Runs `pipe deploy` and SIGKILLs it once its output has shown `line` `times` times. */
function deployKilledAfter(env: PipeEnv, file: string, line: RegExp, times: number): Promise<{ signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('node', [PIPE_BIN, 'deploy', file, '--stack-name', 'app'], { env: { ...process.env, ...env.env } });
    let out = '';
    let seen = 0;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      seen = out.split('\n').filter((l) => line.test(l)).length;
      if (seen >= times) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => resolve({ signal, out }));
  });
}

async function json<T>(env: PipeEnv, ...args: string[]): Promise<T> {
  const r = await pipe([...args, '--json'], env);
  return JSON.parse(r.stdout) as T;
}

it('a killed create ends ROLLBACK_COMPLETE with nothing left; a killed update is rolled back; deploys work after', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-stack-kill-'));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'layer'));
  writeFileSync(join(dir, 'src', 'index.js'), 'exports.handler = async () => 1;\n');
  writeFileSync(join(dir, 'layer', 'util.js'), 'module.exports = 1;\n');
  const file = join(dir, 'template.yaml');
  writeFileSync(file, template());
  const env = makePipeEnv();

  const killed = await deployKilledAfter(env, file, /^ {2}Fn\d+ {2}CREATE_COMPLETE$/, 2);
  expect(killed.signal).toBe('SIGKILL');
  // Any stack or registry command first finishes what the dead process left: `pipe functions` sees none.
  expect(await json(env, 'functions')).toEqual([]);
  const stacks = await json<{ StackName: string; StackStatus: string }[]>(env, 'stack', 'list');
  expect(stacks.map((s) => `${s.StackName} ${s.StackStatus}`)).toEqual(['app ROLLBACK_COMPLETE']);
  expect(await json(env, 'layers')).toEqual([]);
  expect((await pipe(['stack', 'delete', 'app'], env)).exitCode).toBe(0);
  const created = await pipe(['deploy', file, '--stack-name', 'app', '--json'], env);
  expect(created.exitCode).toBe(0);
  expect((JSON.parse(created.stdout) as { StackStatus: string }).StackStatus).toBe('CREATE_COMPLETE');

  const fn0 = (await json<{ FunctionName: string }[]>(env, 'functions')).map((f) => f.FunctionName).find((n) => n.startsWith('app-Fn0-'));
  writeFileSync(join(dir, 'src', 'index.js'), 'exports.handler = async () => 2;\n');
  const killedUpdate = await deployKilledAfter(env, file, /^ {2}Fn\d+ {2}UPDATE_COMPLETE$/, 2);
  expect(killedUpdate.signal).toBe('SIGKILL');
  // `pipe invoke` rolls the update back before it invokes: the first code answers through the alias.
  const invoked = await pipe(['invoke', `${fn0 ?? 'app-Fn0'}:live`], env);
  expect(invoked.stdout.trim(), invoked.stderr).toBe('1');
  const described = await json<{ StackStatus: string; Resources: { LogicalResourceId: string; PhysicalResourceId: string }[] }>(env, 'stack', 'describe', 'app');
  expect(described.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
  const functions = await json<{ FunctionName: string; CodeSha256: string }[]>(env, 'functions');
  expect(functions).toHaveLength(FUNCTIONS);
  // Every function has its first code back: one CodeSha256 for all.
  expect(new Set(functions.map((f) => f.CodeSha256)).size).toBe(1);
  const again = await pipe(['deploy', file, '--stack-name', 'app', '--json'], env);
  expect(again.exitCode).toBe(0);
  expect((JSON.parse(again.stdout) as { StackStatus: string }).StackStatus).toBe('UPDATE_COMPLETE');
}, 120_000);
