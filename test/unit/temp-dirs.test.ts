// The temporary folders of processes that died are removed by the next pipe command; no one else's are.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { makeOwnedTempDir, removeDeadOwnersTempDirs } from '../../src/artifacts/index.js';
import { isProcessAlive } from '../../src/infra/index.js';

let saved: string | undefined;
let dir: string;
beforeEach(() => {
  saved = process.env['TMPDIR'];
  dir = mkdtempSync(join(tmpdir(), 'temp-dirs-test-'));
  process.env['TMPDIR'] = dir;
});
afterEach(() => {
  if (saved === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = saved;
});

it("removes pipe's temporary folders whose process has ended, and only those", async () => {
  const ended = spawnSync('true').pid; // a process that has run and ended
  expect(isProcessAlive(ended)).toBe(false);
  const mine = await makeOwnedTempDir('tar');
  expect(mine).toMatch(new RegExp(`/pipe-tar-${process.pid}-[A-Za-z0-9]{6}$`));
  for (const name of [`pipe-tar-${ended}-Ab12Cd`, `pipe-build-src-${ended}-xYz789`, 'pipe-tar-1-Ab12Cd', `pipe-tar-${ended}`, `other-${ended}-Ab12Cd`]) {
    mkdirSync(join(dir, name, 'blobs'), { recursive: true });
  }
  const removed = await removeDeadOwnersTempDirs(isProcessAlive);
  expect(removed.sort()).toEqual([`pipe-build-src-${ended}-xYz789`, `pipe-tar-${ended}-Ab12Cd`]);
  expect(readdirSync(dir).sort()).toEqual([`other-${ended}-Ab12Cd`, 'pipe-tar-1-Ab12Cd', `pipe-tar-${ended}`, mine.split('/').at(-1)].sort());
  expect(existsSync(mine)).toBe(true);
});
