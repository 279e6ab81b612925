// The container surface a build needs; the Docker adapter implements it, tests may script it.
import type { Readable } from 'node:stream';

export interface BuildExecOptions {
  cmd: string[];
  user?: string;
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
}

export interface BuildContainer {
  readonly id: string;
  /** Extracts a tar (buffer, promise of one, or stream) into a directory of the container. */
  putFiles(dir: string, tar: Buffer | Promise<Buffer> | Readable): Promise<void>;
  exec(options: BuildExecOptions): Promise<{ exitCode: number }>;
  /** A tar stream of a path in the container. */
  getArchive(path: string): Promise<Readable>;
  remove(): Promise<void>;
}
