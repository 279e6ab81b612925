// Chooses the LambdaApi adapter for PIPE_HOME: the running `pipe registry serve` of the same PIPE_HOME over HTTP
// when there is one (so nothing writes the registry's tables behind its back, and its warm environments are
// retired by the deploys that replace their code), else the in-process Registry with a Docker invoker that only
// starts at the first invocation.
import { resolve } from 'node:path';
import { LambdaHttpApi, Registry, createLazyDockerInvoker, liveServerRecord } from '../registry/index.js';
import type { DockerInvokerOptions, LambdaApi } from '../registry/index.js';

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
      registry.close();
      await invoker.close();
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
