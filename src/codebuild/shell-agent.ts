// The build container's main process: it runs the shell session's command items one after another, so an item costs
// a line on the agent's standard input instead of a `docker exec` round trip. Each item still runs as its own
// `env -i $shell wrap.sh ...` (the same shell model); after it the agent writes a sentinel with a per-build nonce,
// the item's id and its exit status to both stdout and stderr, which pipe strips from the streams.
import { randomBytes } from 'node:crypto';
import { PipeError } from '../core/index.js';
import type { BuildExecStream } from './container-port.js';

/** The agent's process: the container's main process runs `cmd`, its output goes to the two handlers. */
export interface AgentProcess {
  cmd: string[];
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
}

export interface AgentItem {
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
}

/**
 * The agent: `$1` the sentinel's marker, `$2` the items' shell, `$3` whether cwd and variables carry over. One line
 * per step: `<id> item <succeeding 0|1> <base64 text>` runs a command item; `<id> sh - <base64 script>` runs a
 * script of pipe's own (the AWS CLI shim), its output discarded; `<id> tar <size> -` is followed by a tar of that
 * many bytes, extracted at / (tar's complaints on stderr). Its input closed (pipe gone), it ends.
 */
export function agentScript(pipeDir: string): string {
  return `trap 'exit 0' TERM INT
m=$1; shell=$2; carry=$3
while read -r id kind ok b64; do
  [ "$kind" = tar ] || { text=$(printf '%s' "$b64" | base64 -d; echo x); text=\${text%x}; }
  if [ "$kind" = tar ]; then head -c "$ok" | tar -x -C / >/dev/null
  elif [ "$kind" = sh ]; then sh -c "$text" </dev/null >/dev/null 2>&1
  else env -i "$shell" ${pipeDir}/wrap.sh "${pipeDir}/items/item-$id.sh" "$ok" "$carry" "$text" </dev/null
  fi
  rc=$?
  printf '%s%s %s\\n' "$m" "$id" "$rc"; printf '%s%s %s\\n' "$m" "$id" "$rc" >&2
done
`;
}

/**
 * Splits one output stream of the agent at its sentinels: bytes go to `data` until a sentinel, which is removed and
 * told to `sentinel`. Only a tail that could be the start of a sentinel is held back between chunks.
 */
export class SentinelSplitter {
  private held = Buffer.alloc(0);

  constructor(
    private readonly marker: Buffer,
    private readonly data: (chunk: Buffer) => void,
    private readonly sentinel: (id: number, exitCode: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let buf = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);
    for (;;) {
      const at = buf.indexOf(this.marker);
      if (at < 0) break;
      const end = buf.indexOf(0x0a, at + this.marker.length);
      if (end < 0) {
        // The sentinel's tail has not arrived yet.
        if (at > 0) this.data(buf.subarray(0, at));
        this.held = Buffer.from(buf.subarray(at));
        return;
      }
      if (at > 0) this.data(buf.subarray(0, at));
      const [id, code] = buf.subarray(at + this.marker.length, end).toString('latin1').split(' ');
      buf = buf.subarray(end + 1);
      this.sentinel(Number(id), Number(code));
    }
    const keep = this.possibleStart(buf);
    if (buf.length - keep > 0) this.data(buf.subarray(0, buf.length - keep));
    if (keep > 0) this.held = Buffer.from(buf.subarray(buf.length - keep));
  }

  /** Whatever was held back, when the stream ended. */
  flush(): void {
    if (this.held.length > 0) this.data(this.held);
    this.held = Buffer.alloc(0);
  }

  /** The length of the longest tail of `buf` that is a prefix of the marker. */
  private possibleStart(buf: Buffer): number {
    for (let n = Math.min(buf.length, this.marker.length - 1); n > 0; n--) {
      if (buf.subarray(buf.length - n).equals(this.marker.subarray(0, n))) return n;
    }
    return 0;
  }
}

type Outcome = { exitCode: number } | { error: unknown };

interface Pending extends AgentItem {
  id: number;
  seen: number;
  resolve: (exitCode: number) => void;
  reject: (e: unknown) => void;
}

export class ShellAgent {
  private readonly queue: Pending[] = [];
  private readonly splitters: { stdout: SentinelSplitter; stderr: SentinelSplitter };
  private stream: BuildExecStream | undefined;
  private finished = false;
  private last: AgentItem | undefined;
  /** How the agent ended: asked of Docker only when an item was still waiting for it. */
  private outcome: Promise<Outcome> | undefined;

  private constructor(marker: Buffer) {
    // A stream's bytes belong to the first item whose sentinel has not yet come on that stream; between items (a
    // process an item left in the background), to the item that ran last.
    const make = (stream: 'stdout' | 'stderr', bit: number) =>
      new SentinelSplitter(
        marker,
        (c) => {
          const item = this.queue.find((p) => !(p.seen & bit)) ?? this.last;
          if (item) (stream === 'stdout' ? item.onStdout : item.onStderr)(c);
        },
        (id, code) => this.arrived(id, bit, code),
      );
    this.splitters = { stdout: make('stdout', 1), stderr: make('stderr', 2) };
  }

  /**
   * A new agent: the container's main process is `cmd`, its output goes to `onStdout` / `onStderr` from the first
   * byte; `attach` gives the agent the process's input once the container exists.
   */
  static prepare(options: { pipeDir: string; shell: string; carry: boolean }): { agent: ShellAgent; process: AgentProcess } {
    const marker = `\x1epipe-agent-${randomBytes(12).toString('hex')}:`;
    const agent = new ShellAgent(Buffer.from(marker, 'latin1'));
    return {
      agent,
      process: {
        cmd: ['/bin/sh', '-c', agentScript(options.pipeDir), 'pipe-agent', marker, options.shell, options.carry ? '1' : '0'],
        onStdout: (c) => agent.splitters.stdout.push(c),
        onStderr: (c) => agent.splitters.stderr.push(c),
      },
    };
  }

  attach(stream: BuildExecStream): void {
    this.stream = stream;
    void stream.ended.then(() => this.end());
  }

  /** Runs one command item; resolves with its exit status once both streams carried its sentinel. */
  run(id: number, text: string, succeeding: boolean, item: AgentItem): Promise<number> {
    return this.send(id, 'item', succeeding ? '1' : '0', text, item);
  }

  /** Runs a script of pipe's own (output discarded); resolves with its exit status. */
  step(id: number, script: string): Promise<number> {
    return this.send(id, 'sh', '-', script, { onStdout: () => undefined, onStderr: () => undefined });
  }

  /**
   * Extracts a tar at / with the container's `tar` (as its default user): the files cost no Docker round trip.
   * Resolves with tar's exit status and what it said on stderr.
   */
  async extract(id: number, tar: Buffer): Promise<{ exitCode: number; stderr: string }> {
    let stderr = '';
    const exitCode = await this.send(id, 'tar', String(tar.length), '', {
      onStdout: () => undefined,
      onStderr: (c) => {
        if (stderr.length < 4096) stderr += c.toString('utf8');
      },
    }, tar);
    return { exitCode, stderr: stderr.trim() };
  }

  private send(id: number, kind: string, ok: string, text: string, item: AgentItem, body?: Buffer): Promise<number> {
    if (!this.stream) return Promise.reject(new PipeError('DOCKER_ERROR', `the build's shell agent is not attached (command ${id})`));
    const done = this.enqueue(id, item);
    this.stream.write(`${id} ${kind} ${ok} ${body ? '-' : Buffer.from(text, 'utf8').toString('base64')}\n`);
    if (body) this.stream.write(body);
    return done;
  }

  private enqueue(id: number, item: AgentItem): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const pending: Pending = { ...item, id, seen: 0, resolve, reject };
      if (this.finished) void this.howEnded().then((how) => this.settle(pending, how));
      else this.queue.push(pending);
    });
  }

  private arrived(id: number, bit: number, exitCode: number): void {
    const at = this.queue.findIndex((p) => p.id === id);
    const item = this.queue[at];
    if (!item) return;
    item.seen |= bit;
    if (item.seen !== 3) return;
    this.queue.splice(at, 1);
    this.last = item;
    item.resolve(Number.isInteger(exitCode) ? exitCode : -1);
  }

  /** The agent ended (its container removed, or killed): what is pending ends as a killed exec would. */
  private end(): void {
    this.splitters.stdout.flush();
    this.splitters.stderr.flush();
    this.finished = true;
    const pending = this.queue.splice(0);
    if (pending.length > 0) void this.howEnded().then((how) => pending.forEach((p) => this.settle(p, how)));
  }

  private howEnded(): Promise<Outcome> {
    this.outcome ??= (this.stream as BuildExecStream).exitCode().then(
      (r): Outcome => r,
      (error: unknown): Outcome => ({ error }),
    );
    return this.outcome;
  }

  private settle(p: Pending, how: Outcome): void {
    if ('error' in how) p.reject(how.error);
    else if (how.exitCode !== 0) p.resolve(how.exitCode);
    else p.reject(new PipeError('DOCKER_ERROR', `the build's shell agent ended before command ${p.id} finished`));
  }
}
