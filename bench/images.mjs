// The build images: how many of the corpus's program calls find their program on each image's PATH
// (../shared/tools/toolcov/check.sh), and their sizes. Skipped with a note without ../shared or an image.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHECK = join(root, '../shared/tools/toolcov/check.sh');
/** The target for pipe/standard:7.0: at least 90% of the corpus's calls. */
const TARGETS = { 'pipe/standard:7.0': 90 };

export async function benchImages() {
  const rows = [];
  for (const image of ['pipe/standard:7.0', 'pipe/standard:1']) {
    let size;
    try {
      size = Number(execFileSync('docker', ['image', 'inspect', '--format', '{{.Size}}', image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    } catch {
      console.log(`${image}: skipped, the image is not built (bash scripts/setup.sh builds it)`);
      continue;
    }
    rows.push({ name: `${image} size`, value: size / 1e6, unit: 'MB' });
    if (!existsSync(CHECK)) {
      console.log(`${image}: tool coverage skipped, ${CHECK} is absent (../shared sits beside the clone in CI)`);
      continue;
    }
    const out = execFileSync('bash', [CHECK, image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n');
    const last = out.findLast((l) => l.startsWith('tool uses covered: ')) ?? '';
    console.log(`${image}: ${last}`);
    const m = /^tool uses covered: (\d+)\/(\d+)/.exec(last);
    if (!m) throw new Error(`check.sh gave no coverage line for ${image}`);
    const value = (100 * Number(m[1])) / Number(m[2]);
    const target = TARGETS[image];
    rows.push({
      name: `${image}: corpus tool uses found on PATH`,
      value,
      unit: '%',
      ...(target !== undefined ? { target: `>= ${target}%`, ok: value >= target } : {}),
    });
  }
  return rows;
}
