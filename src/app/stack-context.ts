// Opens what stack operations need on PIPE_HOME: the state database, the registry through the LambdaApi port
// (in-process; its Docker invoker is started only if something is invoked), and the stacks' recovery.
import { createDockerInvoker, Registry } from '../registry/index.js';
import type { Invoker } from '../registry/index.js';
import { recoverStacks } from '../deploy/index.js';
import type { StackContext } from '../deploy/index.js';
import { openPipeContext } from './pipeline-service.js';

export interface OpenStackContext {
  ctx: StackContext;
  close(): Promise<void>;
}

/** An Invoker that starts Docker's only on the first invoke: planning, deploying and deleting stacks need none. */
function lazyDockerInvoker(): Invoker & { started(): boolean } {
  let inner: Promise<Invoker> | undefined;
  const get = () => (inner ??= createDockerInvoker());
  return {
    invoke: async (request) => (await get()).invoke(request),
    retire: async (arn, version) => (inner ? (await inner).retire(arn, version) : undefined),
    close: async () => (inner ? (await inner).close() : undefined),
    started: () => inner !== undefined,
  };
}

export async function openStackContext(options: { home: string; region?: string }): Promise<OpenStackContext> {
  const pipe = openPipeContext({ home: options.home });
  const invoker = lazyDockerInvoker();
  const registry = Registry.open({ invoker, db: pipe.db, home: pipe.home, ...(options.region ? { region: options.region } : {}) });
  const ctx: StackContext = { db: pipe.db, lambda: registry, home: pipe.home, region: registry.defaultRegion, account: registry.account };
  try {
    await recoverStacks(ctx);
  } catch (e) {
    registry.close();
    pipe.db.close();
    throw e;
  }
  return {
    ctx,
    close: async () => {
      registry.close();
      await invoker.close();
      pipe.db.close();
    },
  };
}
