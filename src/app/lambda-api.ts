// Chooses the LambdaApi adapter for PIPE_HOME: the running `pipe registry serve` of the same PIPE_HOME over HTTP
// when there is one (so nothing writes the registry's tables behind its back, and its warm environments are
// retired by the deploys that replace their code), else the in-process Registry with a Docker invoker that only
// starts at the first invocation.
import { resolve } from 'node:path';
import type { LambdaSession } from '../deploy/index.js';
import { LambdaHttpApi, Registry, RegistryServer, createLazyDockerInvoker, liveServerRecord } from '../registry/index.js';
import type { DockerInvokerOptions, LambdaApi, UnservedListener } from '../registry/index.js';
import { awsBuckets, awsServices } from './aws-services.js';
import type { AwsServiceDeps } from './aws-services.js';

export type LambdaApiHandle =
  | { via: 'server'; api: LambdaApi; endpoint: string; close(): Promise<void> }
  | {
      via: 'in-process';
      api: LambdaApi;
      /** To mount on a server of the caller's (an Invoke/Lambda action's call-back endpoint). */
      registry: Registry;
      close(): Promise<void>;
    };

export interface OpenLambdaApiOptions {
  home: string;
  /** Region when a call names none (default: the registry's). */
  region?: string;
  /** A server named by the user (`--endpoint`): used as given, never replaced by the in-process registry. */
  endpoint?: string;
  /** In-process only: the Docker invoker's options (images, the endpoint functions call back). */
  invoker?: DockerInvokerOptions;
}

export async function openLambdaApi(options: OpenLambdaApiOptions): Promise<LambdaApiHandle> {
  const home = resolve(options.home);
  const endpoint = options.endpoint ?? (await answeringServer(home));
  if (endpoint !== undefined) {
    return { via: 'server', api: new LambdaHttpApi(endpoint, options.region), endpoint, close: async () => undefined };
  }
  const invoker = createLazyDockerInvoker(options.invoker ?? {});
  const registry = Registry.open({ invoker, home, ...(options.region === undefined ? {} : { region: options.region }) });
  return {
    via: 'in-process',
    api: registry,
    registry,
    async close() {
      await registry.drainEvents();
      // The invoker first: invocations still running (a hook's, in the background) end and are counted while the
      // registry's metrics can still be written.
      await invoker.close();
      registry.close();
    },
  };
}

/**
 * The URL of this PIPE_HOME's registry server, if its process lives and it accepts connections: a live pid that
 * refuses them is another process that took a dead server's pid.
 */
async function answeringServer(home: string): Promise<string | undefined> {
  const record = liveServerRecord(home);
  if (record === undefined) return undefined;
  try {
    await fetch(new URL('/2016-08-19/account-settings', record.url), { signal: AbortSignal.timeout(5000) }).then((r) => r.arrayBuffer());
    return record.url;
  } catch (e) {
    const code = (e as { cause?: NodeJS.ErrnoException }).cause?.code;
    if (code === 'ECONNREFUSED') return undefined;
    throw e;
  }
}

export interface LambdaSessionOptions extends Omit<OpenLambdaApiOptions, 'endpoint'> {
  /** In-process only: PIPE_HOME's open state database and key, for the services the loopback server mounts. */
  db?: AwsServiceDeps['db'];
  cipher?: AwsServiceDeps['cipher'];
  /** In-process only: told of the signed calls the loopback server cannot serve (a build's parity report). */
  onUnserved?: UnservedListener;
}

/**
 * A LambdaApi whose functions can call back CodePipeline (and read and write their job's artifacts), for an
 * Invoke/Lambda action: the PIPE_HOME's registry server already serves both; in-process, a server on an ephemeral
 * loopback port serves them for as long as the session lasts, and is the AWS_ENDPOINT_URL its functions get.
 */
export async function openLambdaSession(options: LambdaSessionOptions): Promise<LambdaSession & { endpoint: string }> {
  let callback: string | undefined;
  const { db, cipher, onUnserved, ...api } = options;
  const handle = await openLambdaApi({ ...api, invoker: { ...options.invoker, endpointUrl: () => callback } });
  if (handle.via === 'server') return handle;
  const deps: AwsServiceDeps = { home: resolve(options.home), registry: handle.registry, ...(db ? { db } : {}), ...(cipher ? { cipher } : {}) };
  const server = new RegistryServer({
    registry: handle.registry, host: '127.0.0.1', port: 0, services: awsServices(deps), buckets: awsBuckets(deps), ...(onUnserved ? { onUnserved } : {}),
  });
  try {
    callback = await server.listen();
  } catch (e) {
    await handle.close();
    throw e;
  }
  return {
    api: handle.api,
    endpoint: callback,
    async close() {
      await server.close();
      await handle.close();
    },
  };
}
