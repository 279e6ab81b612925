// Blob garbage collection: a code or layer zip stays on disk while a function version or layer version refers to
// it, and goes with its last reference (delete function, delete version, delete layer version, code replaced).
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Registry } from '../../src/registry/index.js';
import { EchoInvoker, ROLE, handlerZip, makeZip } from './support.js';

let home: string;
let registry: Registry;

/** The blobs folder, as file names. */
function blobs(): string[] {
  return readdirSync(join(home, 'registry', 'blobs')).sort();
}

function nameOf(zip: Buffer): string {
  return `${createHash('sha256').update(zip).digest('hex')}.zip`;
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'pipe-blob-gc-'));
  registry = Registry.open({ invoker: new EchoInvoker(), home, settleMs: 0 });
});
afterEach(() => {
  registry.close();
  rmSync(home, { recursive: true, force: true });
});

const v1 = handlerZip('exports.handler = async () => 1;');
const v2 = handlerZip('exports.handler = async () => 2;');
const v3 = handlerZip('exports.handler = async () => 3;');

async function create(name: string, code: Buffer, layers?: string[]) {
  await registry.createFunction({
    FunctionName: name, Role: ROLE, Runtime: 'nodejs18.x', Handler: 'index.handler', Code: { ZipFile: code },
    ...(layers ? { Layers: layers } : {}),
  });
  await registry.waitUntilReady({ FunctionName: name });
}

describe('blob garbage collection', () => {
  test('replacing $LATEST code removes the old zip unless a published version keeps it', async () => {
    await create('f', v1);
    expect(blobs()).toEqual([nameOf(v1)]);
    await registry.publishVersion({ FunctionName: 'f' }); // version 1 keeps v1
    await registry.updateFunctionCode({ FunctionName: 'f', ZipFile: v2 });
    await registry.waitUntilReady({ FunctionName: 'f' });
    expect(blobs()).toEqual([nameOf(v1), nameOf(v2)].sort());
    await registry.updateFunctionCode({ FunctionName: 'f', ZipFile: v3 }); // v2 was only $LATEST's
    await registry.waitUntilReady({ FunctionName: 'f' });
    expect(blobs()).toEqual([nameOf(v1), nameOf(v3)].sort());
    await registry.deleteFunction({ FunctionName: 'f', Qualifier: '1' });
    expect(blobs()).toEqual([nameOf(v3)]);
  });

  test('a zip two functions share stays until the second goes; deleting a function removes all its versions\' zips', async () => {
    await create('a', v1);
    await create('b', v1);
    await registry.publishVersion({ FunctionName: 'b' });
    await registry.updateFunctionCode({ FunctionName: 'b', ZipFile: v2 });
    await registry.waitUntilReady({ FunctionName: 'b' });
    await registry.deleteFunction({ FunctionName: 'a' });
    expect(blobs()).toEqual([nameOf(v1), nameOf(v2)].sort());
    await registry.deleteFunction({ FunctionName: 'b' });
    expect(blobs()).toEqual([]);
  });

  test('a deleted layer version\'s zip stays while a function version uses it, and goes with that function', async () => {
    const layerZip = makeZip([{ name: 'nodejs/node_modules/greet/index.js', content: 'module.exports = "hi";' }]);
    const other = makeZip([{ name: 'nodejs/node_modules/greet/index.js', content: 'module.exports = "ho";' }]);
    const layer = await registry.publishLayerVersion({ LayerName: 'greet', Content: { ZipFile: layerZip } });
    const unused = await registry.publishLayerVersion({ LayerName: 'greet', Content: { ZipFile: other } });
    await create('f', v1, [layer.LayerVersionArn]);
    await registry.deleteLayerVersion({ LayerName: 'greet', VersionNumber: unused.Version });
    await registry.deleteLayerVersion({ LayerName: 'greet', VersionNumber: layer.Version });
    expect(blobs()).toEqual([nameOf(layerZip), nameOf(v1)].sort());
    await registry.updateFunctionConfiguration({ FunctionName: 'f', Layers: [] });
    expect(blobs()).toEqual([nameOf(v1)]);
    await registry.deleteFunction({ FunctionName: 'f' });
    expect(blobs()).toEqual([]);
  });
});
