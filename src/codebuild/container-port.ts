// The container surface a build needs; the Docker adapter implements it, tests may script it.
import type { Readable } from 'node:stream';

export interface BuildExecOptions {
  cmd: string[];
  user?: string;
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
}

/** A process whose standard input stays open: the shell session's agent, the container's main process. */
export interface BuildExecStream {
  write(data: string | Buffer): void;
  end(): void;
  /** Resolves when the command's output ended: it exited, or its container was removed under it. */
  readonly ended: Promise<void>;
  /** How the command ended (asked after `ended`). */
  exitCode(): Promise<{ exitCode: number }>;
}

export interface BuildContainer {
  readonly id: string;
  /** Extracts a tar (buffer, promise of one, or stream) into a directory of the container. */
  putFiles(dir: string, tar: Buffer | Promise<Buffer> | Readable): Promise<void>;
  exec(options: BuildExecOptions): Promise<{ exitCode: number }>;
  /** The main process, when it was asked for (`BuildContainerRequest.agent`); without it every item is its own exec. */
  readonly agent?: BuildExecStream;
  /** A tar stream of a path in the container. */
  getArchive(path: string): Promise<Readable>;
  remove(): Promise<void>;
}
