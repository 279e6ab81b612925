// The pipe server a build's AWS calls go to: the one running for PIPE_HOME (`pipe registry serve` records its
// address in PIPE_HOME/server.json), else one this process starts on an ephemeral loopback port for as long as
// builds need it (shared by the builds running at once), serving Lambda, SSM and Secrets Manager over PIPE_HOME.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsEndpointLease, AwsEndpointProvider } from '../codebuild/index.js';
import { PRIVATE_FILE_MODE, isProcessAlive, openDatabase } from '../infra/index.js';
import type { Db, DockerEngine } from '../infra/index.js';
import { Registry, RegistryServer, createDockerInvoker } from '../registry/index.js';
import type { UnservedRequest } from '../registry/index.js';
import type { SecretCipher } from '../secrets/index.js';
import { awsServices } from './aws-services.js';
import { UnservedCallLog } from './unserved-calls.js';

export const SERVER_FILE = 'server.json';

interface ServerAddress {
  url: string;
  pid: number;
}

/** Records a running server's address for builds of the same PIPE_HOME; the returned function removes it. */
export function recordServerAddress(home: string, url: string): () => void {
  const file = join(home, SERVER_FILE);
  // A server bound to every address is reached on loopback.
  const reachable = url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//127.0.0.1:');
  writeFileSync(file, JSON.stringify({ url: reachable, pid: process.pid } satisfies ServerAddress), { mode: PRIVATE_FILE_MODE });
  return () => {
    if (runningServer(home)?.pid === process.pid) rmSync(file, { force: true });
  };
}

/** The server recorded for PIPE_HOME, if its process still runs. */
export function runningServer(home: string): ServerAddress | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(home, SERVER_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  const a = parsed as Partial<ServerAddress>;
  if (typeof a.url !== 'string' || typeof a.pid !== 'number' || !isProcessAlive(a.pid)) return undefined;
  return { url: a.url, pid: a.pid };
}

/** What a long-running server of PIPE_HOME keeps for builds: its address, and the calls it could not serve. */
export interface ServerRecords {
  onUnserved: (call: UnservedRequest) => void;
  /** Records the address builds reach the server at; returns what forgets it. */
  announce(url: string): () => void;
  close(): void;
}

export function openServerRecords(home: string): ServerRecords {
  const db = openDatabase(join(home, 'state.db'));
  const log = new UnservedCallLog(db);
  return { onUnserved: (call) => log.record(call), announce: (url) => recordServerAddress(home, url), close: () => db.close() };
}

export interface AwsEndpointDeps {
  home: string;
  db: Db;
  cipher: SecretCipher;
  engine: DockerEngine;
}

interface LocalServer {
  url: string;
  users: number;
  close(): Promise<void>;
}

export function createAwsEndpointProvider(deps: AwsEndpointDeps): AwsEndpointProvider {
  const log = new UnservedCallLog(deps.db);
  let local: Promise<LocalServer> | undefined;

  const startLocal = async (): Promise<LocalServer> => {
    let url: string | undefined;
    const invoker = await createDockerInvoker({ engine: deps.engine, endpointUrl: () => url });
    const registry = Registry.open({ invoker, home: deps.home, db: deps.db });
    const server = new RegistryServer({
      registry, host: '127.0.0.1', port: 0,
      services: awsServices({ home: deps.home, registry, db: deps.db, cipher: deps.cipher }),
      onUnserved: (call) => log.record(call),
    });
    try {
      url = await server.listen();
    } catch (e) {
      registry.close();
      await invoker.close();
      throw e;
    }
    return {
      url, users: 0,
      async close() {
        await server.close();
        registry.close();
        await invoker.close();
      },
    };
  };

  return {
    async acquire(): Promise<AwsEndpointLease> {
      const running = runningServer(deps.home);
      const unserved = (key: string) => log.callsOf(key);
      if (running) return { url: running.url, unserved, release: async () => undefined };
      local ??= startLocal();
      let server: LocalServer;
      try {
        server = await local;
      } catch (e) {
        local = undefined;
        throw e;
      }
      server.users += 1;
      let released = false;
      return {
        url: server.url,
        unserved,
        async release() {
          if (released) return;
          released = true;
          server.users -= 1;
          if (server.users === 0 && local) {
            local = undefined;
            await server.close();
          }
        },
      };
    },
  };
}
