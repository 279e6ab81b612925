// pipe's Node.js runtime bootstrap: loads the handler named by _HANDLER from LAMBDA_TASK_ROOT and serves
// invocations from the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, one at a time, until the process ends.
// Plain JS with no dependencies: it is copied into the execution environment as /var/runtime/bootstrap.mjs.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const API = process.env.AWS_LAMBDA_RUNTIME_API ?? '127.0.0.1:9001';
const [API_HOST, API_PORT] = splitHostPort(API);
const BASE = '/2018-06-01/runtime';
const TASK_ROOT = process.env.LAMBDA_TASK_ROOT ?? '/var/task';
const HANDLER = process.env._HANDLER ?? '';
// Lines that frame an invocation's output for the registry, written only when it asks (it wants the log).
const LOG_MARKER = '\u0000pipe:';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function splitHostPort(hostPort) {
  const i = hostPort.lastIndexOf(':');
  return i < 0 ? [hostPort, 80] : [hostPort.slice(0, i), Number(hostPort.slice(i + 1))];
}

/** One request to the Runtime API; resolves with { status, headers, body }. */
function request(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    // One write per request, with its length: no chunked encoding, nothing for Nagle to hold back.
    const allHeaders = data === undefined ? headers : { ...headers, 'content-length': data.length };
    const req = http.request(
      { host: API_HOST, port: API_PORT, method, path: BASE + urlPath, agent, headers: allHeaders, noDelay: true },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

// ---- errors, in the shape the Node.js runtime reports them ----

function toErrorBody(err, forcedType) {
  if (err instanceof Error) {
    return {
      errorType: forcedType ?? err.name ?? 'Error',
      errorMessage: err.message,
      trace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
    };
  }
  const message = typeof err === 'string' ? err : safeStringify(err);
  return { errorType: forcedType ?? 'string', errorMessage: message, trace: [] };
}

function safeStringify(value) {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return util.inspect(value);
  }
}

class UserCodeError extends Error {
  constructor(type, message, cause) {
    super(message);
    this.type = type;
    this.original = cause;
  }
}

function initErrorBody(err) {
  if (err instanceof UserCodeError) {
    const body = toErrorBody(err.original ?? err, err.type);
    body.errorMessage = err.message;
    return body;
  }
  return toErrorBody(err);
}

// ---- console, formatted as Lambda formats it: time, request id, level, message ----

let currentRequestId = undefined;

function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => {
      let text = util.format(...args);
      if (method === 'trace') text = `Trace: ${text}\n${new Error().stack.split('\n').slice(2).join('\n')}`;
      const line = `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${text}\n`;
      process.stdout.write(line);
    };
  }
}

// ---- loading the handler ----

async function loadHandler() {
  const match = /^([^.]*)\.(.*)$/.exec(HANDLER);
  if (!match || !match[1] || !match[2]) throw new UserCodeError('Runtime.MalformedHandlerName', 'Bad handler');
  const [, moduleName, handlerPath] = match;
  const mod = await loadModule(moduleName);
  let handler = mod;
  for (const key of handlerPath.split('.')) {
    handler = handler == null ? undefined : handler[key];
  }
  if (handler === undefined && mod && mod.default && typeof mod.default === 'object') {
    // A CommonJS module imported as ESM exposes module.exports as `default`.
    handler = handlerPath.split('.').reduce((o, k) => (o == null ? undefined : o[k]), mod.default);
  }
  if (handler === undefined) {
    throw new UserCodeError('Runtime.HandlerNotFound', `${moduleName}.${handlerPath} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw new UserCodeError('Runtime.HandlerNotFound', `${moduleName}.${handlerPath} is not a function`);
  }
  return handler;
}

async function loadModule(moduleName) {
  const base = path.resolve(TASK_ROOT, moduleName);
  // Paths given to it are absolute; the anchor only shows in a require stack, where Lambda's runtime shows its own.
  const require = createRequire('/var/runtime/index.mjs');
  try {
    for (const ext of ['.js', '.mjs', '.cjs']) {
      const file = base + ext;
      if (!fs.existsSync(file)) continue;
      if (ext === '.mjs') return await import(pathToFileURL(file).href);
      if (ext === '.cjs') return require(file);
      try {
        return require(file);
      } catch (e) {
        if (e && e.code === 'ERR_REQUIRE_ESM') return await import(pathToFileURL(file).href);
        throw e;
      }
    }
    // A directory or a package on NODE_PATH, resolved the way require does.
    let resolved;
    try {
      resolved = require.resolve(base);
    } catch {
      throw new UserCodeError(
        'Runtime.ImportModuleError',
        `Error: Cannot find module '${moduleName}'\nRequire stack:\n- /var/runtime/index.mjs`,
      );
    }
    return resolved.endsWith('.mjs') ? await import(pathToFileURL(resolved).href) : require(resolved);
  } catch (e) {
    if (e instanceof UserCodeError) throw e;
    if (e instanceof SyntaxError) throw new UserCodeError('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`, e);
    if (e && (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new UserCodeError('Runtime.ImportModuleError', `Error: ${e.message}`, e);
    }
    throw e;
  }
}

// ---- the context object ----

function parseJsonHeader(value) {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function createContext(headers, finish) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const clientContext = parseJsonHeader(headers['lambda-runtime-client-context']);
  const identity = parseJsonHeader(headers['lambda-runtime-cognito-identity']);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity,
    clientContext,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    // The legacy completion methods, still honoured by the Node.js runtime.
    done: (err, result) => finish(err, result),
    succeed: (result) => finish(null, result),
    fail: (err) => finish(err ?? 'handled', undefined),
  };
}

// ---- the loop ----

function maxMemoryUsed() {
  for (const file of ['/sys/fs/cgroup/memory/memory.max_usage_in_bytes', '/sys/fs/cgroup/memory.peak']) {
    try {
      return Number(fs.readFileSync(file, 'utf8').trim());
    } catch {
      // not this cgroup layout
    }
  }
  return process.memoryUsage().rss;
}

let markersWanted = false;

function markStart(requestId) {
  if (markersWanted) process.stdout.write(`${LOG_MARKER}start:${requestId}\n`);
}

function markEnd(requestId) {
  if (markersWanted) process.stdout.write(`${LOG_MARKER}end:${requestId}:${maxMemoryUsed()}\n`);
}

// What to do when the event loop runs empty during an invocation (see runHandler). The bootstrap holds no
// handle of its own while a handler runs (the HTTP agent's idle socket is unref'd), so 'beforeExit' fires
// exactly when the function's work is all done, as Lambda's runtime detects it.
let onEventLoopEmpty = null;
process.on('beforeExit', () => onEventLoopEmpty?.());

/**
 * Runs the handler the way Lambda's Node.js runtime does: a returned promise settles the invocation; a callback
 * settles it once the event loop is empty (or at once if context.callbackWaitsForEmptyEventLoop is false); a
 * synchronous handler that never calls back gives null once the event loop is empty, whatever it returned.
 */
function runHandler(handler, event, headers) {
  return new Promise((resolve) => {
    let settled = false;
    let called = false;
    const settle = (outcome) => {
      if (settled) return;
      settled = true;
      onEventLoopEmpty = null;
      resolve(outcome);
    };
    const outcomeOf = (err, result) => (err !== null && err !== undefined ? { ok: false, error: err } : { ok: true, result });
    const finishNow = (err, result) => settle(outcomeOf(err, result));
    const ctx = createContext(headers, finishNow);
    const callback = (err, result) => {
      if (called || settled) return;
      called = true;
      if (ctx.callbackWaitsForEmptyEventLoop) onEventLoopEmpty = () => finishNow(err, result);
      else finishNow(err, result);
    };
    try {
      const returned = handler(event, ctx, callback);
      if (returned && typeof returned.then === 'function') {
        returned.then(
          (result) => finishNow(null, result),
          (err) => finishNow(err ?? new Error('Promise rejected with a falsy value'), undefined),
        );
        // A promise that can no longer settle: keep the process up so that the invocation times out.
        if (!called) onEventLoopEmpty = () => setTimeout(() => undefined, 2 ** 31 - 1);
      } else if (!called) {
        onEventLoopEmpty = () => finishNow(null, null);
      }
    } catch (err) {
      finishNow(err, undefined);
    }
  });
}

async function serve(handler) {
  for (;;) {
    const next = await request('GET', '/invocation/next');
    if (next.status !== 200) throw new Error(`Runtime API /next answered ${next.status}`);
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    const traceId = next.headers['lambda-runtime-trace-id'];
    if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
    else delete process.env._X_AMZN_TRACE_ID;
    currentRequestId = requestId;
    markersWanted = next.headers['x-pipe-log-markers'] === '1';
    markStart(requestId);
    let event;
    try {
      event = next.body.length === 0 ? {} : JSON.parse(next.body.toString('utf8'));
    } catch (e) {
      markEnd(requestId);
      await postError(requestId, toErrorBody(e, 'Runtime.UnmarshalError'));
      continue;
    }
    const outcome = await runHandler(handler, event, next.headers);
    if (outcome.ok) {
      let payload;
      try {
        payload = JSON.stringify(outcome.result === undefined ? null : outcome.result);
      } catch (e) {
        markEnd(requestId);
        await postError(requestId, toErrorBody(e, 'Runtime.MarshalError'));
        continue;
      }
      markEnd(requestId);
      await request('POST', `/invocation/${requestId}/response`, payload, { 'content-type': 'application/json' });
    } else {
      const body = toErrorBody(outcome.error);
      console.error(`Invoke Error \t${JSON.stringify(body)}`);
      markEnd(requestId);
      await postError(requestId, body);
    }
    currentRequestId = undefined;
  }
}

async function postError(requestId, body) {
  await request('POST', `/invocation/${requestId}/error`, JSON.stringify(body), {
    'content-type': 'application/json',
    'lambda-runtime-function-error-type': body.errorType,
  });
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    const body = initErrorBody(e);
    console.error(`Uncaught Exception \t${JSON.stringify(body)}`);
    await request('POST', '/init/error', JSON.stringify(body), {
      'content-type': 'application/json',
      'lambda-runtime-function-error-type': body.errorType,
    });
    process.exit(1);
  }
  await serve(handler);
}

// An error nobody catches ends the runtime process, as on Lambda: the invocation in flight gets the error,
// and the registry replaces the environment.
async function crash(body, label, exitCode) {
  console.error(`${label} \t${JSON.stringify(body)}`);
  const requestId = currentRequestId;
  if (requestId !== undefined) {
    markEnd(requestId);
    await postError(requestId, body).catch(() => undefined);
  }
  process.exit(exitCode);
}
process.on('unhandledRejection', (reason) => {
  void crash(toErrorBody(reason, 'Runtime.UnhandledPromiseRejection'), 'Unhandled Promise Rejection', 128);
});
process.on('uncaughtException', (err) => {
  void crash(toErrorBody(err), 'Uncaught Exception', 129);
});

await main();
