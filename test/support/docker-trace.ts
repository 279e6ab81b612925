// A logging proxy in front of the real Docker socket: tests count the API round trips pipe makes (method and path
// of every request, in order), through a DockerEngine whose client talks to the proxy.
import Docker from 'dockerode';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerEngine } from '../../src/infra/index.js';

export interface DockerTrace {
  engine: DockerEngine;
  /** `METHOD /path` of each request so far, the API version prefix and the query left out. */
  requests: string[];
  close(): Promise<void>;
}

function dockerSocket(): string {
  const host = process.env['DOCKER_HOST'];
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

export async function traceDocker(home: string): Promise<DockerTrace> {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-docker-trace-'));
  const socketPath = join(dir, 'docker.sock');
  const requests: string[] = [];
  const server = createServer((client) => {
    const upstream = createConnection(dockerSocket());
    client.on('data', (chunk: Buffer) => {
      // Request heads start a chunk on a kept-alive connection; bodies (archives, JSON) do not look like one.
      const head = /^(GET|POST|PUT|DELETE|HEAD) (\/[^ ?]*)/.exec(chunk.subarray(0, 300).toString('latin1'));
      if (head) requests.push(`${head[1]} ${(head[2] ?? '').replace(/^\/v[0-9.]+\//, '/')}`);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    upstream.on('end', () => client.end());
    client.on('end', () => upstream.end());
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    engine: new DockerEngine(new Docker({ socketPath }), { home }),
    requests,
    close: async () => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
