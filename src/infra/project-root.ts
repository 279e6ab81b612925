// Where pipe's own files (runtimes/, scripts/) are: found by walking up from this module to pipe's package.json,
// so it works the same from src/ (tests), dist/ (tsc output) and the dist/pipe.cjs bundle.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function projectRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'pipe') {
      cached = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find pipe's package.json above its modules");
    dir = up;
  }
}
