// The git adapter: runs the git CLI in a directory, isolated from the caller's GIT_* environment.
import { existsSync } from 'node:fs';
import { PipeError, describeError } from '../core/index.js';

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface GitOptions {
  /** Return a non-zero exit as a result instead of throwing (for probes like `rev-parse --verify`). */
  allowFailure?: boolean;
  /** Keep stdout byte for byte (file contents); by default its final newline is dropped. */
  keepFinalNewline?: boolean;
  /** Ends git (SIGTERM) when aborted: a stopped action does not wait for a long `git archive`. */
  signal?: AbortSignal;
  /** Written to git's stdin (for `--batch` commands); none by default. */
  input?: string;
}

/**
 * Variables that would point git at another repository, index or object store: set when pipe runs
 * from inside a git hook, they must not leak into commands aimed at the repository we were given.
 */
const REDIRECTING_VARIABLES = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR', 'GIT_NAMESPACE', 'GIT_PREFIX', 'GIT_QUARANTINE_PATH',
];

function gitEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !REDIRECTING_VARIABLES.includes(k)) env[k] = v;
  }
  // Plain English from git, and never a credential prompt waiting on a terminal.
  return { ...env, LC_ALL: 'C', LANGUAGE: 'C', GIT_TERMINAL_PROMPT: '0' };
}

/** The first line git wrote to stderr, without its `fatal: ` / `error: ` label. */
export function firstErrorLine(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.replace(/^(fatal|error): /, '').trim();
}

/** Runs `git <args>` in `cwd`. Failures become SOURCE_ERROR naming the command and the directory. */
export async function runGit(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  // execa loads with the first git a command runs: most commands run none.
  const { execa } = await import('execa');
  const result = await execa('git', args, {
    cwd,
    reject: false,
    env: gitEnvironment(),
    extendEnv: false,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
    stripFinalNewline: options.keepFinalNewline !== true,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  const command = `git ${args.join(' ')}`;
  if (result.isCanceled) throw new PipeError('SOURCE_ERROR', `${command} was stopped`);
  if (result.exitCode === undefined) {
    if (result.code === 'ENOENT' && !existsSync(cwd)) {
      throw new PipeError('SOURCE_ERROR', `Cannot run ${command}: directory ${cwd} does not exist`);
    }
    if (result.code === 'ENOENT') {
      throw new PipeError('SOURCE_ERROR', 'git is not installed or not on PATH', {
        hint: 'install git (e.g. apt-get install git) and try again',
      });
    }
    throw new PipeError('SOURCE_ERROR', `Cannot run ${command} in ${cwd}: ${describeError(result)}`, { cause: result });
  }
  const outcome = { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
  if (outcome.exitCode !== 0 && options.allowFailure !== true) {
    throw new PipeError('SOURCE_ERROR', `${command} failed in ${cwd}: ${firstErrorLine(outcome.stderr) || `exit code ${outcome.exitCode}`}`);
  }
  return outcome;
}

/** Runs git and returns its trimmed stdout, or undefined when it exits non-zero. */
export async function probeGit(cwd: string, args: readonly string[]): Promise<string | undefined> {
  const r = await runGit(cwd, args, { allowFailure: true });
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}
