// The pipe server a build's AWS calls go to: the one running for PIPE_HOME (`pipe serve` / `pipe registry serve`
// record themselves in PIPE_HOME/registry/server.json), else one this process starts on an ephemeral loopback port for
// as long as builds need it (shared by the builds running at once), serving every AWS API a pipe server mounts.
import { join } from 'node:path';
import type { AwsEndpointLease, AwsEndpointProvider } from '../codebuild/index.js';
import { openDatabase } from '../infra/index.js';
import type { Db, DockerEngine } from '../infra/index.js';
import { liveServerRecord } from '../registry/index.js';
import type { UnservedRequest } from '../registry/index.js';
import type { SecretCipher } from '../secrets/index.js';
import { openLambdaSession } from './lambda-api.js';
import { UnservedCallLog } from './unserved-calls.js';

/** What a long-running server of PIPE_HOME keeps for builds: the calls it could not serve, by access key. */
export interface ServerRecords {
  onUnserved: (call: UnservedRequest) => void;
  close(): void;
}

export function openServerRecords(home: string): ServerRecords {
  const db = openDatabase(join(home, 'state.db'));
  const log = new UnservedCallLog(db);
  return { onUnserved: (call) => log.record(call), close: () => db.close() };
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

  // The in-process registry with a loopback server, as an Invoke/Lambda action gets it, told of what it cannot serve.
  const startLocal = async (): Promise<LocalServer> => {
    const session = await openLambdaSession({
      home: deps.home, invoker: { engine: deps.engine }, db: deps.db, cipher: deps.cipher, onUnserved: (call) => log.record(call),
    });
    return { url: session.endpoint, users: 0, close: () => session.close() };
  };

  return {
    async acquire(): Promise<AwsEndpointLease> {
      const running = liveServerRecord(deps.home);
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
