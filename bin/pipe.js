#!/usr/bin/env node
// The `pipe` command: runs the bundled CLI (dist/pipe.cjs, built by `npm install` through the prepare script),
// compiled from V8's code cache beside it when there is one. A command loads only its own modules, so each command
// has its own cache (dist/pipe.cjs.<command>.cache, `pipe` for help and --version), written as it exits by the
// first run of that command after a build: it holds every function that run compiled.
// A stop signal that comes while the CLI loads is kept and handed to it, so that `pipe run` stopped at its first
// instant still records its execution Stopped; the launcher lets go of the signals only once the CLI listens to
// them, since node drops a signal that comes while nothing listens.
// CommonJS (bin/package.json says so): node starts it without its ES module loader, which costs ~10 ms.
'use strict';
const { readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const early = [];
const keep = (signal) => early.push(signal);
for (const s of STOP_SIGNALS) process.on(s, keep);

/**
 * What names the run's code cache: its command (`help` too), `version` for --version alone, `pipe` for the help that
 * other options and a bare `pipe` print. A word that is no command (a typo) compiles without a cache and writes none.
 */
const first = process.argv[2];
const word = first === '--version' || first === '-V' ? 'version' : first !== undefined && /^[a-z][a-z-]{0,23}$/.test(first) ? first : 'pipe';
const hasOwnCache = (exports) => word === 'version' || word === 'pipe' || word === 'help' || exports.isCommandName?.(word) === true;

/** Runs the CommonJS bundle and returns its exports, with the command's code cache if it fits this node. */
function loadBundle(file) {
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.${word}.cache`);
  } catch {
    cachedData = undefined; // none yet: this run writes it
  }
  // ASCII only (scripts/bundle.mjs sees to it): latin1 reads it as UTF-8 would, without the cost of decoding.
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'latin1')}\n})`;
  const script = new vm.Script(source, { filename: file, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  const module = { exports: {} };
  if (cachedData === undefined || script.cachedDataRejected) {
    // At exit the cache holds every function this run compiled, not only those compiled at load.
    process.once('exit', () => {
      if (!hasOwnCache(module.exports)) return;
      const cacheFile = `${file}.${word}.cache`;
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        rmSync(tmp, { force: true }); // a read-only install: every start compiles, as without a cache
      }
    });
  }
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

const { main } = loadBundle(join(__dirname, '..', 'dist', 'pipe.cjs'));
const release = () => {
  for (const s of STOP_SIGNALS) process.off(s, keep);
};
main(process.argv.slice(2), undefined, { early, release }).then((code) => {
  process.exitCode = code;
});
