// Registry test support: zips built by python's zipfile (it writes hostile names as given), a fake Invoker that
// implements the real port, and a real server on an ephemeral port over a temp PIPE_HOME.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsService } from '../../src/core/index.js';
import { Registry, RegistryServer } from '../../src/registry/index.js';
import type { InvokeRequest, InvokeResult, Invoker, RegistryOptions } from '../../src/registry/index.js';
import { TooManyRequestsError } from '../../src/registry/invoke/errors.js';

export interface ZipEntry {
  name: string;
  content?: string;
  /** Makes the entry a symbolic link to this target. */
  symlink?: string;
}

const ZIP_SCRIPT = `
import io, json, sys, zipfile
entries = json.load(sys.stdin)
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
    for e in entries:
        info = zipfile.ZipInfo(e['name'])
        info.create_system = 3
        if e.get('symlink') is not None:
            info.external_attr = (0o120777 << 16)
            z.writestr(info, e['symlink'])
        else:
            info.external_attr = (0o100644 << 16)
            z.writestr(info, e.get('content', ''))
sys.stdout.buffer.write(buf.getvalue())
`;

export function makeZip(entries: ZipEntry[]): Buffer {
  return execFileSync('python3', ['-c', ZIP_SCRIPT], { input: JSON.stringify(entries) });
}

export function handlerZip(body = 'exports.handler = async (e) => e;'): Buffer {
  return makeZip([{ name: 'index.js', content: body }]);
}

/**
 * A scripted Invoker that keeps the real one's contract (test/registry-invoke/invoker-contract.test.ts runs the
 * same cases against both): echoes the payload; `{"fail":"message"}` answers a function error with the Node.js
 * runtime's body (`errorType`, `errorMessage`, `trace`) and `Unhandled`; Tail logs are START / END / REPORT;
 * invocations past the function's reserved concurrency (else 10) in flight are throttled with the same
 * TooManyRequestsError. An invocation stays in flight until the next turn of the event loop, as a real one
 * stays while its environment runs. Records every request and retirement.
 */
export class EchoInvoker implements Invoker {
  readonly requests: InvokeRequest[] = [];
  readonly retired: { functionArn: string; version: string | undefined }[] = [];
  private readonly inFlight = new Map<string, number>();

  async invoke(request: InvokeRequest): Promise<InvokeResult> {
    const { target } = request;
    const limit = target.reservedConcurrency ?? 10;
    const running = this.inFlight.get(target.functionArn) ?? 0;
    if (running >= limit) {
      const reason = target.reservedConcurrency !== undefined ? 'ReservedFunctionConcurrentInvocationLimitExceeded' : 'ConcurrentInvocationLimitExceeded';
      throw new TooManyRequestsError(target.functionArn, limit, reason);
    }
    this.inFlight.set(target.functionArn, running + 1);
    try {
      this.requests.push(request);
      await new Promise((resolve) => setImmediate(resolve));
      return this.run(request);
    } finally {
      this.inFlight.set(target.functionArn, (this.inFlight.get(target.functionArn) ?? 1) - 1);
    }
  }

  private run(request: InvokeRequest): InvokeResult {
    const requestId = request.requestId ?? randomUUID();
    const parsed = JSON.parse(request.payload.toString('utf8')) as { fail?: string };
    const result: InvokeResult = { statusCode: 200, payload: request.payload, executedVersion: request.target.version, requestId };
    if (parsed.fail !== undefined) {
      result.functionError = 'Unhandled';
      const trace = [`Error: ${parsed.fail}`, '    at EchoInvoker.run (test/registry/support.ts)'];
      result.payload = Buffer.from(JSON.stringify({ errorType: 'Error', errorMessage: parsed.fail, trace }));
    }
    if (request.logType === 'Tail') {
      const log =
        `START RequestId: ${requestId} Version: ${request.target.version}\nEND RequestId: ${requestId}\n` +
        `REPORT RequestId: ${requestId}\tDuration: 0.10 ms\tBilled Duration: 1 ms\tMemory Size: ${request.target.memorySize} MB\tMax Memory Used: 1 MB\t\n`;
      result.logResult = Buffer.from(log).toString('base64');
    }
    return result;
  }

  async retire(functionArn: string, version?: string): Promise<void> {
    this.retired.push({ functionArn, version });
  }

  async close(): Promise<void> {}
}

export interface TestRegistry {
  home: string;
  registry: Registry;
  server: RegistryServer;
  url: string;
  invoker: EchoInvoker;
  stop(): Promise<void>;
}

export async function startRegistry(options: Partial<RegistryOptions> = {}, services: readonly AwsService[] = []): Promise<TestRegistry> {
  const home = mkdtempSync(join(tmpdir(), 'pipe-registry-'));
  const invoker = new EchoInvoker();
  const registry = Registry.open({ invoker, home, eventRetryDelayMs: 10, ...options });
  const server = new RegistryServer({ registry, host: '127.0.0.1', port: 0, services });
  const url = await server.listen();
  return {
    home, registry, server, url, invoker,
    async stop() {
      await server.close();
      registry.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

/** Environment for AWS clients run as child processes: dummy credentials, a region, no config files. */
export function awsEnv(region = 'us-east-1'): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/tmp',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_DEFAULT_REGION: region,
    AWS_REGION: region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  };
}
