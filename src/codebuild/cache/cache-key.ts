// The cache `key` as CodeBuild evaluates it: `$(codebuild-hash-files <globs>)` becomes a SHA-256 over the matching
// files' contents in the build container, and `$NAME` / `${NAME}` come from the build's environment.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { BuildContainer } from '../container-port.js';
import { selectContainerFiles } from '../container-files.js';
import { expandVariables } from '../outputs.js';

const HASH_FILES = /\$\(\s*codebuild-hash-files((?:\s+[^)\s]+)*)\s*\)/g;

/** The globs of one `$(codebuild-hash-files a b)`, quotes removed. */
export function hashFilesPatterns(args: string): string[] {
  return args
    .trim()
    .split(/\s+/)
    .filter((p) => p !== '')
    .map((p) => p.replace(/^(['"])(.*)\1$/, '$2'));
}

export interface CacheKeyDeps {
  /** SHA-256 (hex) over the files the globs match. */
  hashFiles(patterns: string[]): Promise<string>;
  env(): Promise<Record<string, string>>;
  warn(message: string): void;
}

/** Evaluates a `key` (or fallback key) template. */
export async function evaluateCacheKey(template: string, deps: CacheKeyDeps): Promise<string> {
  const hashes: string[] = [];
  const calls = [...template.matchAll(HASH_FILES)];
  for (const call of calls) hashes.push(await deps.hashFiles(hashFilesPatterns(call[1] ?? '')));
  let i = 0;
  // Placeholders keep the hashes out of variable expansion.
  let text = template.replace(HASH_FILES, () => `\u0000${i++}\u0000`);
  if (text.includes('$')) {
    text = expandVariables(text, await deps.env());
    if (text.includes('$(')) deps.warn(`cache key ${template}: only $(codebuild-hash-files ...) is evaluated; other $(...) are used literally`);
  }
  return text.replace(/\u0000(\d+)\u0000/g, (_m, n: string) => hashes[Number(n)] ?? '');
}

function sha256Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (c) => hash.update(c))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/**
 * `codebuild-hash-files`: the files the globs select in the container (CodeBuild's glob rules, relative to the
 * source directory), each hashed, then the per-file digests hashed in path order. No match hashes nothing.
 */
export async function hashContainerFiles(
  container: BuildContainer,
  patterns: readonly string[],
  srcDir: string,
  warn: (message: string) => void,
): Promise<string> {
  const selection = await selectContainerFiles(container, patterns, { srcDir, enableSymlinks: false });
  try {
    for (const p of selection.unmatched) warn(`codebuild-hash-files: ${p} matches no file`);
    const total = createHash('sha256');
    for (const f of selection.files) {
      if (f.entry.kind !== 'file' || typeof f.entry.source === 'function') continue;
      const digest = Buffer.isBuffer(f.entry.source) ? createHash('sha256').update(f.entry.source).digest('hex') : await sha256Of(f.entry.source);
      total.update(`${digest}\n`);
    }
    return total.digest('hex');
  } finally {
    await selection.dispose();
  }
}
