// Bundles the CLI into one ESM file (dist/pipe.mjs) so `pipe` starts fast: Node loads one module instead of
// hundreds. Native and optional modules stay external and load from node_modules.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/pipe.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['better-sqlite3', 'cpu-features'],
  // dockerode loads these at start for features pipe does not use; see bundle-stub.cjs.
  alias: {
    ssh2: './scripts/bundle-stub.cjs',
    '@grpc/grpc-js': './scripts/bundle-stub.cjs',
    '@grpc/proto-loader': './scripts/bundle-stub.cjs',
  },
  // Some bundled CommonJS packages call require(); give them one.
  banner: { js: "import { createRequire as __pipeCreateRequire } from 'node:module'; const require = __pipeCreateRequire(import.meta.url);" },
});

// The dashboard's client, for the browser (scripts/bundle-client.mjs).
await import('./bundle-client.mjs');
