// How much of a YAML file pipe reads: pipelines and buildspecs are small, so a file past these limits is a mistake
// or an attack (an alias bomb, a nesting bomb), and fails fast with the place it crossed the line.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export const YAML_LIMITS = {
  /** The file's size in bytes (1 MiB; CodeBuild takes an inline buildspec of at most 25,500 characters). */
  documentBytes: 1024 * 1024,
  /** Collections inside collections. */
  depth: 64,
  /** Mapping keys in the whole document, merged (`<<`) ones included. */
  keys: 10_000,
  /** Values as a consumer walks them: each alias counts as every value of the node it names. */
  nodes: 100_000,
} as const;

/** Limits one kind of file reads with (CloudFormation templates are larger than pipelines). */
export interface YamlLimits {
  documentBytes: number;
  depth: number;
  keys: number;
  nodes: number;
}

export function describeSizeLimit(bytes: number): string {
  return `the file is ${bytes} bytes, larger than pipe's limit of ${YAML_LIMITS.documentBytes} bytes (1 MiB) for a pipeline or buildspec`;
}

/** js-yaml's own message when a document nests past `maxDepth`. */
export function isDepthLimitError(reason: string): boolean {
  return reason.startsWith('nesting exceeded maxDepth');
}

/**
 * Reads a spec file, but never more than one byte past the size limit: a huge file is reported by its size (and
 * where the limit falls) without being read whole. Throws the file system's error as it is.
 */
export function readCapped(file: string): { bytes: Buffer; size: number } {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const want = Math.min(size, YAML_LIMITS.documentBytes + 1);
    const bytes = Buffer.alloc(want);
    let read = 0;
    while (read < want) {
      const n = readSync(fd, bytes, read, want - read, read);
      if (n === 0) break;
      read += n;
    }
    return { bytes: bytes.subarray(0, read), size: Math.max(size, read) };
  } finally {
    closeSync(fd);
  }
}
