// `pipe cache ls`, `pipe cache clear [--scope S]`: the build cache under PIPE_HOME/cache.
import type { Command } from 'commander';
import { openCacheStore } from '../../codebuild/index.js';
import type { CacheEntry } from '../../codebuild/index.js';
import { pipeHome } from '../../infra/index.js';
import type { Output } from '../output.js';

/** 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit] as string}`;
}

function keyLabel(e: CacheEntry): string {
  return e.key ?? '(default)';
}

function printTable(out: Output, entries: readonly CacheEntry[]): void {
  const rows = entries.map((e) => [e.scope, keyLabel(e), formatBytes(e.size), String(e.files), e.savedAt]);
  const header = ['SCOPE', 'KEY', 'SIZE', 'FILES', 'SAVED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  for (const row of [header, ...rows]) {
    out.stdout(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  ')}\n`);
  }
}

export function registerCacheCommands(program: Command, out: Output): void {
  const cache = program
    .command('cache')
    .description("The build cache (buildspec cache.paths), kept per pipeline action under PIPE_HOME/cache");

  cache
    .command('ls')
    .description('List cache entries: scope (<pipeline>/<Stage>.<Action>), key, size, files, when saved; newest first')
    .option('--scope <scope>', 'only this scope')
    .option('--json', 'print JSON')
    .action(async (opts: { scope?: string; json?: boolean }) => {
      const entries = await openCacheStore(pipeHome()).list(opts.scope);
      if (opts.json) {
        out.stdout(`${JSON.stringify(entries, null, 2)}\n`);
        return;
      }
      if (entries.length === 0) {
        out.stdout(opts.scope ? `no cache entries for ${opts.scope}\n` : 'no cache entries\n');
        return;
      }
      printTable(out, entries);
    });

  cache
    .command('clear')
    .description('Remove cache entries: all of them, or one scope\'s')
    .option('--scope <scope>', 'only this scope (<pipeline>/<Stage>.<Action>)')
    .action(async (opts: { scope?: string }) => {
      const removed = await openCacheStore(pipeHome()).clear(opts.scope);
      const bytes = removed.reduce((sum, e) => sum + e.size, 0);
      const what = `${removed.length} cache entr${removed.length === 1 ? 'y' : 'ies'}`;
      out.stdout(`removed ${what} (${formatBytes(bytes)})${opts.scope ? ` of ${opts.scope}` : ''}\n`);
    });
}
