// The Invoker the control plane calls: runs each invocation in a warm or new Docker execution environment and
// turns what happened into an InvokeResult (function errors as 200 + Unhandled, logs as base64 Tail).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LABELS } from '../../core/index.js';
import { DockerEngine } from '../../infra/index.js';
import { projectRoot } from '../../infra/index.js';
import type { InvokeRequest, InvokeResult, InvokeTarget, Invoker } from '../invoke-port.js';
import { CodeArchiveCache, readBootstraps } from './code-archive.js';
import { Environment } from './environment.js';
import type { Credentials } from './runtime-config.js';
import { describeRuntime, runtimeSupportIn } from './runtime-config.js';
import { WarmPool } from './warm-pool.js';

/** The value of the `dev.pipe.role` label on every execution environment container. */
export const ENVIRONMENT_ROLE = 'registry-environment';
/** Labels of an execution environment container, beside LABELS.managed/ownerPid/role. */
export const ENVIRONMENT_LABELS = {
  invokerId: 'dev.pipe.invoker-id',
  functionArn: 'dev.pipe.function-arn',
  functionVersion: 'dev.pipe.function-version',
} as const;

export { DEFAULT_IMAGE } from '../../core/index.js';
import { DEFAULT_IMAGE, STANDARD_IMAGE } from '../../core/index.js';

/** Runtimes whose Node.js pipe/standard:1 lacks and pipe/standard:7.0 has. */
const STANDARD_RUNTIMES: readonly string[] = ['nodejs20.x', 'nodejs22.x'];
import type { EnvironmentState } from '../../core/index.js';
import { isProcessAlive } from '../../infra/index.js';
/** Lambda's Tail: the last 4 KB of the invocation's log. */
const TAIL_BYTES = 4096;

export interface DockerInvokerOptions {
  engine?: DockerEngine;
  /** Image per runtime name (`nodejs18.x`, `python3.12`, ...); unlisted runtimes use `defaultImage`. */
  images?: Record<string, string>;
  defaultImage?: string;
  /** Concurrent invocations per function without reserved concurrency (default 10). */
  defaultConcurrency?: number;
  /** Idle environments are stopped after this long (default 10 minutes, as LocalStack). */
  idleTimeoutMs?: number;
  /** Environments alive at once across all functions (default 64); the least recently used idle one makes room. */
  maxEnvironments?: number;
  /** Container user (default `993:990`, an unprivileged uid like Lambda's sandbox user). */
  user?: string;
  /** Credentials the function sees (default `test`/`test`/`test`). */
  credentials?: Credentials;
  /** Given to functions as AWS_ENDPOINT_URL, e.g. the registry's own HTTP API (a function: read when an environment starts). */
  endpointUrl?: string | (() => string | undefined);
  /** Remove environment containers whose owning process is gone (default true). */
  removeLeftovers?: boolean;
  /** Upper bound of the on-disk cache of code archives (default 512 MiB). */
  archiveCacheBytes?: number;
  /** Where the bootstraps live (default: the repository's runtimes/ folder). */
  runtimesDir?: URL;
  /** Told when an execution environment has started (its first /next came) and when it has stopped. */
  onEnvironment?: (event: EnvironmentEvent) => void;
}

export interface EnvironmentEvent {
  type: 'environment-started' | 'environment-stopped';
  functionArn: string;
  version: string;
  runtime: string;
  containerId?: string;
  /** For a start: how long the cold start took (container, code, runtime init). */
  durationMs?: number;
}

/** The Invoker, with what tests and the bench need to look inside. */
export interface DockerInvoker extends Invoker {
  /** The value of the dev.pipe.invoker-id label on this invoker's containers. */
  readonly invokerId: string;
  /** Container ids of live environments, optionally of one function. */
  environmentContainers(functionArn?: string): string[];
}

/** Removes environment containers of this engine's PIPE_HOME left by registry processes that are no longer running. */
export async function removeLeftoverEnvironments(engine: DockerEngine): Promise<number> {
  const containers = await engine.listContainerLabels({ [LABELS.role]: ENVIRONMENT_ROLE, [LABELS.home]: engine.home });
  const stale = containers.filter((labels) => {
    const pid = Number(labels[LABELS.ownerPid]);
    return !Number.isInteger(pid) || pid <= 0 || (pid !== process.pid && !isProcessAlive(pid));
  });
  await Promise.all(stale.map((labels) => engine.removeContainer(labels['id'] ?? '')));
  return stale.length;
}

export async function createDockerInvoker(options: DockerInvokerOptions = {}): Promise<DockerInvoker> {
  const engine = options.engine ?? new DockerEngine();
  const invokerId = randomUUID();
  // Found from pipe's package root, so it works from src/, from dist/ and from the dist/pipe.cjs bundle alike.
  const bootstraps = await readBootstraps(options.runtimesDir ?? pathToFileURL(`${join(projectRoot(), 'runtimes')}/`));
  const archives = new CodeArchiveCache(bootstraps, options.archiveCacheBytes ?? 512 * 1024 * 1024);
  const credentials = options.credentials ?? { accessKeyId: 'test', secretAccessKey: 'test', sessionToken: 'test' };
  const user = options.user ?? '993:990';
  if (options.removeLeftovers ?? true) await removeLeftoverEnvironments(engine);

  // nodejs20.x and nodejs22.x run on their own Node.js in pipe/standard:7.0 when it is built (pipe/standard:1 has
  // Node.js 18 only); everything else stays on the small image, which starts faster.
  const standard = options.defaultImage === undefined && (await engine.hasImage(STANDARD_IMAGE).catch(() => false));
  const imageFor = (runtime: string): string =>
    options.images?.[runtime] ?? options.defaultImage ?? (standard && STANDARD_RUNTIMES.includes(runtime) ? STANDARD_IMAGE : DEFAULT_IMAGE);
  const createEnvironment = (target: InvokeTarget): Environment => {
    const runtime = describeRuntime(target.runtime);
    const endpointUrl = typeof options.endpointUrl === 'function' ? options.endpointUrl() : options.endpointUrl;
    return new Environment(target, {
      engine,
      image: imageFor(target.runtime),
      labels: {
        [LABELS.role]: ENVIRONMENT_ROLE,
        [ENVIRONMENT_LABELS.invokerId]: invokerId,
        [ENVIRONMENT_LABELS.functionArn]: target.functionArn,
        [ENVIRONMENT_LABELS.functionVersion]: target.version,
      },
      runtime,
      credentials,
      user,
      // Bootstraps from elsewhere than pipe's runtimes/ (a provided.* function's own, or another runtimes
      // folder) may not write log markers: the environment writes them.
      bootstrapMarkers: options.runtimesDir === undefined && runtime.family !== 'provided',
      ...(endpointUrl ? { endpointUrl } : {}),
      archive: () => archives.get(target, runtime.family),
      ...(options.onEnvironment ? { onState: environmentReporter(options.onEnvironment, target) } : {}),
    });
  };
  const pool = new WarmPool({
    defaultConcurrency: options.defaultConcurrency ?? 10,
    idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60 * 1000,
    maxEnvironments: options.maxEnvironments ?? 64,
    createEnvironment,
  });

  async function invoke(request: InvokeRequest): Promise<InvokeResult> {
    const { target } = request;
    describeRuntime(target.runtime); // an unsupported runtime fails before anything is counted or started
    const requestId = request.requestId ?? randomUUID();
    const wantsLog = request.logType === 'Tail';
    const lease = pool.acquire(target);
    try {
      let note = '';
      if (lease.cold) {
        const started = await lease.env.start(requestId, wantsLog);
        const support = runtimeSupportIn(target.runtime, imageFor(target.runtime));
        if (support.supported && support.note) note = `pipe: ${support.note}\n`;
        if (!started.ok) {
          return finish(target, requestId, { payload: started.body, functionError: 'Unhandled', log: `${note}${started.log ?? ''}` }, wantsLog);
        }
      }
      const outcome = await lease.env.invoke({
        requestId,
        payload: request.payload,
        invokedFunctionArn: target.invokedFunctionArn,
        wantsLog,
        ...(request.clientContext ? { clientContext: decodeClientContext(request.clientContext) } : {}),
      });
      pool.giveBack(lease.env);
      return finish(target, requestId, note ? { ...outcome, log: `${note}${outcome.log ?? ''}` } : outcome, wantsLog);
    } finally {
      lease.release();
    }
  }

  return {
    invokerId,
    invoke,
    runtimeSupport: (runtime) => runtimeSupportIn(runtime, imageFor(runtime)),
    retire: (functionArn, version) => pool.retire(functionArn, version),
    async close() {
      await pool.close();
      await engine.removeContainers({ [ENVIRONMENT_LABELS.invokerId]: invokerId });
      archives.close();
    },
    environmentContainers(functionArn?: string) {
      return pool
        .environments()
        .filter((env) => functionArn === undefined || env.target.functionArn === functionArn)
        .flatMap((env) => (env.containerId ? [env.containerId] : []));
    },
  };
}

function finish(
  target: InvokeTarget,
  requestId: string,
  outcome: { payload: Buffer; functionError?: 'Unhandled'; log?: string },
  wantsLog: boolean,
): InvokeResult {
  const result: InvokeResult = { statusCode: 200, payload: outcome.payload, executedVersion: target.version, requestId };
  if (outcome.functionError) result.functionError = outcome.functionError;
  if (wantsLog) result.logResult = tail(outcome.log ?? '');
  return result;
}

/** Base64 of the last 4 KB of the log text: bytes are cut first, then encoded, as Lambda does. */
export function tail(log: string): string {
  const bytes = Buffer.from(log, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)).toString('base64');
}

/** X-Amz-Client-Context is base64 JSON; the runtime gets the decoded JSON. */
function decodeClientContext(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}

/** Turns an environment's states into start and stop events: started when it is first ready, stopped when stopped. */
function environmentReporter(report: (e: EnvironmentEvent) => void, target: InvokeTarget): (state: EnvironmentState, env: Environment) => void {
  const created = performance.now();
  let started = false;
  return (state, env) => {
    const base = { functionArn: target.functionArn, version: target.version, runtime: target.runtime, ...(env.containerId ? { containerId: env.containerId } : {}) };
    if (state === 'ready' && !started) {
      started = true;
      report({ type: 'environment-started', ...base, durationMs: Math.round(performance.now() - created) });
    } else if (state === 'stopped') {
      report({ type: 'environment-stopped', ...base });
    }
  };
}

/**
 * An Invoker that creates the Docker one at the first invocation: a process that only reads or changes the control
 * plane (`pipe functions`, a deploy that publishes) never needs a Docker engine. A failed start is not kept.
 */
export function createLazyDockerInvoker(options: DockerInvokerOptions = {}): Invoker {
  let started: Promise<DockerInvoker> | undefined;
  const start = (): Promise<DockerInvoker> => {
    started ??= createDockerInvoker(options).catch((e: unknown) => {
      started = undefined;
      throw e;
    });
    return started;
  };
  const imageFor = (runtime: string): string => options.images?.[runtime] ?? options.defaultImage ?? DEFAULT_IMAGE;
  return {
    runtimeSupport: (runtime) => runtimeSupportIn(runtime, imageFor(runtime)),
    invoke: async (request) => (await start()).invoke(request),
    retire: async (functionArn, version) => {
      if (started) await (await started).retire(functionArn, version);
    },
    close: async () => {
      if (started) await (await started.catch(() => undefined))?.close();
    },
  };
}
