// Failures of the machine rather than of the input, mapped once to errors a person can act on: a full disk, a
// read-only or unwritable folder, too many open files, a damaged state database. The CLI uses this for anything
// that reaches it unmapped, so none of them ends in a stack trace.
import { PipeError } from '../core/index.js';

interface CodedError {
  code?: unknown;
  path?: unknown;
  message?: unknown;
}

const ERRNO: Record<string, { what: string; hint: string }> = {
  ENOSPC: { what: 'no space left on the device', hint: 'free some disk space (pipe cache clear removes the build cache), or point PIPE_HOME / PIPE_ARTIFACTS elsewhere' },
  EDQUOT: { what: 'the disk quota is exceeded', hint: 'free some disk space, or point PIPE_HOME / PIPE_ARTIFACTS elsewhere' },
  EROFS: { what: 'the file system is read-only', hint: 'point PIPE_HOME / PIPE_ARTIFACTS at a writable folder' },
  EACCES: { what: 'permission denied', hint: 'check the owner and mode of that path, or point PIPE_HOME / PIPE_ARTIFACTS elsewhere' },
  EPERM: { what: 'operation not permitted', hint: 'check the owner and mode of that path' },
  EMFILE: { what: 'too many open files', hint: 'raise the limit (ulimit -n) and run again' },
};

const SQLITE: Record<string, { what: string; hint: string }> = {
  SQLITE_FULL: { what: 'the state database cannot grow: the disk is full', hint: 'free some disk space, or point PIPE_HOME elsewhere' },
  SQLITE_IOERR: { what: 'the state database could not be read or written (I/O error)', hint: 'check the disk holding PIPE_HOME, and that it is not full' },
  SQLITE_READONLY: { what: 'the state database is read-only', hint: 'check the mode of PIPE_HOME and its state.db, or point PIPE_HOME elsewhere' },
  SQLITE_CANTOPEN: { what: 'the state database cannot be opened', hint: 'check that PIPE_HOME points at a writable directory' },
  SQLITE_CORRUPT: { what: 'the state database is damaged', hint: 'move PIPE_HOME/state.db aside (pipe starts a new one), and keep the old one for a bug report' },
  SQLITE_NOTADB: { what: 'PIPE_HOME/state.db is not a SQLite database', hint: 'move it aside; pipe starts a new one' },
  SQLITE_BUSY: { what: 'the state database stayed locked by another pipe process', hint: 'run again once the other pipe command has finished' },
};

/** The PipeError a system failure means, or undefined when `e` is not one. */
export function mapSystemError(e: unknown): PipeError | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const err = e as CodedError;
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (!code) return undefined;
  const sqlite = SQLITE[code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1')];
  if (sqlite) return new PipeError('STATE_ERROR', sqlite.what, { hint: sqlite.hint, cause: e });
  const errno = ERRNO[code];
  if (errno) {
    const where = typeof err.path === 'string' ? `: ${err.path}` : '';
    return new PipeError('STATE_ERROR', `${errno.what}${where}`, { hint: errno.hint, cause: e });
  }
  return undefined;
}
