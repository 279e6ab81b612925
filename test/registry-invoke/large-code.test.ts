// Code that unzips to 200 MiB reaches the container whole, while the invoker's memory stays flat: the archive is
// streamed from the zip into a tar file and from the file into the container, never held in memory. A stored zip
// that does not unpack is Lambda's 502 InvalidZipFileException, not a failure of the registry.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDockerInvoker } from '../../src/registry/invoke/index.js';
import type { DockerInvoker } from '../../src/registry/invoke/index.js';
import { describeDocker } from '../support/docker.js';
import { containersOf, makeTarget, request } from './support.js';

describeDocker('large code', () => {
  let invoker: DockerInvoker;
  let dir: string;
  beforeAll(async () => {
    invoker = await createDockerInvoker();
    dir = mkdtempSync(join(tmpdir(), 'pipe-large-code-'));
  });
  afterAll(async () => {
    await invoker.close();
    expect(await containersOf(invoker.invokerId)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a function of 200 MiB unzipped starts with its files whole; the invoker grows by far less than that', async () => {
    writeFileSync(join(dir, 'index.js'), "exports.handler = async () => require('node:fs').statSync('/var/task/zeros.bin').size;");
    execFileSync('sh', ['-c', 'head -c 209715200 /dev/zero > zeros.bin && zip -q -X code.zip index.js zeros.bin && rm zeros.bin'], { cwd: dir });
    const before = process.memoryUsage().rss;
    const out = await invoker.invoke(request(makeTarget({ codeZipPath: join(dir, 'code.zip'), timeout: 30 })));
    expect(out.payload.toString()).toBe('209715200');
    const grownMb = (process.resourceUsage().maxRSS * 1024 - before) / 1048576;
    expect(grownMb).toBeLessThan(100);
  });

  it('a stored zip whose declared sizes lie: 502 InvalidZipFileException, no container left', async () => {
    const lying = join(dir, 'lying.zip');
    execFileSync('python3', ['-c', `
import io, struct, zipfile
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('index.js', 'exports.handler = async () => 1;' + ' ' * 5000)
data = bytearray(buf.getvalue())
struct.pack_into('<I', data, 22, 10)
struct.pack_into('<I', data, data.rfind(b'PK\\x01\\x02') + 24, 10)
open('${lying}', 'wb').write(bytes(data))`]);
    await expect(invoker.invoke(request(makeTarget({ codeZipPath: lying })))).rejects.toMatchObject({
      errorName: 'InvalidZipFileException', status: 502, message: expect.stringMatching(/^Lambda was unable to unzip the code of arn:aws:lambda:/),
    });
  });
});
