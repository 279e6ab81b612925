// Opens what stack operations need on PIPE_HOME: the state database, the registry through the LambdaApi port (the
// PIPE_HOME's running server, else in-process with a loopback server for hooks; Docker starts only if something
// is invoked), traffic shifting for DeploymentPreference, and the stacks' recovery.
import { DEFAULT_ACCOUNT, DEFAULT_REGION } from '../core/index.js';
import { recoverStacks, shiftTraffic } from '../deploy/index.js';
import type { StackContext } from '../deploy/index.js';
import { liveServerRecord } from '../registry/index.js';
import { openLambdaSession } from './lambda-api.js';
import { openPipeContext } from './pipeline-service.js';
import type { PipeContext } from './pipeline-service.js';

export interface OpenStackContext {
  ctx: StackContext;
  close(): Promise<void>;
}

/** The stack context over an open PipeContext (its database stays open on close), stacks a dead process left recovered. */
export async function stackContextOf(pipe: Pick<PipeContext, 'db' | 'home'>, options: { region?: string } = {}): Promise<OpenStackContext> {
  const session = await openLambdaSession({ home: pipe.home, ...(options.region ? { region: options.region } : {}) });
  const ctx: StackContext = {
    db: pipe.db, lambda: session.api, home: pipe.home, region: options.region ?? DEFAULT_REGION, account: DEFAULT_ACCOUNT, shiftTraffic,
  };
  // Outputs name the gateway of this PIPE_HOME's `pipe serve --gateway-port`, unless PIPE_GATEWAY_URL says otherwise.
  const gatewayUrl = process.env['PIPE_GATEWAY_URL'] === undefined ? liveServerRecord(pipe.home)?.gatewayUrl : undefined;
  if (gatewayUrl !== undefined) ctx.gatewayUrl = gatewayUrl;
  const close = () => session.close();
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
