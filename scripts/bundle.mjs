// Bundles the CLI into one CommonJS script (dist/pipe.cjs) so `pipe` starts fast: Node loads one script instead of
// hundreds of modules, and bin/pipe.js compiles it from V8's code cache (dist/pipe.cjs.<command>.cache, written by
// the first run of each command after a build), which saves most of the compilation of 2 MB of JavaScript on every
// later start. Each command's module and the rooms behind it are `import()`ed (src/cli/command-table.ts): esbuild
// wraps them in lazily-initialised modules, so a command evaluates only what it needs. Native and
// optional modules stay external and load from node_modules.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/pipe.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['better-sqlite3', 'cpu-features'],
  // dockerode loads these for features pipe does not use (ssh:// hosts, BuildKit sessions and their protobuf
  // status messages); see bundle-stub.cjs.
  alias: {
    ssh2: './scripts/bundle-stub.cjs',
    '@grpc/grpc-js': './scripts/bundle-stub.cjs',
    '@grpc/proto-loader': './scripts/bundle-stub.cjs',
    protobufjs: './scripts/bundle-stub.cjs',
  },
  // The sources are ES modules: import.meta.url is the bundle's own URL, as it was in an ESM bundle.
  define: { 'import.meta.url': '__pipeImportMetaUrl' },
  banner: { js: "const __pipeImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// One byte per character, so bin/pipe.js reads it as latin1, several times faster than decoding UTF-8 (a bundle with
// one character past ASCII is a two-byte string of 3 MB). esbuild escapes those of strings, regular expressions and
// identifiers already (charset ascii); what is left is in comments, where an escape means the same to a reader.
const bundle = readFileSync('dist/pipe.cjs', 'utf8');
if (/[^\x00-\x7f]/.test(bundle)) writeFileSync('dist/pipe.cjs', bundle.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`));

// A code cache of an older bundle would be rejected anyway; the ESM bundle of older versions is no longer run.
const caches = readdirSync('dist').filter((f) => /^pipe\.cjs\.(.+\.)?cache$/.test(f)).map((f) => `dist/${f}`);
for (const stale of [...caches, 'dist/pipe.mjs', 'dist/pipe.mjs.map']) rmSync(stale, { force: true });

// The dashboard's client, for the browser (scripts/bundle-client.mjs).
await import('./bundle-client.mjs');
