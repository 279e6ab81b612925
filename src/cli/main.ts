// `pipe`: the composition root. Parses argv, wires the engine to renderers, maps errors to exit codes.
import { Command, CommanderError } from 'commander';
import { isPipeError, printable, ValidationError } from '../core/index.js';
import type { PipeError } from '../core/index.js';
import { EXIT } from './exit-codes.js';
import { createOutput } from './output.js';
import { watchStopSignals } from './stop-signals.js';
import type { LauncherSignals } from './stop-signals.js';
import type { Output } from './output.js';
import { COMMAND_MODULES, modulesFor } from './command-table.js';
import type { CommandModule } from './command-table.js';

/** For bin/pipe.js, which names a command's code cache after it. */
export { isCommandName } from './command-table.js';

const HELP_FOOTER = `
Exit codes:
  0  success
  1  the run failed (a build, an action, an invocation), was stopped, or could not
     start (no Docker engine answers)
  2  bad input or usage (an invalid file, flag or reference)

Environment:
  PIPE_HOME       where state and logs live (default: .pipe at the project's root,
                  the nearest folder above holding .pipe or .git)
  PIPE_ARTIFACTS  the artifact store's root (default: artifacts at the project's root)
  NO_COLOR        no colour in terminal output
  PIPE_DEBUG      print the stack of an internal error`;

/** The `pipe` program with the commands of `modules` (every command by default; main loads only what argv needs). */
export async function buildProgram(out: Output, modules: readonly CommandModule[] = COMMAND_MODULES): Promise<Command> {
  const program = new Command('pipe')
    .description('Run AWS CodePipeline-style pipelines and CodeBuild buildspecs locally, in Docker')
    .version('0.1.0')
    .addHelpText('after', HELP_FOOTER)
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.stdout(s), writeErr: (s) => out.stderr(s) });
  const registers = await Promise.all(modules.map((m) => m.load()));
  for (const register of registers) register(program, out);
  return program;
}

/** Commands for which a stop signal at any moment, even before they are under way, stops what they run. */
const isStoppableFromTheStart = (argv: readonly string[]) => (argv[0] === 'run' && !argv.includes('--detach')) || argv[0] === 'build';

/**
 * Runs the CLI; returns the exit code instead of exiting, so tests and the bin share one path. `launcher`: the stop
 * signals bin/pipe.js caught while pipe was loading, handed over.
 */
export async function main(argv: string[], out: Output = createOutput(), launcher?: LauncherSignals): Promise<number> {
  const stopWatching = watchStopSignals({ keepForHandler: isStoppableFromTheStart(argv), ...(launcher ? { launcher } : {}) });
  try {
    const program = await buildProgram(out, modulesFor(argv));
    await program.parseAsync(argv, { from: 'user' });
    return out.exitCode ?? EXIT.success;
  } catch (e) {
    // Loaded here, not at start: the adapters (Docker, SQLite) are the command's to load, if it needs them.
    const mapSystemError = isPipeError(e) || e instanceof CommanderError ? undefined : (await import('../infra/index.js')).mapSystemError;
    return reportError(e, out, mapSystemError);
  } finally {
    stopWatching();
  }
}

/** Prints an error as a person can act on it; `mapSystemError` turns the machine's errors (full disk, ...) into PipeErrors. */
export function reportError(e: unknown, out: Output, mapSystemError?: (e: unknown) => PipeError | undefined): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return EXIT.success;
    return EXIT.badInput;
  }
  if (e instanceof ValidationError) {
    out.stderr(`error: ${e.format()}\n`);
    return EXIT.badInput;
  }
  if (isPipeError(e)) {
    // A message may quote a value from a file or a build (a path, a name): it must not drive the terminal.
    out.stderr(`error: ${printable(e.message)}\n`);
    if (e.hint) out.stderr(`hint: ${printable(e.hint)}\n`);
    return e.isInputError ? EXIT.badInput : EXIT.failed;
  }
  const mapped = mapSystemError?.(e);
  if (mapped) return reportError(mapped, out);
  // Anything else is pipe's own fault: one line, and the stack only when asked for.
  out.stderr(`error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
  if (process.env['PIPE_DEBUG'] && e instanceof Error && e.stack) out.stderr(`${e.stack}\n`);
  else out.stderr('hint: this is a bug in pipe; PIPE_DEBUG=1 shows where it happened\n');
  return EXIT.failed;
}
