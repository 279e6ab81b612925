// One execution environment: a container of the runtime's image running a bootstrap, its own Runtime API
// server, its output split per invocation, and a guarded state machine (starting -> ready <-> busy ->
// stopping -> stopped). It runs one invocation at a time; the warm pool decides which environment gets which.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ContainerHandle, DockerEngine } from '../../infra/index.js';
import type { InvokeTarget } from '../invoke-port.js';
import { transitionEnvironment } from '../../core/index.js';
import type { EnvironmentState } from '../../core/index.js';
import {
  exitErrorBody,
  normaliseErrorBody,
  responseTooLargeErrorBody,
  sandboxFailureErrorBody,
  timeoutErrorBody,
  timeoutLogLine,
} from './errors.js';
import type { FunctionErrorBody } from './errors.js';
import { readPeakMemory } from './cgroup-memory.js';
import { LogCollector } from './log-collector.js';
import type { LogSegment } from './log-collector.js';
import { RuntimeApiServer } from './runtime-api-server.js';
import type { RuntimeOutcome } from './runtime-api-server.js';
import { buildEnvironmentVariables } from './runtime-config.js';
import type { Credentials, RuntimeInfo } from './runtime-config.js';

/** Lambda's on-demand init budget; past it the init is retried within the invocation's own timeout. */
const INIT_BUDGET_MS = 10_000;
/**
 * A bound, never a wait that decides: an answered invocation's log is complete when its end marker comes through
 * Docker's log stream, which it does at once unless the marker could not be written.
 */
const LOG_SETTLE_MS = 2_000;
/** A bound on the memory peak's read while a failed init's runtime waits (a host file: a millisecond; an exec: more). */
const PEAK_READ_WAIT_MS = 1_000;

export interface EnvironmentOptions {
  engine: DockerEngine;
  image: string;
  labels: Record<string, string>;
  runtime: RuntimeInfo;
  credentials: Credentials;
  /** Container user; Lambda runs functions as an unprivileged sandbox user. */
  user?: string;
  endpointUrl?: string;
  /** The archive of /var/task, /opt and /var/runtime (a stream of the cached tar file). */
  archive: () => Promise<Buffer | Readable>;
  /**
   * Whether the bootstrap frames a Tail invocation's output with log markers itself (pipe's own do, default).
   * Otherwise the environment writes them into the container's output stream (docker exec, as the container's
   * user, to PID 1's stdout): the start marker before the event is delivered to `next`, the end marker once the
   * runtime has answered, so the log is exactly what came between, whatever the bootstrap.
   */
  bootstrapMarkers?: boolean;
  /** Told of every state the environment enters (the registry server logs starts and stops). */
  onState?: (state: EnvironmentState, env: Environment) => void;
}

export interface InvocationInput {
  requestId: string;
  payload: Buffer;
  invokedFunctionArn: string;
  clientContext?: string;
  /** Whether the caller wants the log text (logType Tail); otherwise it is dropped, not awaited. */
  wantsLog: boolean;
}

export interface InvocationOutcome {
  payload: Buffer;
  functionError?: 'Unhandled';
  /** START ... END ... REPORT text, when asked for. */
  log?: string;
  durationMs: number;
}

/** The result of starting: ready, or the error body the first invocation returns. */
export type StartResult = { ok: true } | { ok: false; body: Buffer; log: string };

type InitResult = { ok: true } | { ok: false; body: Buffer };
type Settle = (outcome: Settled) => void;
type Settled =
  | { kind: 'runtime'; outcome: RuntimeOutcome }
  | { kind: 'timeout' }
  | { kind: 'exit'; statusCode: number };

export class Environment {
  readonly id = randomUUID();
  private stateValue: EnvironmentState = 'starting';
  private container: ContainerHandle | undefined;
  private api: RuntimeApiServer | undefined;
  private readonly logs = new LogCollector();
  private settle: Settle | undefined;
  private inFlightId: string | undefined;
  private initDurationMs: number | undefined;
  private initReported = false;
  private exitCode: number | undefined;
  private stopping: Promise<void> | undefined;
  /** Set by the pool: stop instead of going back to ready when the invocation in flight ends. */
  retired = false;
  lastUsed = Date.now();

  /** Called once the environment stops, whatever the reason (the pool forgets it). */
  onStopped: (env: Environment) => void = () => undefined;

  constructor(
    readonly target: InvokeTarget,
    private readonly options: EnvironmentOptions,
  ) {}

  get state(): EnvironmentState {
    return this.stateValue;
  }

  get containerId(): string | undefined {
    return this.container?.id;
  }

  private moveTo(to: EnvironmentState): void {
    this.stateValue = transitionEnvironment(this.stateValue, to);
    this.options.onState?.(to, this);
  }

  /**
   * Creates the container, copies the code in, starts the runtime and waits for its first /next. An init error,
   * a runtime that exits or an init that never ends gives `ok: false` with the body the invocation returns.
   * Docker failures (no image, no engine) are thrown.
   */
  async start(requestId: string, wantsLog: boolean): Promise<StartResult> {
    const startedAt = performance.now();
    try {
      return await this.startContainer(requestId, wantsLog, startedAt);
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  private async startContainer(requestId: string, wantsLog: boolean, startedAt: number): Promise<StartResult> {
    let initDone!: (r: InitResult) => void;
    const initialised = new Promise<InitResult>((resolve) => (initDone = resolve));
    // The memory peak of an init that failed, read while the runtime still waits for the answer to its init error:
    // it exits right after, and its container's cgroup goes with it.
    let initErrorPeak: Promise<number | undefined> | undefined;
    this.api = await RuntimeApiServer.start({
      onNext: () => {
        if (this.stateValue === 'starting') initDone({ ok: true });
      },
      onOutcome: (id, outcome) => this.handleOutcome(id, outcome),
      onInitError: async (body, errorType) => {
        if (wantsLog && this.container) {
          initErrorPeak = readPeakMemory(this.container);
          await waitAtMost(initErrorPeak, PEAK_READ_WAIT_MS);
        }
        initDone({ ok: false, body: normaliseErrorBody(body, errorType) });
      },
    });
    const env = buildEnvironmentVariables(this.target, this.options.runtime, {
      runtimeApi: this.api.address,
      credentials: this.options.credentials,
      ...(this.options.endpointUrl ? { endpointUrl: this.options.endpointUrl } : {}),
    });
    const archiving = this.options.archive();
    // A stream nobody consumes (the container could not be made, or the environment stops first) is closed.
    const drop = (): void => void archiving.then((a) => (Buffer.isBuffer(a) ? undefined : a.destroy()), () => undefined);
    const [archive, container] = await Promise.all([
      archiving,
      this.options.engine.createContainer({
        image: this.options.image,
        labels: this.options.labels,
        env,
        cmd: this.options.runtime.command,
        workingDir: '/var/task',
        memoryBytes: this.target.memorySize * 1024 * 1024,
        // Output is read live from the log stream; what Docker keeps on disk only needs to be bounded.
        logMaxBytes: 8 * 1024 * 1024,
        ...(this.options.user ? { user: this.options.user } : {}),
      }),
    ]).catch((e: unknown) => {
      drop();
      throw e;
    });
    this.container = container;
    if (this.stopping) {
      drop();
      await container.remove();
      return this.failStart(requestId, jsonBody(sandboxFailureErrorBody(requestId, 'the environment was stopped while starting')), '');
    }
    await container.putArchive(archive, '/');
    const runStartedAt = performance.now();
    await container.start();
    void container.logs((_stream, chunk) => this.logs.push(chunk)).catch(() => undefined);
    const exited = container.wait().then(
      (code) => code,
      () => -1,
    );
    void exited.then((code) => {
      this.exitCode = code;
      // Ends a start still waiting for init (no-op once init is over), whether the runtime died or was stopped.
      initDone({ ok: false, body: jsonBody(exitErrorBody(requestId, code)) });
      this.handleExit(code);
    });
    const budget = INIT_BUDGET_MS + this.target.timeout * 1000;
    const timer = setTimeout(() => initDone({ ok: false, body: jsonBody(timeoutErrorBody(requestId, budget / 1000)) }), budget);
    const result = await initialised;
    clearTimeout(timer);
    if (this.stopping) {
      return this.failStart(requestId, jsonBody(sandboxFailureErrorBody(requestId, 'the environment was stopped while starting')), '');
    }
    if (!result.ok) {
      let text = '';
      let peak: number | undefined;
      if (wantsLog) {
        const reading = initErrorPeak ?? readPeakMemory(container);
        // The runtime exits after an init error; its last words come through the log stream shortly after.
        await Promise.race([exited, delay(1_000)]);
        await delay(50);
        text = this.logs.takePending().text;
        peak = await reading;
      }
      return this.failStart(requestId, result.body, text, performance.now() - startedAt, peak);
    }
    this.initDurationMs = performance.now() - runStartedAt;
    this.moveTo('ready');
    return { ok: true };
  }

  private failStart(requestId: string, body: Buffer, text: string, initMs?: number, maxMemoryBytes?: number): StartResult {
    void this.stop();
    const segment: LogSegment = { preamble: '', text, complete: false, ...(maxMemoryBytes === undefined ? {} : { maxMemoryBytes }) };
    const log = this.formatLog(requestId, segment, 0, 'error', initMs);
    return { ok: false, body, log };
  }

  private handleOutcome(requestId: string, outcome: RuntimeOutcome): void {
    if (requestId !== this.inFlightId) return;
    this.settle?.({ kind: 'runtime', outcome });
  }

  private handleExit(statusCode: number): void {
    switch (this.stateValue) {
      case 'starting':
        return;
      case 'busy':
        this.settle?.({ kind: 'exit', statusCode });
        return;
      case 'ready':
        void this.stop();
        return;
      case 'stopping':
      case 'stopped':
        return;
      default: {
        const never: never = this.stateValue;
        throw new Error(`unexpected environment state ${String(never)}`);
      }
    }
  }

  /** Runs one invocation. The environment must be ready; it is ready again afterwards unless it had to stop. */
  async invoke(input: InvocationInput): Promise<InvocationOutcome> {
    this.moveTo('busy');
    this.lastUsed = Date.now();
    const api = this.api;
    if (!api) throw new Error('environment has no Runtime API server');
    const timeoutMs = this.target.timeout * 1000;
    const startedAt = performance.now();
    const settled = new Promise<Settled>((resolve) => (this.settle = resolve));
    const timer = setTimeout(() => this.settle?.({ kind: 'timeout' }), timeoutMs);
    this.inFlightId = input.requestId;
    const writesMarkers = input.wantsLog && this.options.bootstrapMarkers === false;
    if (writesMarkers) await this.writeMarker(`start:${input.requestId}`);
    api.deliver({
      requestId: input.requestId,
      payload: input.payload,
      deadlineMs: Date.now() + timeoutMs,
      invokedFunctionArn: input.invokedFunctionArn,
      traceId: newTraceId(),
      logMarkers: input.wantsLog,
      ...(input.clientContext ? { clientContext: input.clientContext } : {}),
    });
    const result = await settled;
    const durationMs = performance.now() - startedAt;
    clearTimeout(timer);
    if (writesMarkers && result.kind === 'runtime') await this.writeMarker(`end:${input.requestId}`);
    this.settle = undefined;
    this.inFlightId = undefined;
    this.lastUsed = Date.now();

    let payload: Buffer;
    let functionError: 'Unhandled' | undefined;
    let status: 'ok' | 'timeout' | 'error' = 'ok';
    switch (result.kind) {
      case 'runtime':
        switch (result.outcome.kind) {
          case 'response':
            payload = result.outcome.payload;
            break;
          case 'error':
            payload = normaliseErrorBody(result.outcome.payload, result.outcome.errorType);
            functionError = 'Unhandled';
            break;
          case 'response-too-large':
            payload = jsonBody(responseTooLargeErrorBody());
            functionError = 'Unhandled';
            break;
          default: {
            const never: never = result.outcome;
            throw new Error(`unexpected runtime outcome ${JSON.stringify(never)}`);
          }
        }
        break;
      case 'timeout':
        payload = jsonBody(timeoutErrorBody(input.requestId, this.target.timeout));
        functionError = 'Unhandled';
        status = 'timeout';
        break;
      case 'exit':
        payload = jsonBody(exitErrorBody(input.requestId, result.statusCode));
        functionError = 'Unhandled';
        status = 'error';
        break;
      default: {
        const never: never = result;
        throw new Error(`unexpected settlement ${JSON.stringify(never)}`);
      }
    }

    // The REPORT line's Max Memory Used: read before a replaced environment's container goes.
    const peak = input.wantsLog && this.container ? readPeakMemory(this.container) : undefined;
    // A timed-out or crashed runtime is not trusted again: the environment is replaced.
    const keep = result.kind === 'runtime' && this.exitCode === undefined && !this.retired;
    if (keep) this.moveTo('ready');
    else void this.stop(peak);

    const outcome: InvocationOutcome = { payload, durationMs, ...(functionError ? { functionError } : {}) };
    if (!input.wantsLog) {
      // A later Tail invocation's log starts at its own START: the init output belonged to this one.
      this.initReported = true;
      return outcome;
    }
    const segment = result.kind === 'runtime' ? await this.logs.take(input.requestId, LOG_SETTLE_MS) : this.logs.takePending();
    const cgroupPeak = await peak;
    // The cgroup's high-water mark covers the whole sandbox; the bootstrap's own figure only its process.
    if (cgroupPeak !== undefined) segment.maxMemoryBytes = cgroupPeak;
    outcome.log = this.formatLog(input.requestId, segment, durationMs, status);
    return outcome;
  }

  /**
   * Writes a log marker into the container's output, behind everything the runtime wrote before (one pipe, in
   * order). A failure leaves the log to the LOG_SETTLE_MS bound.
   */
  private async writeMarker(text: string): Promise<void> {
    try {
      await this.container?.exec({
        cmd: ['/bin/sh', '-c', 'cat > /proc/1/fd/1'],
        stdin: `\0pipe:${text}\n`,
        ...(this.options.user ? { user: this.options.user } : {}),
      });
    } catch {
      // the environment is going away; its log is what came
    }
  }

  /** START / output / END / REPORT, as Lambda frames an invocation's log. */
  private formatLog(
    requestId: string,
    segment: LogSegment,
    durationMs: number,
    status: 'ok' | 'timeout' | 'error',
    initMs = this.initReported ? undefined : this.initDurationMs,
  ): string {
    const lines: string[] = [];
    const init = initMs;
    // The first invocation of an environment carries the init output (and Init Duration), as on Lambda.
    if (!this.initReported) lines.push(segment.preamble);
    this.initReported = true;
    lines.push(`START RequestId: ${requestId} Version: ${this.target.version}\n`);
    lines.push(segment.text);
    if (status === 'timeout') lines.push(`${timeoutLogLine(requestId, this.target.timeout, new Date())}\n`);
    lines.push(`END RequestId: ${requestId}\n`);
    const memoryMb = segment.maxMemoryBytes !== undefined ? Math.max(1, Math.round(segment.maxMemoryBytes / 1048576)) : undefined;
    let report =
      `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(durationMs))} ms\t` +
      `Memory Size: ${this.target.memorySize} MB\tMax Memory Used: ${memoryMb ?? '-'} MB\t`;
    if (init !== undefined) report += `Init Duration: ${init.toFixed(2)} ms\t`;
    if (status !== 'ok') report += `Status: ${status}\t`;
    lines.push(`${report}\n`);
    return lines.join('');
  }

  /**
   * Stops the runtime and removes the container. Safe to call more than once, from any state. `readFirst` (a read
   * from the container, never rejecting) is let finish first, within a bound.
   */
  stop(readFirst?: Promise<unknown>): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.stateValue !== 'stopped') this.moveTo('stopping');
    this.settle?.({ kind: 'exit', statusCode: this.exitCode ?? 137 });
    this.stopping = (async () => {
      try {
        // Removing the container takes its memory cgroup: a read of the peak still on its way would find nothing.
        if (readFirst) await waitAtMost(readFirst, PEAK_READ_WAIT_MS);
        await Promise.allSettled([this.container?.remove(), this.api?.close()]);
      } finally {
        this.moveTo('stopped');
        this.onStopped(this);
      }
    })();
    return this.stopping;
  }

  describe(): string {
    return `environment ${this.id.slice(0, 8)} of ${this.target.functionArn}:${this.target.version} (${this.stateValue})`;
  }
}

function jsonBody(body: FunctionErrorBody): Buffer {
  return Buffer.from(JSON.stringify(body));
}

/** An X-Ray trace header as Lambda passes it: Root=1-<epoch hex>-<96 bit hex>;Parent=<64 bit hex>;Sampled=0. */
export function newTraceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits for `work` (a read of the memory peak, which usually ends first) or `ms`, whichever comes first; the bound
 * does not keep the process alive, and a rejection of `work` ends the wait like its answer would.
 */
function waitAtMost(work: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
}
