// How a log line too long to keep whole is split: the build's splitter writes these marks, the masker reads them
// (so a secret cut in two by a split is still masked), and the stored log's cap says where it cut.

/**
 * The longest piece of a log line, in bytes, marks included: a CloudWatch Logs event (where CodeBuild sends build
 * logs) holds at most 256 KiB, 26 bytes of which are the event's overhead.
 */
export const MAX_LOG_LINE_BYTES = 256 * 1024 - 26;

/** Ends every piece of a split line but the last. */
export const LINE_SPLIT_MARK = ' [pipe: line split at 256 KiB, continued on the next line]';

/** Starts every piece of a split line but the first. */
export const LINE_CONTINUED_MARK = '[pipe: continued] ';

/** How much of one build's or action's log is stored (64 MiB); the live view is not capped. */
export const MAX_STORED_LOG_BYTES = 64 * 1024 * 1024;

/**
 * Caps what is stored of one log (a build's, an action's): lines are kept until `maxBytes` are written, then one
 * line says where and why the log was cut, and the rest is dropped. The live view is not capped.
 */
export class StoredLogLimit {
  private written = 0;
  private cut = false;

  constructor(private readonly maxBytes = MAX_STORED_LOG_BYTES) {}

  /** The lines to write to the stored log for `line`: itself, the cut notice, or nothing. */
  admit(line: string): string[] {
    if (this.cut) return [];
    const size = Buffer.byteLength(line, 'utf8') + 1;
    if (this.written + size <= this.maxBytes) {
      this.written += size;
      return [line];
    }
    this.cut = true;
    return [`[pipe] log cut here: it reached ${this.maxBytes} bytes, pipe's limit for a stored log; later lines are not stored`];
  }
}

/** How often a long copy (a build's source, an artifact) says how far it has got; PIPE_PROGRESS_MS changes it (tests). */
export const PROGRESS_EVERY_MS = Number(process.env['PIPE_PROGRESS_MS'] ?? 2000);
