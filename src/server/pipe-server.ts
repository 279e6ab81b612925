// One HTTP server on one port: the dashboard (page, JSON API, live events) and the AWS APIs pipe speaks (Lambda's
// REST API and the services of app/aws-services.ts, answered by the registry's handler). Every request passes the
// Host/Origin guard first; the dashboard's routes also need the token.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { AwsService, ObjectBucketService } from '../core/index.js';
import { createAwsHttpServer, createRegistryHandler, listeningUrl } from '../registry/index.js';
import type { NodeRequestListener, Registry, UnservedListener } from '../registry/index.js';
import { createDashboardApp } from './dashboard-app.js';
import type { DashboardDeps } from './dashboard-app.js';
import { checkHostAndOrigin, isAwsRequest } from './guard.js';
import type { GuardPolicy, Verdict } from './guard.js';

export interface PipeServerOptions extends Omit<DashboardDeps, 'policy'> {
  registry: Registry;
  services?: readonly AwsService[];
  /** Path-style S3 buckets on the same port (Invoke/Lambda jobs' artifacts). */
  buckets?: readonly ObjectBucketService[];
  host: string;
  /** 0 picks a free port. */
  port: number;
  token: string;
  /** Unexpected errors of the AWS APIs (answered as 500); the CLI logs them. */
  onError?: (error: unknown, operation: string) => void;
  /** Told of every signed AWS call answered as an unknown operation (a build's parity report lists them). */
  onUnserved?: UnservedListener;
}

export class PipeServer {
  private readonly server: Server;
  private readonly aws: NodeRequestListener;
  private readonly dashboard: NodeRequestListener;
  private boundPort = 0;

  constructor(private readonly options: PipeServerOptions) {
    // The registry's handler, mounted: the AWS APIs answer here exactly as `RegistryServer` answers them.
    this.aws = createRegistryHandler({ registry: options.registry, ...(options.services ? { services: options.services } : {}), ...(options.buckets ? { buckets: options.buckets } : {}), ...(options.onError ? { onError: options.onError } : {}),
      ...(options.onUnserved ? { onUnserved: options.onUnserved } : {}) });
    const app = createDashboardApp({ ...options, policy: () => this.policy });
    const listener = getRequestListener(app.fetch);
    this.dashboard = (req, res) => void listener(req, res);
    this.server = createAwsHttpServer((req, res) => this.route(req, res));
  }

  get policy(): GuardPolicy {
    return { boundHost: this.options.host, port: this.boundPort, token: this.options.token };
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const pathname = pathOf(req.url ?? '/');
    const aws = isAwsRequest(req.method ?? 'GET', pathname, req.headers);
    const verdict = checkHostAndOrigin(req.headers, this.policy);
    if (!verdict.ok) return refuse(req, res, verdict, aws);
    (aws ? this.aws : this.dashboard)(req, res);
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.boundPort = Number(new URL(this.url).port);
    return this.url;
  }

  /** `http://host:port`, as bound. */
  get url(): string {
    return listeningUrl(this.server);
  }

  /** The URL a person opens: it carries the token once, and the page keeps it as a cookie. */
  get loginUrl(): string {
    const u = new URL(this.url);
    if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = '127.0.0.1';
    return `${u.origin}/?token=${encodeURIComponent(this.options.token)}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
}

function refuse(req: IncomingMessage, res: ServerResponse, verdict: Exclude<Verdict, { ok: true }>, aws: boolean): void {
  req.resume();
  const body = Buffer.from(JSON.stringify(aws ? { message: verdict.message } : { error: 'Forbidden', message: verdict.message }));
  res.writeHead(verdict.status, {
    'Content-Type': 'application/json',
    'Content-Length': String(body.length),
    ...(aws ? { 'x-amzn-ErrorType': 'AccessDeniedException' } : {}),
  });
  res.end(body);
}
