// Bundles the dashboard's client (src/server/client/) for the browser: dist/dashboard.js and dist/dashboard.css,
// served by `pipe serve` from disk, so the page needs no CDN and works offline.
import { build } from 'esbuild';

await build({
  entryPoints: { dashboard: 'src/server/client/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  sourcemap: true,
  minify: true,
  logLevel: 'warning',
  // core's ids.ts makes ids with node:crypto; the client imports core only for its status tuples and types.
  alias: { 'node:crypto': './scripts/browser-crypto-stub.mjs' },
  // core reads a few tunables from the environment at load time; the browser has none.
  define: { 'process.env': '{}' },
});
