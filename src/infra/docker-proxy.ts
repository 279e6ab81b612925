// The Docker engine a privileged build sees: a proxy of the host engine's API on a socket of its own, which labels
// every container, image, network and volume the build creates (so they are removed with the build) and gives
// containers and image builds host networking, the only network pipe's engine has.
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { chmod } from 'node:fs/promises';

export interface DockerProxy {
  socketPath: string;
  close(): Promise<void>;
}

const UPSTREAM = '/var/run/docker.sock';

/** Listens on `socketPath`; every request goes on to the host engine, creations get `labels`. */
export async function startDockerProxy(socketPath: string, labels: Readonly<Record<string, string>>, upstream = UPSTREAM): Promise<DockerProxy> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => void forward(req, res, labels, upstream));
  // Attach, exec start and the like hijack the connection: pipe it through as it is.
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = createConnection(upstream, () => {
      target.write(`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1\r\n${rawHeaders(req)}\r\n`);
      if (head.length > 0) target.write(head);
      client.pipe(target).pipe(client);
    });
    const end = () => {
      client.destroy();
      target.destroy();
    };
    target.on('error', end);
    client.on('error', end);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  // The build may run as another user (run-as); the socket is its only way to the engine.
  await chmod(socketPath, 0o666);
  return {
    socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function rawHeaders(req: IncomingMessage): string {
  let out = '';
  for (let i = 0; i < req.rawHeaders.length; i += 2) out += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
  return out;
}

async function forward(req: IncomingMessage, res: ServerResponse, labels: Readonly<Record<string, string>>, upstream: string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://docker');
  const route = url.pathname.replace(/^\/v[\d.]+/, '');
  const method = req.method ?? 'GET';
  const headers = { ...req.headers };
  let body: Buffer | undefined;
  if (method === 'POST' && ['/containers/create', '/networks/create', '/volumes/create'].includes(route)) {
    body = Buffer.from(JSON.stringify(withLabels(route, await readJson(req), labels)));
    headers['content-length'] = String(body.length);
    delete headers['transfer-encoding'];
  }
  if (method === 'POST' && route === '/build') {
    const own = url.searchParams.get('labels');
    url.searchParams.set('labels', JSON.stringify({ ...(own ? (JSON.parse(own) as Record<string, string>) : {}), ...labels }));
    const network = url.searchParams.get('networkmode');
    if (!network || network === 'default' || network === 'bridge') url.searchParams.set('networkmode', 'host');
  }
  // One connection per request (agent: false): no pooled keep-alive socket outlives the build.
  const upstreamReq = http.request({ socketPath: upstream, method, path: `${url.pathname}${url.search}`, headers, agent: false }, (upstreamRes) => {
    res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
    // The engine answers some calls (wait) with headers first and a body much later; the CLI waits for the headers.
    res.flushHeaders();
    upstreamRes.pipe(res);
  });
  upstreamReq.on('error', (e) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `pipe's Docker proxy: ${e.message}` }));
  });
  if (body) upstreamReq.end(body);
  else req.pipe(upstreamReq);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const value: unknown = text.trim() === '' ? {} : JSON.parse(text);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function withLabels(route: string, body: Record<string, unknown>, labels: Readonly<Record<string, string>>): Record<string, unknown> {
  const own = typeof body['Labels'] === 'object' && body['Labels'] !== null ? (body['Labels'] as Record<string, string>) : {};
  const out: Record<string, unknown> = { ...body, Labels: { ...own, ...labels } };
  if (route === '/containers/create') {
    const host = typeof body['HostConfig'] === 'object' && body['HostConfig'] !== null ? (body['HostConfig'] as Record<string, unknown>) : {};
    const mode = host['NetworkMode'];
    if (mode === undefined || mode === '' || mode === 'default' || mode === 'bridge') {
      out['HostConfig'] = { ...host, NetworkMode: 'host' };
      // The CLI also names the default network as an endpoint; there is none besides host.
      delete out['NetworkingConfig'];
    }
  }
  return out;
}
