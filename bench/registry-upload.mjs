// Peak memory of the registry's process while it takes a 50 MB function zip over the Lambda HTTP API
// (CreateFunction, the zip base64 in the JSON body as the AWS CLI sends it). The server runs in a child process
// from dist/ (`npm run build`) with an Invoker that runs nothing; its peak RSS is read from the kernel
// (process.resourceUsage().maxRSS) after the upload. Loopback only. Run alone: `node bench/registry-upload.mjs`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ZIP_BYTES = 50 * 1000 * 1000;

const CHILD = `
import { pathToFileURL } from 'node:url';
const { Registry, RegistryServer } = await import(pathToFileURL(process.argv[1] + '/dist/registry/index.js').href);
const invoker = { async invoke() { throw new Error('not invoked'); }, async retire() {}, async close() {} };
const registry = Registry.open({ invoker, home: process.argv[2] });
const server = new RegistryServer({ registry, port: 0 });
process.stdout.write(await server.listen() + '\\n');
process.stdin.on('data', async () => {
  process.stdout.write(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, baselineKb: globalThis.baseline }) + '\\n');
  await server.close();
  registry.close();
  process.exit(0);
});
globalThis.baseline = process.resourceUsage().maxRSS;
`;

/** A zip of one stored (uncompressed) entry of random bytes, `size` bytes in all: incompressible, as real bundles mostly are. */
function storedZip(size) {
  const name = Buffer.from('blob.bin');
  const dataSize = size - (30 + name.length) - (46 + name.length) - 22;
  const data = randomBytes(dataSize);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(dataSize, 18); local.writeUInt32LE(dataSize, 22); local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(0x031e, 4); central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16); central.writeUInt32LE(dataSize, 20); central.writeUInt32LE(dataSize, 24);
  central.writeUInt16LE(name.length, 28); central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12); end.writeUInt32LE(30 + name.length + dataSize, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}

export async function benchRegistryUpload() {
  const home = mkdtempSync(join(tmpdir(), 'pipe-bench-upload-'));
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, ROOT, home], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  try {
    const url = (await lines.next()).value;
    const zip = storedZip(ZIP_BYTES);
    const body = JSON.stringify({
      FunctionName: 'upload', Role: 'arn:aws:iam::000000000000:role/bench', Runtime: 'nodejs20.x', Handler: 'index.handler',
      Code: { ZipFile: zip.toString('base64') },
    });
    const res = await fetch(`${url}/2015-03-31/functions`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    if (res.status !== 201) throw new Error(`CreateFunction answered ${res.status}: ${await res.text()}`);
    child.stdin.write('report\n');
    const { maxRssKb, baselineKb } = JSON.parse((await lines.next()).value);
    const peakMb = maxRssKb / 1024;
    return [
      { name: `registry peak memory taking a ${ZIP_BYTES / 1e6} MB zip (CreateFunction over HTTP)`, value: Number(peakMb.toFixed(0)), unit: 'MB', target: '< 200 MB', ok: peakMb < 200 },
      { name: 'registry memory at rest, same process', value: Number((baselineKb / 1024).toFixed(0)), unit: 'MB' },
    ];
  } finally {
    child.kill();
    rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const row of await benchRegistryUpload()) {
    process.stdout.write(`${row.name}: ${row.value} ${row.unit}${row.target === undefined ? '' : ` (target ${row.target}: ${row.ok ? 'met' : 'missed'})`}\n`);
  }
}
