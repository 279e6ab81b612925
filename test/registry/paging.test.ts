// List pages follow an opaque cursor on the sort key: items added or removed between two pages make the next page
// neither skip nor repeat an item (an offset would), for functions, versions, aliases, layers and layer versions.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROLE, handlerZip, makeZip, startRegistry } from './support.js';
import type { TestRegistry } from './support.js';

let t: TestRegistry;
beforeAll(async () => {
  t = await startRegistry({ settleMs: 0 });
});
afterAll(async () => t.stop());

async function page(path: string, key: string, marker?: string): Promise<{ names: unknown[]; next?: string }> {
  const sep = path.includes('?') ? '&' : '?';
  const res = await fetch(`${t.url}${path}${sep}MaxItems=2${marker === undefined ? '' : `&Marker=${encodeURIComponent(marker)}`}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as Record<string, unknown>;
  const items = body[key] as Record<string, unknown>[];
  const next = body['NextMarker'];
  return { names: items.map((i) => i['FunctionName'] === undefined ? i['Name'] ?? i['LayerName'] ?? i['Version'] : `${String(i['FunctionName'])}:${String(i['Version'])}`), ...(typeof next === 'string' ? { next } : {}) };
}

const create = (name: string) =>
  t.registry.createFunction({ FunctionName: name, Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: handlerZip() } });

describe('cursors', () => {
  test('ListFunctions: deleting a listed function, then adding two before the cursor, moves nothing', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) await create(n);
    const first = await page('/2015-03-31/functions', 'Functions');
    expect(first.names).toEqual(['a:$LATEST', 'b:$LATEST']);
    await t.registry.deleteFunction({ FunctionName: 'a' });
    const second = await page('/2015-03-31/functions', 'Functions', first.next);
    expect(second.names).toEqual(['c:$LATEST', 'd:$LATEST']);
    await create('aa');
    await create('ab');
    const third = await page('/2015-03-31/functions', 'Functions', second.next);
    expect(third).toEqual({ names: ['e:$LATEST'] });
  });

  test('ListVersionsByFunction and ListAliases', async () => {
    for (let i = 0; i < 3; i++) {
      await t.registry.updateFunctionConfiguration({ FunctionName: 'e', Description: `v${i}` });
      await t.registry.waitUntilReady({ FunctionName: 'e' });
      await t.registry.publishVersion({ FunctionName: 'e' });
    }
    const first = await page('/2015-03-31/functions/e/versions', 'Versions');
    expect(first.names).toEqual(['e:$LATEST', 'e:1']);
    await t.registry.deleteFunction({ FunctionName: 'e', Qualifier: '1' });
    expect((await page('/2015-03-31/functions/e/versions', 'Versions', first.next)).names).toEqual(['e:2', 'e:3']);

    for (const n of ['a1', 'b1', 'c1']) await t.registry.createAlias({ FunctionName: 'e', Name: n, FunctionVersion: '2' });
    const aliases = await page('/2015-03-31/functions/e/aliases', 'Aliases');
    expect(aliases.names).toEqual(['a1', 'b1']);
    await t.registry.createAlias({ FunctionName: 'e', Name: 'a2', FunctionVersion: '2' });
    expect((await page('/2015-03-31/functions/e/aliases', 'Aliases', aliases.next))).toEqual({ names: ['c1'] });
  });

  test('ListLayerVersions (newest first) and ListLayers', async () => {
    const zip = makeZip([{ name: 'lib/x.js', content: 'x' }]);
    for (let i = 0; i < 4; i++) await t.registry.publishLayerVersion({ LayerName: 'lay', Content: { ZipFile: zip } });
    const first = await page('/2018-10-31/layers/lay/versions', 'LayerVersions');
    expect(first.names).toEqual([4, 3]);
    await t.registry.publishLayerVersion({ LayerName: 'lay', Content: { ZipFile: zip } });
    expect((await page('/2018-10-31/layers/lay/versions', 'LayerVersions', first.next)).names).toEqual([2, 1]);

    for (const n of ['m', 'n']) await t.registry.publishLayerVersion({ LayerName: n, Content: { ZipFile: zip } });
    const layers = await page('/2018-10-31/layers', 'Layers');
    expect(layers.names).toEqual(['lay', 'm']);
    await t.registry.deleteLayerVersion({ LayerName: 'lay', VersionNumber: 5 });
    for (const v of [1, 2, 3, 4]) await t.registry.deleteLayerVersion({ LayerName: 'lay', VersionNumber: v });
    expect(await page('/2018-10-31/layers', 'Layers', layers.next)).toEqual({ names: ['n'] });
  });

  test('a marker that is not one of ours is refused', async () => {
    const res = await fetch(`${t.url}/2015-03-31/functions?Marker=${Buffer.from('{"after":[{}]}').toString('base64url')}`);
    expect({ status: res.status, type: res.headers.get('x-amzn-errortype') }).toEqual({ status: 400, type: 'InvalidParameterValueException' });
  });
});
