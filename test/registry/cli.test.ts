// `pipe invoke`, `pipe functions`, `pipe layers` through the CLI's main(), against a running registry server.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createMemoryOutput } from '../../src/cli/output.js';
import { ROLE, handlerZip, makeZip, startRegistry } from './support.js';
import type { TestRegistry } from './support.js';

let t: TestRegistry;

const inherited = { region: process.env['AWS_REGION'], fallback: process.env['AWS_DEFAULT_REGION'] };

beforeAll(async () => {
  // The CLI reads the region from the environment as the AWS CLI does; these tests start from none (us-east-1).
  delete process.env['AWS_REGION'];
  delete process.env['AWS_DEFAULT_REGION'];
  t = await startRegistry({ settleMs: 0 });
  await t.registry.createFunction({ FunctionName: 'echo', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: handlerZip() } });
  await t.registry.publishLayerVersion({ LayerName: 'lib', Content: { ZipFile: makeZip([{ name: 'python/lib.py', content: '' }]) }, CompatibleRuntimes: ['python3.12'] });
});
afterAll(async () => {
  await t.stop();
  if (inherited.region !== undefined) process.env['AWS_REGION'] = inherited.region;
  if (inherited.fallback !== undefined) process.env['AWS_DEFAULT_REGION'] = inherited.fallback;
});

async function pipe(...argv: string[]) {
  const out = createMemoryOutput();
  const code = await main(argv, out);
  return { code, out: out.out, err: out.err };
}

describe('pipe CLI for the registry', () => {
  test('invoke over --endpoint prints the payload; --tail prints the log; a function error exits 1', async () => {
    const ok = await pipe('invoke', 'echo', '--payload', '{"a":1}', '--tail', '--endpoint', t.url);
    expect(ok).toMatchObject({ code: 0, out: '{"a":1}\n' });
    expect(ok.err).toMatch(/^START RequestId: \S+ Version: \$LATEST\n/);
    const failed = await pipe('invoke', 'echo:$LATEST', '--payload', '{"fail":"nope"}', '--endpoint', t.url, '--json');
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.out)).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled', ExecutedVersion: '$LATEST', RequestId: t.invoker.requests.at(-1)?.requestId });
  });

  test('--region, else AWS_REGION / AWS_DEFAULT_REGION as the AWS CLI, picks the region over HTTP and in-process', async () => {
    const scope = { region: 'eu-west-1' };
    await t.registry.createFunction({ FunctionName: 'west', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: handlerZip() } }, scope);
    await t.registry.waitUntilReady({ FunctionName: 'west' }, scope);
    expect(await pipe('invoke', 'west', '--payload', '{"w":1}', '--region', 'eu-west-1', '--endpoint', t.url)).toMatchObject({ code: 0, out: '{"w":1}\n' });
    expect(await pipe('invoke', 'west', '--endpoint', t.url)).toMatchObject({
      code: 2,
      err: 'error: Function not found: arn:aws:lambda:us-east-1:000000000000:function:west\n',
    });
    expect(await pipe('invoke', 'west', '--region', 'Europe', '--endpoint', t.url)).toMatchObject({ code: 2, err: 'error: Europe is not a region name (like us-east-1)\n' });
    const before = { home: process.env['PIPE_HOME'], region: process.env['AWS_REGION'], fallback: process.env['AWS_DEFAULT_REGION'] };
    process.env['PIPE_HOME'] = t.home;
    delete process.env['AWS_REGION'];
    process.env['AWS_DEFAULT_REGION'] = 'eu-west-1';
    try {
      expect(JSON.parse((await pipe('functions', '--json')).out)).toMatchObject([{ FunctionName: 'west', FunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:west' }]);
      expect(JSON.parse((await pipe('functions', '--json', '--endpoint', t.url)).out)).toMatchObject([{ FunctionName: 'west' }]);
      process.env['AWS_REGION'] = 'us-east-1';
      expect(JSON.parse((await pipe('functions', '--json', '--endpoint', t.url)).out)).toMatchObject([{ FunctionName: 'echo' }]);
    } finally {
      for (const [key, value] of [['PIPE_HOME', before.home], ['AWS_REGION', before.region], ['AWS_DEFAULT_REGION', before.fallback]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  test('bad input exits 2 with the registry\'s message', async () => {
    expect(await pipe('invoke', 'missing', '--endpoint', t.url)).toMatchObject({
      code: 2,
      err: 'error: Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing\n',
    });
    expect(await pipe('invoke', 'echo', '--payload', '{not json', '--endpoint', t.url)).toMatchObject({ code: 2 });
    expect((await pipe('registry', 'serve', '--port', 'x')).code).toBe(2);
    // Options are checked before Docker is asked anything.
    expect(await pipe('registry', 'serve', '--concurrency', '0')).toMatchObject({ code: 2, err: 'error: --concurrency 0 is not a whole number of at least 1\n' });
    expect(await pipe('registry', 'serve', '--idle-timeout', 'soon')).toMatchObject({ code: 2, err: 'error: --idle-timeout soon is not a whole number of at least 1\n' });
    expect(await pipe('registry', 'serve', '--image', 'python3.12')).toMatchObject({
      code: 2,
      err: 'error: --image python3.12 is not RUNTIME=IMAGE (like python3.12=my/python:3.12)\n',
    });
  });

  test('functions and layers list over HTTP and in-process (PIPE_HOME)', async () => {
    const overHttp = await pipe('functions', '--endpoint', t.url, '--json');
    expect(JSON.parse(overHttp.out)).toMatchObject([{ FunctionName: 'echo', Runtime: 'nodejs20.x' }]);
    const before = process.env['PIPE_HOME'];
    process.env['PIPE_HOME'] = t.home;
    try {
      const table = await pipe('functions');
      expect(table.out).toMatch(/^NAME\s+RUNTIME\s+HANDLER\s+MEMORY\s+TIMEOUT\s+LAST MODIFIED\necho\s+nodejs20\.x\s+index\.handler\s+128 MB\s+3 s\s+\S+\n$/);
      const layers = await pipe('layers', '--json');
      expect(JSON.parse(layers.out)).toMatchObject([{ LayerName: 'lib', LatestMatchingVersion: { Version: 1 } }]);
    } finally {
      if (before === undefined) delete process.env['PIPE_HOME'];
      else process.env['PIPE_HOME'] = before;
    }
  });
});
