// Benchmark of the registry's invoke side on a trivial Node.js handler: warm invoke latency through the Lambda
// HTTP API (p50, p99), cold start (create environment + first invoke) next to a bare `docker run`, and throughput
// with 4 warm environments; and the speed of behaviours the tests check for correctness only (eager callback,
// timeout, remaining time). Imports the compiled code from dist/ (`npm run build`). Loopback only, bounded loops.
// Run alone: `node bench/registry.mjs`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const IMAGE = process.env.PIPE_BENCH_IMAGE ?? 'pipe/standard:1';
const FUNCTION_NAME = 'bench-echo';
const WARM_WARMUP = 100;
const WARM_SAMPLES = 1000;
const COLD_SAMPLES = 9;
const THROUGHPUT_INVOCATIONS = 4000;
const THROUGHPUT_CLIENTS = 4;

async function importDist(path) {
  return import(pathToFileURL(join(ROOT, 'dist', path)).href);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function median(values) {
  return percentile([...values].sort((a, b) => a - b), 50);
}

function round(n, digits = 2) {
  return Number(n.toFixed(digits));
}

function makeHandlerZip(dir) {
  const src = join(dir, 'src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'index.js'), 'exports.handler = async (event) => ({ ok: true, echo: event });\n');
  const zip = join(dir, 'function.zip');
  execFileSync('zip', ['-q', '-X', zip, 'index.js'], { cwd: src });
  return zip;
}

/** One invocation path: through the HTTP API when the control plane is built, else straight to the Invoker. */
async function openPath(invoker, zipPath, home) {
  let registryModule;
  try {
    // PIPE_BENCH_VIA=invoker measures the invoke side alone, without the control plane and its HTTP server.
    registryModule = process.env.PIPE_BENCH_VIA === 'invoker' ? undefined : await importDist('registry/index.js');
  } catch {
    registryModule = undefined;
  }
  if (registryModule?.Registry && registryModule?.RegistryServer) {
    const { Registry, RegistryServer } = registryModule;
    const registry = Registry.open({ invoker, home });
    await registry.createFunction({
      FunctionName: FUNCTION_NAME,
      Role: 'arn:aws:iam::000000000000:role/bench',
      Code: { ZipFile: readFileSync(zipPath) },
      Runtime: 'nodejs18.x',
      Handler: 'index.handler',
      MemorySize: 128,
      Timeout: 3,
    });
    await registry.waitUntilReady({ FunctionName: FUNCTION_NAME });
    const server = new RegistryServer({ registry, port: 0 });
    const url = new URL(await server.listen());
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const body = Buffer.from('{"bench":true}');
    const invoke = () =>
      new Promise((resolve, reject) => {
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path: `/2015-03-31/functions/${FUNCTION_NAME}/invocations`,
            agent,
            headers: { 'content-type': 'application/json', 'content-length': body.length },
          },
          (res) => {
            res.resume();
            res.on('end', () => (res.statusCode === 200 && !res.headers['x-amz-function-error'] ? resolve() : reject(new Error(`invoke answered ${res.statusCode}`))));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const arn = (await registry.getFunctionConfiguration({ FunctionName: FUNCTION_NAME })).FunctionArn;
    return {
      via: 'HTTP API',
      invoke,
      arn,
      setConcurrency: (n) => registry.putFunctionConcurrency({ FunctionName: FUNCTION_NAME, ReservedConcurrentExecutions: n }),
      async close() {
        agent.destroy();
        await server.close();
        registry.close();
      },
    };
  }
  const arn = `arn:aws:lambda:us-east-1:000000000000:function:${FUNCTION_NAME}`;
  const target = {
    functionName: FUNCTION_NAME,
    functionArn: arn,
    invokedFunctionArn: arn,
    version: '$LATEST',
    revisionId: 'bench',
    runtime: 'nodejs18.x',
    handler: 'index.handler',
    memorySize: 128,
    timeout: 3,
    environment: {},
    region: 'us-east-1',
    codeZipPath: zipPath,
    layerZipPaths: [],
  };
  const payload = Buffer.from('{"bench":true}');
  return {
    via: process.env.PIPE_BENCH_VIA === 'invoker' ? 'Invoker' : 'Invoker, no HTTP API built',
    async invoke() {
      const r = await invoker.invoke({ target, payload, logType: 'None' });
      if (r.functionError) throw new Error(`function error: ${r.payload.toString()}`);
    },
    arn,
    async setConcurrency(n) {
      target.reservedConcurrency = n;
    },
    async close() {},
  };
}

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function zipOf(dir, name, source) {
  const src = join(dir, name);
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'index.js'), source);
  const zip = join(dir, `${name}.zip`);
  execFileSync('zip', ['-q', '-X', zip, 'index.js'], { cwd: src });
  return zip;
}

function targetOf(functionName, codeZipPath, timeout) {
  const functionArn = `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`;
  return {
    functionName, functionArn, invokedFunctionArn: functionArn, version: '$LATEST', revisionId: functionName, codeZipPath,
    runtime: 'nodejs18.x', handler: 'index.handler', memorySize: 128, timeout, environment: {}, region: 'us-east-1', layerZipPaths: [],
  };
}

const requestOf = (target, payload) => ({ target, payload: Buffer.from(JSON.stringify(payload)), logType: 'None' });

/**
 * The speed of behaviours the tests check only for correctness (they run on busy machines): a warm answer with
 * callbackWaitsForEmptyEventLoop false, how soon after a 1 s timeout the answer comes, how much of a 7 s timeout
 * is left when the handler starts.
 */
export async function benchBehaviours(invoker, dir) {
  const eager = targetOf('bench-eager', zipOf(dir, 'eager', `exports.handler = (e, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false; setTimeout(() => {}, 600); callback(null, context.getRemainingTimeInMillis()); };\n`), 7);
  await invoker.invoke(requestOf(eager, {}));
  const eagerMs = [];
  const remaining = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = await invoker.invoke(requestOf(eager, {}));
    eagerMs.push(performance.now() - t0);
    remaining.push(JSON.parse(r.payload.toString('utf8')));
  }
  const hang = targetOf('bench-timeout', zipOf(dir, 'hang', 'exports.handler = async (e) => (e.hang ? new Promise(() => setInterval(() => {}, 1000)) : 0);\n'), 1);
  const timeoutMs = [];
  for (let i = 0; i < 3; i++) {
    await invoker.invoke(requestOf(hang, {})); // warm: a timed-out environment is replaced
    const t0 = performance.now();
    await invoker.invoke(requestOf(hang, { hang: true }));
    timeoutMs.push(performance.now() - t0);
  }
  const eagerP50 = median(eagerMs);
  const timeoutP50 = median(timeoutMs);
  const left = Math.min(...remaining);
  return [
    { name: 'warm answer, callbackWaitsForEmptyEventLoop false, a 600 ms timer pending (median of 5)', value: round(eagerP50, 0), unit: 'ms', target: '< 500 ms', ok: eagerP50 < 500 },
    { name: 'answer of a 1 s timeout in a warm environment, from the request (median of 3)', value: round(timeoutP50, 0), unit: 'ms', target: '< 2500 ms', ok: timeoutP50 < 2500 },
    { name: 'remaining time at the handler start, 7 s timeout (least of 5)', value: round(left, 0), unit: 'ms', target: '> 6000 ms', ok: left > 6000 },
  ];
}

function bareDockerRunMs() {
  const t0 = performance.now();
  const r = spawnSync('docker', ['run', '--rm', IMAGE, 'node', '-e', '0'], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`docker run ${IMAGE} failed (status ${r.status})`);
  return performance.now() - t0;
}

export async function benchRegistry() {
  const { createDockerInvoker } = await importDist('registry/invoke/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'pipe-bench-registry-'));
  const invoker = await createDockerInvoker({ defaultConcurrency: 8 });
  let path;
  try {
    path = await openPath(invoker, makeHandlerZip(dir), join(dir, 'home'));

    // Cold start: retire the function's environments, then one invocation; the code archive is cached after the
    // first round, as it is for every cold start of a deployed revision but its first.
    // The two are measured alternately, so that drift in the machine's load affects both alike.
    await path.invoke();
    bareDockerRunMs();
    const cold = [];
    const bare = [];
    for (let i = 0; i < COLD_SAMPLES; i++) {
      await invoker.retire(path.arn);
      cold.push(await timed(path.invoke));
      bare.push(bareDockerRunMs());
    }

    // Warm latency: one client, one environment, sequential invocations.
    await invoker.retire(path.arn);
    for (let i = 0; i < WARM_WARMUP; i++) await path.invoke();
    const warm = [];
    for (let i = 0; i < WARM_SAMPLES; i++) warm.push(await timed(path.invoke));
    warm.sort((a, b) => a - b);

    // Throughput: 4 environments kept warm (reserved concurrency 4), 4 clients in closed loops.
    await path.setConcurrency(THROUGHPUT_CLIENTS);
    await invoker.retire(path.arn);
    await Promise.all(Array.from({ length: THROUGHPUT_CLIENTS }, () => path.invoke()));
    for (let i = 0; i < 50; i++) await Promise.all(Array.from({ length: THROUGHPUT_CLIENTS }, () => path.invoke()));
    const environments = invoker.environmentContainers(path.arn).length;
    let remaining = THROUGHPUT_INVOCATIONS;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: THROUGHPUT_CLIENTS }, async () => {
        while (remaining > 0) {
          remaining -= 1;
          await path.invoke();
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;

    const coldMs = median(cold);
    const bareMs = median(bare);
    const behaviours = await benchBehaviours(invoker, dir);
    return [
      ...behaviours,
      { name: `registry warm invoke p50 (${path.via})`, value: round(percentile(warm, 50)), unit: 'ms', target: '< 5 ms', ok: percentile(warm, 50) < 5 },
      { name: `registry warm invoke p99 (${path.via})`, value: round(percentile(warm, 99)), unit: 'ms' },
      { name: `registry cold start, create environment + first invoke (median of ${COLD_SAMPLES})`, value: round(coldMs, 0), unit: 'ms' },
      { name: `bare docker run --rm ${IMAGE} node -e 0 (median of ${COLD_SAMPLES})`, value: round(bareMs, 0), unit: 'ms' },
      { name: 'registry cold start / bare docker run', value: round(coldMs / bareMs), unit: 'x', target: '< 1.5x', ok: coldMs / bareMs < 1.5 },
      { name: `registry throughput, ${environments} warm environments, ${THROUGHPUT_CLIENTS} clients`, value: round(THROUGHPUT_INVOCATIONS / seconds, 0), unit: 'invocations/s', target: '>= 500/s', ok: THROUGHPUT_INVOCATIONS / seconds >= 500 },
    ];
  } finally {
    await path?.close();
    await invoker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await benchRegistry();
  for (const row of rows) process.stdout.write(`${row.name}: ${row.value} ${row.unit}${row.target === undefined ? '' : ` (target ${row.target}: ${row.ok ? 'met' : 'missed'})`}\n`);
}
