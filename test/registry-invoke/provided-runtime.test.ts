// OS-only runtimes (provided.al2, provided.al2023) in real containers: the function's own bootstrap, from its code
// (/var/task/bootstrap) or a layer (/opt/bootstrap), runs against the Runtime API; and AWS_LAMBDA_EXEC_WRAPPER for
// the managed runtimes. pipe/standard:1 has no curl: the shell bootstrap speaks HTTP through bash's /dev/tcp.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDocker } from '../support/docker.js';
import { createDockerInvoker } from '../../src/registry/invoke/index.js';
import type { DockerInvoker } from '../../src/registry/invoke/index.js';
import { containersOf, decodeTail, json, makeTarget, request } from './support.js';

const work = mkdtempSync(join(tmpdir(), 'pipe-provided-test-'));

/** Zips files with their modes (a bootstrap must be executable, as on Lambda). */
function zipOf(files: Record<string, { content: string; mode?: number }>): string {
  const dir = join(work, randomUUID());
  for (const [path, f] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), f.content);
    chmodSync(join(dir, path), f.mode ?? 0o644);
  }
  execFileSync('zip', ['-q', '-r', '-X', `${dir}.zip`, '.'], { cwd: dir });
  return `${dir}.zip`;
}

/** A custom runtime in Node.js: the loop every provided.* bootstrap runs (next, handler, response or error). */
const NODE_RUNTIME = `
const api = 'http://' + process.env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime';
const [file, fn] = process.env._HANDLER.split('.');
const handler = (await import('/var/task/' + file + '.mjs'))[fn];
for (;;) {
  const next = await fetch(api + '/invocation/next');
  const id = next.headers.get('lambda-runtime-aws-request-id');
  const event = await next.json();
  try {
    const result = await handler(event, { awsRequestId: id, invokedFunctionArn: next.headers.get('lambda-runtime-invoked-function-arn') });
    await fetch(api + '/invocation/' + id + '/response', { method: 'POST', body: JSON.stringify(result) });
  } catch (e) {
    await fetch(api + '/invocation/' + id + '/error', { method: 'POST', body: JSON.stringify({ errorType: e.name, errorMessage: e.message }) });
  }
}
`;

/** The classic shell bootstrap, with bash's /dev/tcp in place of curl. */
const SHELL_BOOTSTRAP = `#!/bin/bash
set -u
host=\${AWS_LAMBDA_RUNTIME_API%:*}; port=\${AWS_LAMBDA_RUNTIME_API##*:}
echo "shell runtime up, handler $_HANDLER"
while true; do
  exec 3<>/dev/tcp/$host/$port
  printf 'GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n' "$AWS_LAMBDA_RUNTIME_API" >&3
  id=""; len=0
  while IFS= read -r line <&3; do
    line=\${line%$'\\r'}
    [ -z "$line" ] && break
    case "\${line,,}" in
      lambda-runtime-aws-request-id:*) id=\${line#*: } ;;
      content-length:*) len=\${line#*: } ;;
    esac
  done
  body=""
  [ "$len" -gt 0 ] && read -r -N "$len" body <&3
  exec 3<&-
  echo "handling $id"
  resp="{\\"runtime\\":\\"bash\\",\\"event\\":$body}"
  exec 3<>/dev/tcp/$host/$port
  printf 'POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\\r\\nHost: %s\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n%s' "$id" "$AWS_LAMBDA_RUNTIME_API" "\${#resp}" "$resp" >&3
  cat <&3 >/dev/null
  exec 3<&-
done
`;

describeDocker('provided.al2 / provided.al2023 and AWS_LAMBDA_EXEC_WRAPPER', () => {
  let invoker: DockerInvoker;
  beforeAll(async () => {
    invoker = await createDockerInvoker();
  });
  afterAll(async () => {
    await invoker.close();
    expect(await containersOf(invoker.invokerId)).toEqual([]);
    rmSync(work, { recursive: true, force: true });
  });

  it('provided.al2023 runs the code\'s bootstrap against the Runtime API, warm across invocations, errors included', async () => {
    const zip = zipOf({
      bootstrap: { content: '#!/bin/sh\nexec node /var/task/runtime.mjs\n', mode: 0o755 },
      'runtime.mjs': { content: NODE_RUNTIME },
      'function.mjs': {
        content: `export const handler = async (event, context) => {
          if (event.fail) throw new RangeError(event.fail);
          return { got: event, id: context.awsRequestId, execEnv: process.env.AWS_EXECUTION_ENV ?? null, handler: process.env._HANDLER, pid: process.pid };
        };`,
      },
    });
    const target = makeTarget({ codeZipPath: zip, runtime: 'provided.al2023', handler: 'function.handler' });
    const first = await invoker.invoke(request(target, { n: 1 }, { requestId: 'req-1' }));
    expect(first.functionError).toBeUndefined();
    const body = json(first.payload) as { pid: number };
    expect(body).toMatchObject({ got: { n: 1 }, id: 'req-1', execEnv: null, handler: 'function.handler' });
    const failed = await invoker.invoke(request(target, { fail: 'out of range' }));
    expect(failed.functionError).toBe('Unhandled');
    expect(json(failed.payload)).toEqual({ errorType: 'RangeError', errorMessage: 'out of range' });
    const again = await invoker.invoke(request(target, { n: 2 }));
    expect((json(again.payload) as { pid: number }).pid).toBe(body.pid); // the same runtime process: warm
    expect(invoker.environmentContainers(target.functionArn)).toHaveLength(1);
  });

  it('provided.al2 runs a layer\'s /opt/bootstrap (a shell script), its output framed in the Tail log', async () => {
    const code = zipOf({ 'handler.sh': { content: 'unused by this runtime\n' } });
    const layer = zipOf({ bootstrap: { content: SHELL_BOOTSTRAP, mode: 0o755 } });
    const target = makeTarget({ codeZipPath: code, layerZipPaths: [layer], runtime: 'provided.al2', handler: 'handler.sh' });
    const result = await invoker.invoke(request(target, { hello: 'shell' }, { logType: 'Tail', requestId: 'shell-1' }));
    expect(result.functionError).toBeUndefined();
    expect(json(result.payload)).toEqual({ runtime: 'bash', event: { hello: 'shell' } });
    const log = decodeTail(result.logResult);
    // What the runtime printed while starting comes first in a cold start's log, as in Lambda's.
    expect(log).toMatch(/^shell runtime up, handler handler\.sh\nSTART RequestId: shell-1 Version: \$LATEST\n/);
    expect(log).toContain('handling shell-1\n');
    expect(log).toMatch(/END RequestId: shell-1\nREPORT RequestId: shell-1\tDuration: /);
  });

  it('a provided function without a bootstrap fails its invocation, saying where Lambda looked', async () => {
    const target = makeTarget({ codeZipPath: zipOf({ 'main.sh': { content: 'echo hi\n', mode: 0o755 } }), runtime: 'provided.al2023', handler: 'main' });
    const result = await invoker.invoke(request(target, {}, { logType: 'Tail' }));
    expect(result.functionError).toBe('Unhandled');
    expect(json(result.payload)).toMatchObject({ errorType: 'Runtime.ExitError' });
    expect(decodeTail(result.logResult)).toContain("Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]");
  });

  it('AWS_LAMBDA_EXEC_WRAPPER starts nodejs18.x and python3.x through the wrapper, with the runtime\'s command line', async () => {
    const wrapper = { content: '#!/bin/sh\nexport WRAPPED_BY="$0"\nexport WRAPPED_ARGS="$*"\nexec "$@"\n', mode: 0o755 };
    const node = makeTarget({
      codeZipPath: zipOf({ 'wrap.sh': wrapper, 'index.js': { content: 'exports.handler = async () => ({ by: process.env.WRAPPED_BY, args: process.env.WRAPPED_ARGS });' } }),
      environment: { AWS_LAMBDA_EXEC_WRAPPER: '/var/task/wrap.sh' },
    });
    const n = json((await invoker.invoke(request(node))).payload) as { by: string; args: string };
    expect(n.by).toBe('/var/task/wrap.sh');
    expect(n.args).toMatch(/node \/var\/runtime\/bootstrap\.mjs$/);
    const python = makeTarget({
      codeZipPath: zipOf({ 'wrap.sh': wrapper, 'app.py': { content: 'import os\ndef handler(e, c):\n    return {"by": os.environ.get("WRAPPED_BY")}\n' } }),
      runtime: 'python3.11', handler: 'app.handler', environment: { AWS_LAMBDA_EXEC_WRAPPER: '/var/task/wrap.sh' },
    });
    expect(json((await invoker.invoke(request(python))).payload)).toEqual({ by: '/var/task/wrap.sh' });
    const plain = makeTarget({ codeZipPath: zipOf({ 'index.js': { content: 'exports.handler = async () => ({ by: process.env.WRAPPED_BY ?? null });' } }) });
    expect(json((await invoker.invoke(request(plain))).payload)).toEqual({ by: null });
  });
});
