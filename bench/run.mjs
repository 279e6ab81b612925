// `npm run bench`: every benchmark of the project, measured in one run, printed as a table.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchImages } from './images.mjs';
import { benchPipeline } from './pipeline.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const suites = [['pipeline', benchPipeline], ['images', benchImages]];
if (existsSync(join(here, 'engine.mjs'))) {
  const { benchEngine } = await import('./engine.mjs');
  suites.push(['engine', benchEngine]);
}
if (existsSync(join(here, 'registry.mjs'))) {
  const { benchRegistry } = await import('./registry.mjs');
  suites.push(['registry', benchRegistry]);
}
for (const [file, name, fn] of [['build-tools.mjs', 'build tools', 'benchBuildTools'], ['artifact-upload.mjs', 'artifact upload', 'benchArtifactUpload']]) {
  if (existsSync(join(here, file))) suites.push([name, (await import(`./${file}`))[fn]]);
}
if (existsSync(join(here, 'gateway.mjs'))) {
  const { benchGateway, benchServeGateway } = await import('./gateway.mjs');
  suites.push(['gateway', benchGateway]);
  suites.push(['gateway in pipe serve', benchServeGateway]);
}
if (existsSync(join(here, 'registry-upload.mjs'))) {
  const { benchRegistryUpload } = await import('./registry-upload.mjs');
  suites.push(['registry upload', benchRegistryUpload]);
}
if (existsSync(join(here, 'deploy-rollback.mjs'))) {
  const { benchDeployRollback } = await import('./deploy-rollback.mjs');
  suites.push(['deploy rollback', benchDeployRollback]);
}
if (existsSync(join(here, 'dashboard.mjs'))) {
  const { benchDashboard } = await import('./dashboard.mjs');
  suites.push(['dashboard', benchDashboard]);
}

if (existsSync(join(here, 'stacks.mjs'))) {
  const { benchStacks } = await import('./stacks.mjs');
  suites.push(['stacks', benchStacks]);
}

if (existsSync(join(here, 'startup.mjs'))) {
  const { benchStartup } = await import('./startup.mjs');
  suites.push(['start-up', benchStartup]);
}

if (existsSync(join(here, 'hooks.mjs'))) {
  const { benchHooks } = await import('./hooks.mjs');
  suites.push(['git hooks', benchHooks]);
}

if (existsSync(join(here, 'limits.mjs'))) {
  const { benchLimits } = await import('./limits.mjs');
  suites.push(['hostile input', benchLimits]);
}

let failed = false;
for (const [name, run] of suites) {
  console.log(`\n## ${name}`);
  const rows = await run();
  for (const r of rows) {
    const verdict = r.ok === undefined ? '' : `  target ${r.target}: ${r.ok ? 'met' : 'MISSED'}`;
    if (r.ok === false) failed = true;
    console.log(`${r.name.padEnd(72)} ${r.value.toFixed(1).padStart(10)} ${r.unit}${verdict}`);
  }
}
process.exitCode = failed ? 1 : 0;
