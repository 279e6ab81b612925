// A real terminal for tests: a tmux server of the test's own (-L), a pane of a given size running a command, and
// its screen read back (capture-pane), with colour codes or without, wrapped lines joined or not.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';

export interface Terminal {
  /** The screen and its scroll-back; `escapes` keeps colour codes, `join` joins the lines tmux wrapped. */
  screen(options?: { escapes?: boolean; join?: boolean }): string;
  keys(...keys: string[]): void;
  /** Polls the screen until `match` is on it (deadline 60 s), then returns the screen. */
  waitFor(match: RegExp, deadlineMs?: number): Promise<string>;
  close(): void;
}

export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function openTerminal(command: string, options: { width: number; height: number; env: Record<string, string> }): Terminal {
  const socket = `pipe-test-${randomUUID().slice(0, 8)}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: { ...process.env, ...options.env } });
  const exports = Object.entries(options.env).map(([k, v]) => `export ${k}='${v.replace(/'/g, "'\\''")}';`).join(' ');
  // The shell stays after the command, so the screen can be read once it has ended.
  tmux('new-session', '-d', '-x', String(options.width), '-y', String(options.height), '-s', 'main', `${exports} ${command}; echo "[exit $?]"; sleep 600`);
  tmux('set-option', '-t', 'main', 'history-limit', '5000');
  const screen = (o: { escapes?: boolean; join?: boolean } = {}) =>
    tmux('capture-pane', '-p', '-t', 'main', '-S', '-', ...(o.escapes ? ['-e'] : []), ...(o.join ? ['-J'] : []));
  return {
    screen,
    keys: (...keys) => void tmux('send-keys', '-t', 'main', ...keys),
    async waitFor(match, deadlineMs = 60_000) {
      const end = Date.now() + deadlineMs;
      for (;;) {
        const s = screen({ join: true });
        if (match.test(s)) return s;
        if (Date.now() > end) throw new Error(`the terminal never showed ${match}; it shows:\n${s}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close() {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
  };
}
