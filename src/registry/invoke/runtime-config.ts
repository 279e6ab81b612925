// What an execution environment of a runtime looks like from inside: the bootstrap command, the search paths
// and the environment variables Lambda sets (recorded on real AWS, see reference/lambda.md 3.3 and 3.4).
import { randomBytes } from 'node:crypto';
import { RegistryError } from '../errors.js';
import type { InvokeTarget } from '../invoke-port.js';

export const RUNTIME_FAMILIES = ['nodejs', 'python', 'provided'] as const;
export type RuntimeFamily = (typeof RUNTIME_FAMILIES)[number];
/** The families whose bootstrap is pipe's own (runtimes/); an OS-only runtime (`provided.*`) brings its own. */
export type ManagedFamily = Exclude<RuntimeFamily, 'provided'>;

export interface RuntimeInfo {
  family: RuntimeFamily;
  /** `18` for nodejs18.x, `3.12` for python3.12, `al2023` for provided.al2023. */
  version: string;
  /** The container's command: the bootstrap, with stderr joined to stdout as Lambda joins them in one log. */
  command: string[];
}

/** Where the bootstraps live inside the environment (LAMBDA_RUNTIME_DIR). */
export const RUNTIME_DIR = '/var/runtime';
export const TASK_ROOT = '/var/task';
export const BOOTSTRAP_FILES: Readonly<Record<ManagedFamily, string>> = {
  nodejs: 'bootstrap.mjs',
  python: 'bootstrap.py',
};

/** The runtime asked for is one the invoke side cannot run: Lambda's 502 `InvalidRuntimeException`. */
export class InvalidRuntimeError extends RegistryError {
  constructor(runtime: string) {
    super('InvalidRuntimeException', `The runtime parameter of ${runtime} is not supported by the registry`, {
      hint: 'the registry runs nodejs*.x, python3.* and provided.al2 / provided.al2023 functions',
    });
    this.name = 'InvalidRuntimeError';
  }
}

/**
 * A managed runtime starts through AWS_LAMBDA_EXEC_WRAPPER when the function sets it, as Lambda does: the wrapper
 * gets the runtime's command line as its arguments and is expected to exec it.
 */
const WRAPPER = '${AWS_LAMBDA_EXEC_WRAPPER:+"$AWS_LAMBDA_EXEC_WRAPPER"}';

/** Where Lambda looks for an OS-only runtime's bootstrap, in this order (the function's code, then a layer). */
export const PROVIDED_BOOTSTRAPS = ['/var/task/bootstrap', '/opt/bootstrap'] as const;

export function describeRuntime(runtime: string): RuntimeInfo {
  const node = /^nodejs(\d+)\.x$/.exec(runtime);
  if (node) {
    return {
      family: 'nodejs',
      version: node[1] ?? '',
      command: ['/bin/sh', '-c', `exec ${WRAPPER} "$(${nodeOfMajor(node[1] ?? '')})" ${RUNTIME_DIR}/${BOOTSTRAP_FILES.nodejs} 2>&1`],
    };
  }
  const python = /^python(3\.\d+)$/.exec(runtime);
  if (python) {
    return {
      family: 'python',
      version: python[1] ?? '',
      command: ['/bin/sh', '-c', `exec ${WRAPPER} python3 -u ${RUNTIME_DIR}/${BOOTSTRAP_FILES.python} 2>&1`],
    };
  }
  const provided = /^provided(?:\.(al2|al2023))?$/.exec(runtime);
  if (provided) {
    // The first bootstrap found is run as the runtime (its own process, its own Runtime API client). Lambda does
    // not apply AWS_LAMBDA_EXEC_WRAPPER to OS-only runtimes: the bootstrap is already the function's to write.
    const find = PROVIDED_BOOTSTRAPS.map((b) => `if [ -e ${b} ]; then exec ${b} 2>&1; fi; `).join('');
    const missing = `echo "Couldn't find valid bootstrap(s): [${PROVIDED_BOOTSTRAPS.join(' ')}]" >&2; exit 127`;
    return { family: 'provided', version: provided[1] ?? 'al1', command: ['/bin/sh', '-c', `${find}${missing}`] };
  }
  throw new InvalidRuntimeError(runtime);
}

/**
 * The runtime's own Node.js major: pipe/standard:7.0 keeps Node 18, 20 and 22 in n's cache
 * (/usr/local/n/versions/node/<version>), so nodejs20.x runs Node 20 there; an image without it runs its `node`.
 */
function nodeOfMajor(major: string): string {
  return `ls -d /usr/local/n/versions/node/${major}.*/bin/node 2>/dev/null | sort -V | tail -n 1 | grep . || echo node`;
}

/** The language versions pipe's own images hold (scripts/setup.sh, scripts/images/), for the notes a function gets. */
const IMAGE_RUNTIMES: Readonly<Record<string, Readonly<Record<ManagedFamily, readonly string[]>>>> = {
  'pipe/standard:1': { nodejs: ['18'], python: ['3.11'] },
  'pipe/standard:7.0': { nodejs: ['18', '20', '22'], python: ['3.11'] },
};

const LANGUAGE: Readonly<Record<ManagedFamily, string>> = { nodejs: 'Node.js', python: 'Python' };

/**
 * Whether a runtime can run in `image`, and, when the image has another version of its language, a note saying
 * which runs (as the function's StateReason and in its first invocation's log): never another version silently.
 */
export function runtimeSupportIn(runtime: string, image: string): { supported: true; note?: string } | { supported: false; reason: string } {
  let info: RuntimeInfo;
  try {
    info = describeRuntime(runtime);
  } catch {
    return { supported: false, reason: `pipe's registry cannot run ${runtime}: it runs nodejs*.x, python3.* and provided.al2 / provided.al2023 functions (Node.js 18, 20 and 22 in pipe/standard:7.0, 18 in pipe/standard:1; Python 3.11)` };
  }
  if (info.family === 'provided') return { supported: true };
  const versions = IMAGE_RUNTIMES[image]?.[info.family];
  if (!versions || versions.includes(info.version)) return { supported: true };
  const language = LANGUAGE[info.family];
  const runsOn = versions.length === 1 ? `${language} ${versions[0]}` : `the image's default ${language} (it has ${versions.join(', ')})`;
  return { supported: true, note: `${runtime} runs on ${runsOn} here: ${image} has no ${language} ${info.version}` };
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface EnvironmentVariableOptions {
  runtimeApi: string;
  credentials: Credentials;
  /** Handed to the function as AWS_ENDPOINT_URL, so SDK calls it makes reach the local registry. */
  endpointUrl?: string;
  now?: Date;
}

/** `YYYY/MM/DD/[<version>]<32 hex>`, one per environment. */
export function newLogStreamName(version: string, now: Date): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${version}]${randomBytes(16).toString('hex')}`;
}

/**
 * Lambda's defaults that a function may override, then the function's own variables, then the reserved ones
 * that nobody overrides (the control plane already rejects reserved names in Environment.Variables).
 */
export function buildEnvironmentVariables(target: InvokeTarget, info: RuntimeInfo, options: EnvironmentVariableOptions): Record<string, string> {
  const now = options.now ?? new Date();
  const defaults: Record<string, string> = {
    LANG: 'en_US.UTF-8',
    PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
    LD_LIBRARY_PATH: '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    // The control plane accepts TZ (it is not among RESERVED_ENVIRONMENT_KEYS), and Lambda honours a function's
    // TZ today (TZ=Asia/Tokyo is common practice), so it is a default here, not something silently replaced.
    TZ: ':UTC',
    ...searchPaths(info),
    ...(options.endpointUrl ? { AWS_ENDPOINT_URL: options.endpointUrl } : {}),
  };
  const reserved: Record<string, string> = {
    _HANDLER: target.handler,
    AWS_REGION: target.region,
    AWS_DEFAULT_REGION: target.region,
    // Absent for OS-only runtimes, as on Lambda.
    ...(info.family === 'provided' ? {} : { AWS_EXECUTION_ENV: `AWS_Lambda_${target.runtime}` }),
    AWS_LAMBDA_FUNCTION_NAME: target.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(target.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: target.version,
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(target.timeout),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${target.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: newLogStreamName(target.version, now),
    AWS_LAMBDA_RUNTIME_API: options.runtimeApi,
    AWS_ACCESS_KEY_ID: options.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: options.credentials.sessionToken,
    LAMBDA_TASK_ROOT: TASK_ROOT,
    LAMBDA_RUNTIME_DIR: RUNTIME_DIR,
  };
  return { ...defaults, ...target.environment, ...reserved };
}

function searchPaths(info: RuntimeInfo): Record<string, string> {
  switch (info.family) {
    case 'nodejs':
      return {
        NODE_PATH: `/opt/nodejs/node${info.version}/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task`,
      };
    case 'python':
      // As on Lambda: the bootstrap puts /var/task, /opt/python/lib/pythonX.Y/site-packages and /opt/python
      // at the front of sys.path; the variable itself only names the runtime directory.
      return { PYTHONPATH: '/var/runtime' };
    case 'provided':
      return {};
    default: {
      const never: never = info.family;
      throw new Error(`unexpected runtime family: ${String(never)}`);
    }
  }
}
