// The PipeError family: every failure a person sees has a code, a one-line message and, where it helps, a hint.

/** Error codes, grouped by what the person should do. `input` errors exit 2, the rest exit 1. */
export const ERROR_CODES = {
  INVALID_SPEC: 'input',
  INVALID_ARGUMENT: 'input',
  NOT_FOUND: 'input',
  SOURCE_ERROR: 'input',
  IMAGE_NOT_FOUND: 'input',
  DOCKER_UNAVAILABLE: 'environment',
  DOCKER_ERROR: 'environment',
  REGISTRY_UNAVAILABLE: 'environment',
  STATE_ERROR: 'environment',
  BUILD_FAILED: 'run',
  ARTIFACT_ERROR: 'run',
  INTERNAL: 'run',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface PipeErrorOptions {
  hint?: string;
  cause?: unknown;
}

export class PipeError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: PipeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PipeError';
    this.code = code;
    this.hint = options.hint;
  }

  /** True when the person gave bad input (a file, a flag, a reference): exit code 2. */
  get isInputError(): boolean {
    return ERROR_CODES[this.code] === 'input';
  }
}

/** Where in a source file something stands. Lines and columns count from 1. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** One problem found while validating a file: the path inside the document, what was expected, where. */
export interface Problem {
  path: string;
  message: string;
  location: SourceLocation;
  /** The source line the problem stands on, for display. */
  lineText?: string;
}

/** A file failed validation: carries every problem found, not just the first. */
export class ValidationError extends PipeError {
  readonly problems: readonly Problem[];

  constructor(file: string, problems: readonly Problem[]) {
    const n = problems.length;
    super('INVALID_SPEC', `${file}: ${n} problem${n === 1 ? '' : 's'} found`);
    this.name = 'ValidationError';
    this.problems = problems;
  }

  /** The whole report: one block per problem with file:line:col, path, message and the source line. */
  format(): string {
    return [this.message, ...this.problems.map(formatProblem)].join('\n');
  }
}

export function formatProblem(p: Problem): string {
  const where = `${p.location.file}:${p.location.line}:${p.location.column}`;
  const head = printable(`  ${where} ${p.path ? `${p.path}: ` : ''}${p.message}`);
  if (p.lineText === undefined) return head;
  const gutter = String(p.location.line);
  const caret = ' '.repeat(Math.max(0, p.location.column - 1)) + '^';
  return `${head}\n    ${gutter} | ${printable(p.lineText)}\n    ${' '.repeat(gutter.length)} | ${caret}`;
}

/**
 * Text from a file, made safe to print: control characters (escape sequences that would drive the terminal, NULs,
 * carriage returns) become `?`, one for one, so a caret under the line still points at the right column.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}

export function isPipeError(e: unknown): e is PipeError {
  return e instanceof PipeError;
}

/** The message of anything thrown, for logs. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
