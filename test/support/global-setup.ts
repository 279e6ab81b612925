// Once per test run, before any file: the e2e tests run the bundle dist/pipe.cjs, so a bundle older than src/ is
// rebuilt here (a direct `npx vitest` would otherwise test stale code without a word); and the requirements
// beyond Node are probed once, for every worker to read (see probes.ts).
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { probeAll, PROBES_ENV } from './probes.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BUNDLE = join(ROOT, 'dist', 'pipe.cjs');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function bundleMtime(): number | undefined {
  try {
    return statSync(BUNDLE).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Rebuilds dist/pipe.cjs when it is missing or older than a file of src/ or the bundle script. */
export function ensureFreshBundle(): void {
  const built = bundleMtime();
  const sources = Math.max(newestMtime(join(ROOT, 'src')), statSync(join(ROOT, 'scripts', 'bundle.mjs')).mtimeMs);
  if (built !== undefined && built >= sources) return;
  process.stderr.write(`[pipe tests] dist/pipe.cjs is ${built === undefined ? 'missing' : 'older than src/'}: bundling it\n`);
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

export async function setup(): Promise<void> {
  ensureFreshBundle();
  if (process.env[PROBES_ENV] === undefined) process.env[PROBES_ENV] = JSON.stringify(await probeAll());
}
