// The registry as one typed in-process API, with the same semantics as the HTTP API (which calls it).
import { join } from 'node:path';
import { migrate, openDatabase, pipeHome } from '../infra/index.js';
import type { Db } from '../infra/index.js';
import { DEFAULT_ACCOUNT } from './arn.js';
import { DEFAULT_REGION } from '../core/index.js';
import type * as In from './inputs.js';
import type { Invoker } from './invoke-port.js';
import { LATEST } from './model.js';
import type { RequestScope } from './model.js';
import type * as Shape from './shapes.js';
import * as account from './services/account-service.js';
import * as aliases from './services/aliases-service.js';
import type { RegistryContext } from './services/context.js';
import { EventQueue } from './services/event-queue.js';
import type { EventOutcome } from './services/event-queue.js';
import * as functions from './services/functions-service.js';
import { invoke } from './services/invoke-service.js';
import * as layers from './services/layers-service.js';
import * as versions from './services/versions-service.js';
import { BlobStore } from './store/blob-store.js';
import { FunctionStore } from './store/function-store.js';
import { LayerStore } from './store/layer-store.js';
import { MetricsStore } from './metrics/metrics-store.js';
import { recordingInvoker } from './metrics/recording-invoker.js';
import { REGISTRY_MIGRATIONS } from './store/schema.js';

export interface RegistryOptions {
  invoker: Invoker;
  /** Where state lives (default PIPE_HOME): `<home>/state.db` and `<home>/registry/blobs/`. */
  home?: string;
  /** An already open state database (then `close()` leaves it open). */
  db?: Db;
  account?: string;
  /** Region when a request names none (in-process calls, unsigned HTTP requests). */
  region?: string;
  /** Time a function stays Pending / InProgress (default 20 ms). */
  settleMs?: number;
  /** Delay before the first retry of a failed Event invocation (default 1000 ms). */
  eventRetryDelayMs?: number;
  onEventOutcome?: (outcome: EventOutcome) => void;
  /** How often recorded invocation metrics are written to the database (default 200 ms). */
  metricsFlushMs?: number;
  random?: () => number;
  now?: () => number;
}

type Ctx = RegistryContext;

export class Registry {
  private readonly queue: EventQueue;

  private constructor(
    private readonly ctx: Ctx,
    private readonly ownedDb: Db | undefined,
    options: RegistryOptions,
  ) {
    const queueOptions = { retryDelayMs: options.eventRetryDelayMs ?? 1000 };
    this.queue = new EventQueue(ctx.invoker, options.onEventOutcome ? { ...queueOptions, onOutcome: options.onEventOutcome } : queueOptions);
  }

  static open(options: RegistryOptions): Registry {
    const home = options.home ?? pipeHome();
    const db = options.db ?? openDatabase(join(home, 'state.db'));
    migrate(db, 'registry', REGISTRY_MIGRATIONS);
    const now = options.now ?? Date.now;
    const metrics = new MetricsStore(db, options.metricsFlushMs === undefined ? { now } : { now, flushMs: options.metricsFlushMs });
    const ctx: Ctx = {
      functions: new FunctionStore(db),
      layers: new LayerStore(db),
      blobs: new BlobStore(join(home, 'registry', 'blobs')),
      // Every invocation, sync or an Event attempt, goes through the invoker: counted there.
      invoker: recordingInvoker(options.invoker, metrics, now),
      metrics,
      account: options.account ?? DEFAULT_ACCOUNT,
      defaultRegion: options.region ?? DEFAULT_REGION,
      settleMs: options.settleMs ?? 20,
      now,
      random: options.random ?? Math.random,
    };
    return new Registry(ctx, options.db ? undefined : db, options);
  }

  get account(): string {
    return this.ctx.account;
  }

  get defaultRegion(): string {
    return this.ctx.defaultRegion;
  }

  createFunction(input: In.CreateFunctionInput, scope?: RequestScope): Promise<Shape.FunctionConfiguration> {
    return functions.createFunction(this.ctx, input, scope);
  }
  async getFunction(input: In.FunctionRefInput, scope?: RequestScope): Promise<functions.GetFunctionOutput> {
    return functions.getFunction(this.ctx, input, scope);
  }
  async getFunctionConfiguration(input: In.FunctionRefInput, scope?: RequestScope): Promise<Shape.FunctionConfiguration> {
    return functions.getFunctionConfiguration(this.ctx, input, scope);
  }
  async listFunctions(input: In.ListFunctionsInput = {}, scope?: RequestScope): Promise<{ Functions: Shape.FunctionConfiguration[]; NextMarker?: string }> {
    return functions.listFunctions(this.ctx, input, scope);
  }
  updateFunctionCode(input: In.UpdateFunctionCodeInput, scope?: RequestScope): Promise<Shape.FunctionConfiguration> {
    return functions.updateFunctionCode(this.ctx, input, scope);
  }
  updateFunctionConfiguration(input: In.UpdateFunctionConfigurationInput, scope?: RequestScope): Promise<Shape.FunctionConfiguration> {
    return functions.updateFunctionConfiguration(this.ctx, input, scope);
  }
  deleteFunction(input: In.FunctionRefInput, scope?: RequestScope): Promise<void> {
    return functions.deleteFunction(this.ctx, input, scope);
  }
  async publishVersion(input: In.PublishVersionInput, scope?: RequestScope): Promise<Shape.FunctionConfiguration> {
    return versions.publishVersion(this.ctx, input, scope);
  }
  async listVersionsByFunction(input: In.FunctionRefInput & In.ListInput, scope?: RequestScope): Promise<{ Versions: Shape.FunctionConfiguration[]; NextMarker?: string }> {
    return versions.listVersionsByFunction(this.ctx, input, scope);
  }
  async createAlias(input: In.CreateAliasInput, scope?: RequestScope): Promise<Shape.AliasConfiguration> {
    return aliases.createAlias(this.ctx, input, scope);
  }
  async getAlias(input: In.AliasRefInput, scope?: RequestScope): Promise<Shape.AliasConfiguration> {
    return aliases.getAlias(this.ctx, input, scope);
  }
  async updateAlias(input: In.UpdateAliasInput, scope?: RequestScope): Promise<Shape.AliasConfiguration> {
    return aliases.updateAlias(this.ctx, input, scope);
  }
  async deleteAlias(input: In.AliasRefInput, scope?: RequestScope): Promise<void> {
    aliases.deleteAlias(this.ctx, input, scope);
  }
  async listAliases(input: In.ListAliasesInput, scope?: RequestScope): Promise<{ Aliases: Shape.AliasConfiguration[]; NextMarker?: string }> {
    return aliases.listAliases(this.ctx, input, scope);
  }
  publishLayerVersion(input: In.PublishLayerVersionInput, scope?: RequestScope): Promise<Shape.LayerVersion> {
    return layers.publishLayerVersion(this.ctx, input, scope);
  }
  async getLayerVersion(input: In.LayerVersionRefInput, scope?: RequestScope): Promise<Shape.LayerVersion> {
    return layers.getLayerVersion(this.ctx, input, scope);
  }
  async getLayerVersionByArn(input: { Arn: string }, scope?: RequestScope): Promise<Shape.LayerVersion> {
    return layers.getLayerVersionByArn(this.ctx, input, scope);
  }
  async listLayers(input: In.ListLayersInput = {}, scope?: RequestScope): Promise<{ Layers: Shape.LayersListItem[]; NextMarker?: string }> {
    return layers.listLayers(this.ctx, input, scope);
  }
  async listLayerVersions(input: In.ListLayerVersionsInput, scope?: RequestScope): Promise<{ LayerVersions: Shape.LayerVersionsListItem[]; NextMarker?: string }> {
    return layers.listLayerVersions(this.ctx, input, scope);
  }
  async deleteLayerVersion(input: In.LayerVersionRefInput, scope?: RequestScope): Promise<void> {
    layers.deleteLayerVersion(this.ctx, input, scope);
  }
  invoke(input: In.InvokeInput, scope?: RequestScope): Promise<In.InvokeOutput> {
    return invoke(this.ctx, this.queue, input, scope);
  }
  async putFunctionConcurrency(input: In.PutFunctionConcurrencyInput, scope?: RequestScope): Promise<{ ReservedConcurrentExecutions: number }> {
    return account.putFunctionConcurrency(this.ctx, input, scope);
  }
  async getFunctionConcurrency(input: In.FunctionRefInput, scope?: RequestScope): Promise<{ ReservedConcurrentExecutions?: number }> {
    return account.getFunctionConcurrency(this.ctx, input, scope);
  }
  async deleteFunctionConcurrency(input: In.FunctionRefInput, scope?: RequestScope): Promise<void> {
    account.deleteFunctionConcurrency(this.ctx, input, scope);
  }
  async getAccountSettings(scope?: RequestScope): Promise<account.AccountSettings> {
    return account.getAccountSettings(this.ctx, scope);
  }

  /** Polls until the version is Active and its last update Successful, as `aws lambda wait function-updated-v2`. */
  async waitUntilReady(input: In.FunctionRefInput, scope?: RequestScope, timeoutMs = 10_000): Promise<Shape.FunctionConfiguration> {
    const deadline = this.ctx.now() + timeoutMs;
    for (;;) {
      const c = await this.getFunctionConfiguration(input, scope);
      if (c.State === 'Active' && c.LastUpdateStatus !== 'InProgress') return c;
      if (this.ctx.now() > deadline) return c;
      await new Promise((r) => setTimeout(r, Math.max(5, this.ctx.settleMs / 2)));
    }
  }

  /** The zip file of a blob named by its hex SHA-256 (served by the HTTP API as Code.Location). */
  blobPathOfHex(hex: string): string | undefined {
    if (!/^[0-9a-f]{64}$/.test(hex)) return undefined;
    return this.ctx.blobs.pathOf(Buffer.from(hex, 'hex').toString('base64'));
  }

  /** Resolves once every queued Event invocation has finished, retries included. */
  drainEvents(): Promise<void> {
    return this.queue.drain();
  }

  /** Stops the event queue and closes the database if the registry opened it; the Invoker is the caller's. */
  /** Writes the invocation metrics recorded so far (they are written every 200 ms anyway). */
  flushMetrics(): void {
    this.ctx.metrics.flush();
  }

  close(): void {
    this.queue.close();
    this.ctx.metrics.close();
    this.ownedDb?.close();
  }
}

