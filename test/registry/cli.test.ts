// `pipe invoke`, `pipe functions`, `pipe layers` through the CLI's main(), against a running registry server.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createMemoryOutput } from '../../src/cli/output.js';
import { ROLE, handlerZip, makeZip, startRegistry } from './support.js';
import type { TestRegistry } from './support.js';

let t: TestRegistry;

beforeAll(async () => {
  t = await startRegistry({ settleMs: 0 });
  await t.registry.createFunction({ FunctionName: 'echo', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: handlerZip() } });
  await t.registry.publishLayerVersion({ LayerName: 'lib', Content: { ZipFile: makeZip([{ name: 'python/lib.py', content: '' }]) }, CompatibleRuntimes: ['python3.12'] });
});
afterAll(async () => t.stop());

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
    expect(JSON.parse(failed.out)).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled', ExecutedVersion: '$LATEST' });
  });

  test('bad input exits 2 with the registry\'s message', async () => {
    expect(await pipe('invoke', 'missing', '--endpoint', t.url)).toMatchObject({
      code: 2,
      err: 'error: Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing\n',
    });
    expect(await pipe('invoke', 'echo', '--payload', '{not json', '--endpoint', t.url)).toMatchObject({ code: 2 });
    expect((await pipe('registry', 'serve', '--port', 'x')).code).toBe(2);
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
