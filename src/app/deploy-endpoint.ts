// The registry a deployment runs against when no `pipe registry serve` is listening on PIPE_HOME (pipe run, pipe
// deploy): the in-process Registry, plus a server on an ephemeral loopback port with the AWS services mounted, for
// the deployment's length, so that hooks (CodeDeploy) and job workers (CodePipeline) reach pipe through the
// AWS_ENDPOINT_URL their environments are given. Closing it stops the server and removes the environments.
import { join } from 'node:path';
import { openDatabase } from '../infra/index.js';
import type { Db } from '../infra/index.js';
import { Registry, RegistryServer, createDockerInvoker } from '../registry/index.js';
import type { Invoker } from '../registry/index.js';
import { awsServices } from './aws-services.js';

export interface DeployRegistry {
  registry: Registry;
  /** The state database (deployments, metrics), a connection of its own. */
  db: Db;
  /** What function environments get as AWS_ENDPOINT_URL. */
  endpointUrl: string;
  close(): Promise<void>;
}

export async function openDeployRegistry(home: string, options: { invoker?: Invoker; region?: string } = {}): Promise<DeployRegistry> {
  let endpointUrl: string | undefined;
  const invoker = options.invoker ?? (await createDockerInvoker({ endpointUrl: () => endpointUrl }));
  const registry = Registry.open({ invoker, home, ...(options.region ? { region: options.region } : {}) });
  const db = openDatabase(join(home, 'state.db'));
  const server = new RegistryServer({ registry, host: '127.0.0.1', port: 0, services: awsServices({ home, registry, db }) });
  try {
    endpointUrl = await server.listen();
  } catch (e) {
    registry.close();
    db.close();
    await invoker.close();
    throw e;
  }
  return {
    registry, db, endpointUrl,
    async close() {
      await server.close();
      registry.close();
      db.close();
      await invoker.close();
    },
  };
}
