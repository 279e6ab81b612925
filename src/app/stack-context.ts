// Opens what stack operations need on PIPE_HOME: the state database, the registry through the LambdaApi port
// (in-process; its Docker invoker is started only if something is invoked), and the stacks' recovery.
import { createDockerInvoker, Registry } from '../registry/index.js';
import type { Invoker } from '../registry/index.js';
import { recoverStacks } from '../deploy/index.js';
import type { StackContext } from '../deploy/index.js';
import { openPipeContext } from './pipeline-service.js';
import type { PipeContext } from './pipeline-service.js';

export interface OpenStackContext {
  ctx: StackContext;
  close(): Promise<void>;
}

/** An Invoker that starts Docker's only on the first invoke: planning, deploying and deleting stacks need none. */
function lazyDockerInvoker(): Invoker {
  let inner: Promise<Invoker> | undefined;
  const get = () => (inner ??= createDockerInvoker());
  return {
    invoke: async (request) => (await get()).invoke(request),
    retire: async (arn, version) => (inner ? (await inner).retire(arn, version) : undefined),
    close: async () => (inner ? (await inner).close() : undefined),
  };
}

/** The stack context over an open PipeContext (its database stays open on close), stacks a dead process left recovered. */
export async function stackContextOf(pipe: Pick<PipeContext, 'db' | 'home'>, options: { region?: string } = {}): Promise<OpenStackContext> {
  const invoker = lazyDockerInvoker();
  const registry = Registry.open({ invoker, db: pipe.db, home: pipe.home, ...(options.region ? { region: options.region } : {}) });
  const ctx: StackContext = { db: pipe.db, lambda: registry, home: pipe.home, region: registry.defaultRegion, account: registry.account };
  const close = async () => {
    registry.close();
    await invoker.close();
  };
  try {
    await recoverStacks(ctx);
  } catch (e) {
    await close();
    throw e;
  }
  return { ctx, close };
}

export async function openStackContext(options: { home: string; region?: string }): Promise<OpenStackContext> {
  const pipe = openPipeContext({ home: options.home });
  try {
    const opened = await stackContextOf(pipe, options);
    return {
      ctx: opened.ctx,
      close: async () => {
        await opened.close();
        pipe.db.close();
      },
    };
  } catch (e) {
    pipe.db.close();
    throw e;
  }
}

/** PIPE_DEPLOY_TIME_SCALE: 60 makes a minute of a traffic shift last a second. */
export function deployTimeScale(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env['PIPE_DEPLOY_TIME_SCALE'];
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
