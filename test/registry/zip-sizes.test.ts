// Unzipped sizes are measured by inflating, not read from what the zip declares: a zip that lies about its sizes
// is refused, and so is a function or a layer that unzips past 250 MiB, with AWS's errors, over HTTP.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inspectZip } from '../../src/registry/zip-check.js';
import { ROLE, startRegistry } from './support.js';
import type { TestRegistry } from './support.js';

/** A zip of one file of `mb` MiB of zeros; with `declare`, both headers claim that uncompressed size instead. */
function zerosZip(mb: number, declare?: number): Buffer {
  const script = `
import io, struct, sys, zipfile
mb, declare = int(sys.argv[1]), sys.argv[2]
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
    with z.open('zeros.bin', 'w', force_zip64=False) as f:
        block = bytes(1024 * 1024)
        for _ in range(mb):
            f.write(block)
data = bytearray(buf.getvalue())
if declare != '-':
    struct.pack_into('<I', data, 22, int(declare))
    cd = data.rfind(b'PK\\x01\\x02')
    struct.pack_into('<I', data, cd + 24, int(declare))
sys.stdout.buffer.write(bytes(data))
`;
  return execFileSync('python3', ['-c', script, String(mb), declare === undefined ? '-' : String(declare)], { maxBuffer: 64 * 1024 * 1024 });
}

let t: TestRegistry;
beforeAll(async () => {
  t = await startRegistry({ settleMs: 0 });
});
afterAll(async () => t.stop());

async function post(path: string, body: unknown) {
  const res = await fetch(`${t.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: (await res.json()) as Record<string, unknown> };
}

function createBody(name: string, zip: Buffer, layers?: string[]) {
  return { FunctionName: name, Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: zip.toString('base64') }, ...(layers ? { Layers: layers } : {}) };
}

describe('unzipped size', () => {
  test('inspectZip reports the inflated size, not the declared one', async () => {
    expect((await inspectZip(zerosZip(3))).unzippedSize).toBe(3 * 1024 * 1024);
    await expect(inspectZip(zerosZip(3, 10))).rejects.toMatchObject({ errorName: 'InvalidParameterValueException', message: expect.stringMatching(/^Could not unzip uploaded file\. Please check your file, then try to upload again\. \(/) });
  });

  test('a function zip whose declared sizes lie (300 MiB declared as 10 bytes) is refused at create', async () => {
    const res = await post('/2015-03-31/functions', createBody('liar', zerosZip(300, 10)));
    expect({ status: res.status, type: res.type }).toEqual({ status: 400, type: 'InvalidParameterValueException' });
    expect(res.body['message']).toMatch(/^Could not unzip uploaded file\. Please check your file, then try to upload again\./);
    expect((await fetch(`${t.url}/2015-03-31/functions/liar`)).status).toBe(404);
  });

  test('a layer that unzips to 300 MiB is refused: 250 MiB is the limit of a function with all its layers', async () => {
    const res = await post('/2018-10-31/layers/huge/versions', { Content: { ZipFile: zerosZip(300).toString('base64') } });
    expect({ status: res.status, type: res.type, body: res.body }).toEqual({
      status: 400, type: 'InvalidParameterValueException', body: { Type: 'User', message: 'Unzipped size must be smaller than 262144000 bytes' },
    });
  });

  test('a function of 150 MiB with a layer of 150 MiB is refused; each alone is accepted', async () => {
    const layer = await post('/2018-10-31/layers/big/versions', { Content: { ZipFile: zerosZip(150).toString('base64') } });
    expect(layer.status).toBe(201);
    const alone = await post('/2015-03-31/functions', createBody('alone', zerosZip(150)));
    expect(alone.status).toBe(201);
    const both = await post('/2015-03-31/functions', createBody('both', zerosZip(150), [String(layer.body['LayerVersionArn'])]));
    expect({ status: both.status, type: both.type, body: both.body }).toEqual({
      status: 400, type: 'InvalidParameterValueException', body: { Type: 'User', message: 'Unzipped size must be smaller than 262144000 bytes' },
    });
  });
});
