// Pure parts of the invoke side: the environment state machine, the log collector, environment variables,
// error bodies and the Tail encoding. No Docker.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../src/core/index.js';
import { transitionEnvironment } from '../../src/core/index.js';
import { LogCollector } from '../../src/registry/invoke/log-collector.js';
import { buildEnvironmentVariables, describeRuntime } from '../../src/registry/invoke/runtime-config.js';
import { describeExit, timeoutErrorBody } from '../../src/registry/invoke/errors.js';
import { tail } from '../../src/registry/invoke/docker-invoker.js';
import { isProcessAlive } from '../../src/infra/index.js';
import { InvalidRuntimeError } from '../../src/registry/invoke/index.js';
import { makeTarget } from './support.js';

describe('environment state machine', () => {
  it('allows the life of an environment and refuses anything else', () => {
    expect(transitionEnvironment('starting', 'ready')).toBe('ready');
    expect(transitionEnvironment('ready', 'busy')).toBe('busy');
    expect(transitionEnvironment('busy', 'ready')).toBe('ready');
    expect(transitionEnvironment('busy', 'stopping')).toBe('stopping');
    expect(transitionEnvironment('stopping', 'stopped')).toBe('stopped');
    expect(() => transitionEnvironment('starting', 'busy')).toThrow(IllegalTransitionError);
    expect(() => transitionEnvironment('stopped', 'ready')).toThrow('illegal execution environment status transition stopped -> ready');
    expect(() => transitionEnvironment('ready', 'ready')).toThrow(IllegalTransitionError);
  });
});

describe('log collector', () => {
  it('splits output at the markers, across chunk boundaries, with the preamble kept apart', async () => {
    const logs = new LogCollector();
    const stream = 'init out\n\0pipe:start:r1\nhello\n\0pipe:end:r1:1048576\nstray\n\0pipe:start:r2\nbye\n\0pipe:end:r2:2097152\n';
    for (let i = 0; i < stream.length; i += 7) logs.push(Buffer.from(stream.slice(i, i + 7)));
    expect(await logs.take('r1', 10)).toEqual({ preamble: 'init out\n', text: 'hello\n', maxMemoryBytes: 1048576, complete: true });
    expect(await logs.take('r2', 10)).toEqual({ preamble: 'stray\n', text: 'bye\n', maxMemoryBytes: 2097152, complete: true });
  });

  it('waits for a marker still to come, and gives what there is when the wait runs out', async () => {
    const logs = new LogCollector();
    const waiting = logs.take('r1', 1000);
    logs.push(Buffer.from('\0pipe:start:r1\npart'));
    logs.push(Buffer.from('ial\n\0pipe:end:r1:5\n'));
    expect((await waiting).text).toBe('partial\n');
    logs.push(Buffer.from('\0pipe:start:r2\nno end'));
    expect(await logs.take('r2', 20)).toEqual({ preamble: '', text: 'no end', complete: false });
  });

  it('keeps a multi-byte character split between chunks whole', async () => {
    const logs = new LogCollector();
    const bytes = Buffer.from('\0pipe:start:r\né\n\0pipe:end:r:1\n');
    const cut = bytes.indexOf(0xc3) + 1;
    logs.push(bytes.subarray(0, cut));
    logs.push(bytes.subarray(cut));
    expect((await logs.take('r', 10)).text).toBe('é\n');
  });
});

describe('runtime configuration', () => {
  it('knows the Node.js, Python and OS-only runtimes and refuses others', () => {
    expect(describeRuntime('nodejs20.x')).toMatchObject({ family: 'nodejs', version: '20' });
    expect(describeRuntime('python3.9')).toMatchObject({ family: 'python', version: '3.9' });
    expect(describeRuntime('provided.al2023')).toMatchObject({ family: 'provided', version: 'al2023' });
    expect(describeRuntime('provided.al2')).toMatchObject({ family: 'provided', version: 'al2' });
    expect(() => describeRuntime('java21')).toThrow(InvalidRuntimeError);
    expect(() => describeRuntime('java21')).toThrow('The runtime parameter of java21 is not supported by the registry');
  });

  it('lets functions override unreserved defaults but never the reserved variables', () => {
    const target = makeTarget({ codeZipPath: '/nowhere.zip', environment: { LANG: 'C', NODE_PATH: '/mine', TZ: 'Asia/Tokyo', AWS_REGION: 'nope' } });
    const env = buildEnvironmentVariables(target, describeRuntime('nodejs20.x'), {
      runtimeApi: '127.0.0.1:1',
      credentials: { accessKeyId: 'a', secretAccessKey: 's', sessionToken: 't' },
      endpointUrl: 'http://127.0.0.1:9001',
    });
    expect(env['LANG']).toBe('C');
    expect(env['NODE_PATH']).toBe('/mine');
    expect(env['TZ']).toBe('Asia/Tokyo'); // accepted by the API, so honoured, not silently replaced by :UTC
    expect(env['AWS_REGION']).toBe('us-east-1');
    expect(env['AWS_ENDPOINT_URL']).toBe('http://127.0.0.1:9001');
    expect(env['AWS_LAMBDA_RUNTIME_API']).toBe('127.0.0.1:1');
  });
});

describe('function error bodies and logs', () => {
  it('words timeouts and exits as Lambda does', () => {
    expect(timeoutErrorBody('id', 3)).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: id Error: Task timed out after 3.00 seconds' });
    expect(describeExit(1)).toBe('exit status 1');
    expect(describeExit(137)).toBe('signal: killed');
  });

  it('cuts the Tail log to its last 4096 bytes before encoding', () => {
    expect(Buffer.from(tail('a'.repeat(5000) + 'END'), 'base64').toString()).toBe('a'.repeat(4093) + 'END');
    expect(Buffer.from(tail('short'), 'base64').toString()).toBe('short');
  });
});

describe('owner process liveness (leftover environments)', () => {
  it('counts a killed but unreaped (zombie) owner as gone, a running one as alive', async () => {
    // `sh` starts a short child, then becomes `sleep`, which never reaps it: the child stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString()))));
      const state = (): string => {
        const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      };
      await expect.poll(state, { timeout: 10_000 }).toBe('Z');
      expect(isProcessAlive(pid)).toBe(false);
      expect(isProcessAlive(parent.pid ?? 0)).toBe(true);
      expect(isProcessAlive(process.pid)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
