#!/usr/bin/env node
// The `pipe` command: runs the compiled CLI (built by `npm install` through the prepare script). A stop signal that
// comes while the CLI loads is kept and handed to it, so that `pipe run` stopped at its first instant still records
// its execution Stopped instead of dying half-started. The launcher lets go of the signals only once the CLI listens
// to them: node drops a signal that comes while nothing listens.
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const early = [];
const keep = (signal) => early.push(signal);
for (const s of STOP_SIGNALS) process.on(s, keep);
const { main } = await import('../dist/pipe.mjs');
const release = () => {
  for (const s of STOP_SIGNALS) process.off(s, keep);
};
process.exitCode = await main(process.argv.slice(2), undefined, { early, release });
