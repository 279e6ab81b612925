// CodeBuild 0.2's shell model inside one long-lived container: every command item runs as its own script in a
// fresh shell that starts in the working directory and with the variables the previous item left. Functions,
// arrays, `set -e` and traps do not carry over; `exit 0` ends only that item. The items go through one agent
// (shell-agent.ts, the container's main process); those with a `run-as` user, the expansions and the reads of the
// environment are execs.
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { concatTar, concatTarBuffers, packFiles, readIfSmall } from './tar.js';
import { ShellAgent } from './shell-agent.js';
import type { BuildContainer } from './container-port.js';

/** Where pipe keeps its per-build files inside the container. */
export const PIPE_DIR = '/codebuild/pipe';
const STATE = `${PIPE_DIR}/state`;

/** Archives up to this size go in through the agent's input; larger ones, or where it cannot, with putFiles. */
const AGENT_ARCHIVE_LIMIT = 4 * 1024 * 1024;
/** Whether the agent can extract an archive at / as Docker would: as root, with tar and head. */
const AGENT_CAN_EXTRACT = '[ "$(id -u)" = 0 ] && command -v tar && command -v head';

// Sourced by the item's shell. The EXIT trap saves cwd and every exported variable (all assignments are exported
// through `set -a`) whatever way the item ends, then exits with the item's status.
const WRAPPER = `__pipe_state=${STATE}
. "$__pipe_state/env"
cd "$(cat "$__pipe_state/cwd")" 2>/dev/null || cd "$CODEBUILD_SRC_DIR" 2>/dev/null || cd /
CODEBUILD_BUILD_SUCCEEDING=$2
export CODEBUILD_BUILD_SUCCEEDING
__pipe_save() {
  trap - EXIT
  [ "$3" = 1 ] || exit "$1"
  pwd > "$__pipe_state/cwd.next" && mv -f "$__pipe_state/cwd.next" "$__pipe_state/cwd"
  unset SHLVL OLDPWD _ 2>/dev/null
  export -p > "${STATE}/env.next" && mv -f "${STATE}/env.next" "${STATE}/env"
  exit "$1"
}
trap '__pipe_save $? "$1" "$3"' EXIT
printf '%s\n' "$4" > "$1"
set -a
. "$1"
`;

// Prints the saved environment NUL-separated, for exported variables.
const DUMP_ENV = `. "${STATE}/env"
unset __pipe_state 2>/dev/null
env -0
`;

/** Single-quotes a value for a POSIX shell: the text arrives unexpanded. */
export function quoteShell(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function renderEnvFile(env: Record<string, string>): string {
  return Object.entries(env)
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `export ${k}=${quoteShell(v)}\n`)
    .join('');
}

export interface RunItemOptions {
  user?: string;
  succeeding: boolean;
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
}

export interface SessionInitOptions {
  /** A tar of the primary source, for the starting directory: copied in with the session's own files. */
  source?: Buffer | Readable;
  /** A shell script run first, as the container's default user, its output discarded (the AWS CLI shim). */
  firstStep?: string;
}

export class ShellSession {
  private counter = 0;

  constructor(
    private readonly container: BuildContainer,
    /** `sh` (dash on Debian images) unless the buildspec's env.shell says otherwise. */
    readonly shell: string,
    /** 0.2 carries cwd and variables from item to item; 0.1 runs each command in isolation. */
    private readonly carry = true,
    /** The container's main process, which runs the items without a user of their own; without it, execs. */
    private readonly agent?: ShellAgent,
  ) {}

  /**
   * Writes the wrapper, the initial environment and the starting directory into the container, with the source's
   * files under it (one archive), while the first step runs. Returns the first step's exit status (0 without one).
   */
  async init(env: Record<string, string>, cwd: string, options: SessionInitOptions = {}): Promise<number> {
    const files = packFiles([
      { path: `${PIPE_DIR.slice(1)}/wrap.sh`, content: WRAPPER, mode: 0o755 },
      { path: `${PIPE_DIR.slice(1)}/dump-env.sh`, content: DUMP_ENV, mode: 0o755 },
      { path: `${STATE.slice(1)}/env`, content: renderEnvFile(env), mode: 0o666 },
      { path: `${STATE.slice(1)}/cwd`, content: `${cwd}\n`, mode: 0o666 },
      { path: `${PIPE_DIR.slice(1)}/items/.keep`, content: '', mode: 0o644 },
      // The source directory exists before anything is unpacked into it.
      { path: `${cwd.slice(1)}/.keep`, content: '', mode: 0o644 },
    ], { dirMode: 0o777 });
    const first = options.firstStep ? this.firstStep(options.firstStep) : Promise.resolve(0);
    first.catch(() => undefined);
    await this.copyIn(await files, options.source);
    return first;
  }

  private firstStep(script: string): Promise<number> {
    if (this.agent) return this.agent.step(++this.counter, script);
    return this.container.exec({ cmd: ['sh', '-c', script], onStdout: () => undefined, onStderr: () => undefined }).then((r) => r.exitCode);
  }

  /**
   * The session's files and the source, as one archive: through the agent's input when it is small and the
   * container can take it (its user is root, it has tar and head), else (or when that fails) with one `putFiles`.
   */
  private async copyIn(head: Buffer, source: Buffer | Readable | undefined): Promise<void> {
    const { agent } = this;
    if (agent) {
      const able = agent.step(++this.counter, AGENT_CAN_EXTRACT);
      able.catch(() => undefined);
      const read = source === undefined ? { whole: Buffer.alloc(0) } : Buffer.isBuffer(source) ? { whole: source } : await readIfSmall(source, AGENT_ARCHIVE_LIMIT);
      if ('rest' in read) return this.container.putFiles('/', concatTar(head, read.rest));
      const tar = read.whole.length > 0 ? concatTarBuffers(head, read.whole) : head;
      if (tar.length <= AGENT_ARCHIVE_LIMIT && (await able) === 0 && (await agent.extract(++this.counter, tar)).exitCode === 0) return;
      return this.container.putFiles('/', tar);
    }
    return this.container.putFiles('/', source ? concatTar(head, source) : head);
  }

  /** Runs one command item; returns its exit status. */
  async runItem(text: string, options: RunItemOptions): Promise<number> {
    const id = ++this.counter;
    if (this.agent && !options.user) {
      return this.agent.run(id, text, options.succeeding, { onStdout: options.onStdout, onStderr: options.onStderr });
    }
    const result = await this.container.exec({
      cmd: ['env', '-i', this.shell, `${PIPE_DIR}/wrap.sh`, posix.join(PIPE_DIR, 'items', `item-${id}.sh`), options.succeeding ? '1' : '0', this.carry ? '1' : '0', text],
      ...(options.user ? { user: options.user } : {}),
      onStdout: options.onStdout,
      onStderr: options.onStderr,
    });
    return result.exitCode;
  }

  /**
   * Shell-expands `text` (variables, `$(...)`) in the build's current directory and environment, as CodeBuild
   * evaluates `artifacts.name` at upload time. Nothing it does carries over. Undefined when the shell fails.
   */
  async expand(text: string): Promise<string | undefined> {
    const chunks: Buffer[] = [];
    const script = `printf '%s' "${text.replace(/(["\\])/g, '\\$1')}"`;
    const { exitCode } = await this.container.exec({
      cmd: ['env', '-i', this.shell, `${PIPE_DIR}/wrap.sh`, posix.join(PIPE_DIR, 'items', `expand-${++this.counter}.sh`), '1', '0', script],
      onStdout: (c) => chunks.push(c),
      onStderr: () => undefined,
    });
    return exitCode === 0 ? Buffer.concat(chunks).toString('utf8') : undefined;
  }

  /** The environment as the last item left it. */
  async readEnv(): Promise<Record<string, string>> {
    const chunks: Buffer[] = [];
    const { exitCode } = await this.container.exec({
      cmd: ['env', '-i', this.shell, `${PIPE_DIR}/dump-env.sh`],
      onStdout: (c) => chunks.push(c),
      onStderr: () => undefined,
    });
    if (exitCode !== 0) return {};
    const env: Record<string, string> = {};
    for (const pair of Buffer.concat(chunks).toString('utf8').split('\0')) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return env;
  }
}
