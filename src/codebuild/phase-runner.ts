// Runs the buildspec's phases with CodeBuild's rules: commands stop at the first failure, `finally` always runs,
// on-failure ABORT / CONTINUE / RETRY, and the default transitions (install and pre_build failures skip the rest).
import { BUILDSPEC_PHASES, PHASE_TYPE_OF } from '../core/index.js';
import type { BuildPhaseType, BuildSpec, BuildStatus, BuildspecPhase, CommandSpec, PhaseSpec } from '../core/index.js';
import { agentLine, LineSplitter } from './build-log.js';
import type { LineSink } from './build-log.js';
import type { ShellSession } from './shell-session.js';

/** As CodeBuild's troubleshooting guide answers "Cannot connect to the Docker daemon": enable privileged mode. */
export const NO_DOCKER_HINT =
  'Warning: docker commands need a Docker engine, which a build gets only in privileged mode: set privilegedMode: true in the build action\'s configuration (pipe build --privileged)';

export interface PhaseRecord {
  phase: BuildPhaseType;
  status: BuildStatus;
  startTime: string;
  endTime: string;
  durationMs: number;
  /** CodeBuild's phase context, e.g. COMMAND_EXECUTION_ERROR with the failing command. */
  context?: { statusCode: string; message: string };
}

export interface PhaseHooks {
  phaseStarted(phase: BuildPhaseType): void;
  phaseEnded(record: PhaseRecord): void;
  line: LineSink;
  isStopped(): boolean;
  /** runtime-versions' switching commands: run as root at the start of INSTALL, before its own commands. */
  runtimeCommands?: readonly string[];
  /** privilegedMode: the build has a Docker engine; without one, a failing docker command gets CodeBuild's hint. */
  hasDocker?: boolean;
}

export interface PhasesOutcome {
  /** False once any phase failed. */
  succeeding: boolean;
  /** Artifacts are uploaded unless install/pre_build failed or a phase aborted. */
  uploadArtifacts: boolean;
  /** The phases that ran, with post_build reached or not. */
  reachedEnd: boolean;
}

interface PhaseAttempt {
  failed: boolean;
  context?: { statusCode: string; message: string };
  /** Output of the failing command, for RETRY-<regex>. */
  failureOutput: string;
}

export async function runPhases(spec: BuildSpec, session: ShellSession, hooks: PhaseHooks): Promise<PhasesOutcome> {
  let succeeding = true;
  let uploadArtifacts = true;
  for (const name of BUILDSPEC_PHASES) {
    if (hooks.isStopped()) return { succeeding: false, uploadArtifacts: false, reachedEnd: false };
    const phase = spec.phases[name];
    const type = PHASE_TYPE_OF[name];
    const started = new Date();
    hooks.phaseStarted(type);
    hooks.line('system', agentLine(`Entering phase ${type}`));
    const setup = name === 'install' ? (hooks.runtimeCommands ?? []).map((text) => ({ text, location: { file: spec.file, line: 0, column: 0 } })) : [];
    const attempt = phase ? await runWithRetries(name, phase, spec, session, hooks, () => succeeding, setup) : { failed: false, failureOutput: '' };
    const status: BuildStatus = hooks.isStopped() ? 'STOPPED' : attempt.failed ? 'FAILED' : 'SUCCEEDED';
    const ended = new Date();
    hooks.line('system', agentLine(`Phase complete: ${type} State: ${status}`));
    if (attempt.context) {
      hooks.line('system', agentLine(`Phase context status code: ${attempt.context.statusCode} Message: ${attempt.context.message}`));
    }
    hooks.phaseEnded({
      phase: type,
      status,
      startTime: started.toISOString(),
      endTime: ended.toISOString(),
      durationMs: ended.getTime() - started.getTime(),
      ...(attempt.context ? { context: attempt.context } : {}),
    });
    if (status === 'STOPPED') return { succeeding: false, uploadArtifacts: false, reachedEnd: false };
    if (!attempt.failed) continue;
    succeeding = false;
    const onFailure = phase?.onFailure;
    if (onFailure?.kind === 'ABORT') return { succeeding, uploadArtifacts: false, reachedEnd: false };
    if (onFailure?.kind === 'CONTINUE') continue;
    // Default transitions: a failed install or pre_build ends the build; build still runs post_build.
    if (name === 'install' || name === 'pre_build') return { succeeding, uploadArtifacts: false, reachedEnd: false };
  }
  return { succeeding, uploadArtifacts, reachedEnd: true };
}

async function runWithRetries(
  name: BuildspecPhase,
  phase: PhaseSpec,
  spec: BuildSpec,
  session: ShellSession,
  hooks: PhaseHooks,
  succeeding: () => boolean,
  setup: readonly CommandSpec[],
): Promise<PhaseAttempt> {
  const retry = phase.onFailure?.kind === 'RETRY' ? phase.onFailure : undefined;
  let attempt = await runPhaseOnce(phase, spec, session, hooks, succeeding, setup);
  for (let n = 1; retry && attempt.failed && n <= retry.count && !hooks.isStopped(); n++) {
    if (retry.pattern !== undefined && !new RegExp(retry.pattern).test(attempt.failureOutput)) break;
    hooks.line('system', agentLine(`Retrying phase ${PHASE_TYPE_OF[name]} (attempt ${n + 1} of ${retry.count + 1})`));
    attempt = await runPhaseOnce(phase, spec, session, hooks, succeeding, setup);
  }
  return attempt;
}

async function runPhaseOnce(
  phase: PhaseSpec,
  spec: BuildSpec,
  session: ShellSession,
  hooks: PhaseHooks,
  succeeding: () => boolean,
  setup: readonly CommandSpec[],
): Promise<PhaseAttempt> {
  const user = phase.runAs ?? spec.runAs;
  // runtime-versions' switching commands run as root, whoever runs the phase's own commands.
  const switched = setup.length > 0 ? await runList(setup, session, hooks, undefined, succeeding()) : undefined;
  const main = switched?.failed ? switched : await runList(phase.commands, session, hooks, user, succeeding());
  // `finally` runs whether or not a command failed; CODEBUILD_BUILD_SUCCEEDING already says 0 there.
  const fin = phase.finally.length > 0 ? await runList(phase.finally, session, hooks, user, succeeding() && !main.failed) : undefined;
  const failing = main.failed ? main : fin?.failed ? fin : undefined;
  return failing ?? { failed: false, failureOutput: '' };
}

async function runList(
  commands: readonly CommandSpec[],
  session: ShellSession,
  hooks: PhaseHooks,
  user: string | undefined,
  succeeding: boolean,
): Promise<PhaseAttempt> {
  for (const command of commands) {
    if (hooks.isStopped()) return { failed: true, failureOutput: '' };
    hooks.line('system', agentLine(`Running command ${command.text}`));
    let output = '';
    const sink: LineSink = (stream, line) => {
      if (output.length < 65536) output += `${line}\n`;
      hooks.line(stream, line);
    };
    const out = new LineSplitter('stdout', sink);
    const err = new LineSplitter('stderr', sink);
    const rc = await session.runItem(command.text, {
      ...(user ? { user } : {}),
      succeeding,
      onStdout: (c) => out.push(c),
      onStderr: (c) => err.push(c),
    });
    out.flush();
    err.flush();
    if (hooks.isStopped()) return { failed: true, failureOutput: output };
    if (rc !== 0) {
      hooks.line('system', agentLine(`Command did not exit successfully ${command.text} exit status ${rc}`));
      if (!hooks.hasDocker && output.includes('Cannot connect to the Docker daemon')) {
        hooks.line('system', agentLine(NO_DOCKER_HINT));
      }
      return {
        failed: true,
        failureOutput: output,
        context: {
          statusCode: 'COMMAND_EXECUTION_ERROR',
          message: `Error while executing command: ${command.text}. Reason: exit status ${rc}`,
        },
      };
    }
  }
  return { failed: false, failureOutput: '' };
}
