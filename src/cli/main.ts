// `pipe`: the composition root. Parses argv, wires the engine to renderers, maps errors to exit codes.
import { Command, CommanderError } from 'commander';
import { isPipeError, printable, ValidationError } from '../core/index.js';
import { mapSystemError } from '../infra/index.js';
import { EXIT } from './exit-codes.js';
import { createOutput } from './output.js';
import { watchStopSignals } from './stop-signals.js';
import type { LauncherSignals } from './stop-signals.js';
import type { Output } from './output.js';
import { registerPipelineCommands } from './commands/pipeline.js';
import { registerRegistryCommands } from './commands/registry.js';
import { registerBuildCommand } from './commands/build.js';
import { registerBuildsCommand } from './commands/builds.js';
import { registerSecretCommands } from './commands/secrets.js';
import { registerCacheCommands } from './commands/cache.js';
import { registerControlCommands } from './commands/control.js';
import { registerGatewayCommands } from './commands/gateway.js';
import { registerDeploymentCommands } from './commands/deployments.js';
import { registerMetricsCommand } from './commands/metrics.js';
import { registerServeCommand } from './commands/serve.js';
import { registerStackCommands } from './commands/stack.js';
import { registerHooksCommands } from './commands/hooks.js';

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

export function buildProgram(out: Output): Command {
  const program = new Command('pipe')
    .description('Run AWS CodePipeline-style pipelines and CodeBuild buildspecs locally, in Docker')
    .version('0.1.0')
    .addHelpText('after', HELP_FOOTER)
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.stdout(s), writeErr: (s) => out.stderr(s) });
  registerPipelineCommands(program, out);
  registerRegistryCommands(program, out);
  registerBuildCommand(program, out);
  registerBuildsCommand(program, out);
  registerSecretCommands(program, out);
  registerCacheCommands(program, out);
  registerControlCommands(program, out);
  registerGatewayCommands(program, out);
  registerDeploymentCommands(program, out);
  registerMetricsCommand(program, out);
  registerServeCommand(program, out);
  registerStackCommands(program, out);
  registerHooksCommands(program, out);
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
  const program = buildProgram(out);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return out.exitCode ?? EXIT.success;
  } catch (e) {
    return reportError(e, out);
  } finally {
    stopWatching();
  }
}

export function reportError(e: unknown, out: Output): number {
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
  const mapped = mapSystemError(e);
  if (mapped) return reportError(mapped, out);
  // Anything else is pipe's own fault: one line, and the stack only when asked for.
  out.stderr(`error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
  if (process.env['PIPE_DEBUG'] && e instanceof Error && e.stack) out.stderr(`${e.stack}\n`);
  else out.stderr('hint: this is a bug in pipe; PIPE_DEBUG=1 shows where it happened\n');
  return EXIT.failed;
}
