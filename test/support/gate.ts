// Named loopback gates that builds wait at (containers share the host's network): a build's command asks for its
// gate until the test opens it, so the order in which builds go on is decided by the test, never by a sleep. The
// test also sees which gates were asked for, and when.
import { createServer } from 'node:http';
import type { Server } from 'node:http';

export interface Gates {
  /** A shell command (for a buildspec) that returns once the gate named by `$<variable>` is open. */
  waitCommand(variable?: string): string;
  /** A shell command that succeeds if the gate named by `$<variable>` is open now, and fails if it is closed. */
  checkCommand(variable?: string): string;
  open(name: string): void;
  /** How many times a build asked for this gate. */
  hits(name: string): number;
  /** Resolves once a build has asked for the gate: that build is running and waits at it. */
  waitForHit(name: string, deadlineMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startGates(): Promise<Gates> {
  const opened = new Set<string>();
  const hits = new Map<string, number>();
  const waiters = new Map<string, (() => void)[]>();
  const server: Server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').slice(1));
    hits.set(name, (hits.get(name) ?? 0) + 1);
    for (const w of waiters.get(name) ?? []) w();
    waiters.delete(name);
    res.statusCode = opened.has(name) ? 200 : 503;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    waitCommand(variable = 'GATE') {
      return `node -e "(async()=>{for(;;){try{if((await fetch('http://127.0.0.1:${port}/'+encodeURIComponent(process.env.${variable}))).status===200)return}catch{}await new Promise(r=>setTimeout(r,100))}})()"`;
    },
    checkCommand(variable = 'GATE') {
      return `node -e "fetch('http://127.0.0.1:${port}/'+encodeURIComponent(process.env.${variable})).then((r)=>process.exit(r.status===200?0:1))"`;
    },
    open(name) {
      opened.add(name);
    },
    hits(name) {
      return hits.get(name) ?? 0;
    },
    waitForHit(name, deadlineMs = 60_000) {
      if ((hits.get(name) ?? 0) > 0) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no build asked for gate ${name} within ${deadlineMs} ms`)), deadlineMs);
        waiters.set(name, [...(waiters.get(name) ?? []), () => { clearTimeout(timer); resolve(); }]);
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
