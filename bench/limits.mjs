// Benchmark: how fast hostile input is refused. The tests check that each case is refused with its message and
// does not blow up (a generous bound); the speed is measured here. Targets: each YAML case under 1 s, the
// 10 MB template and the 10,000-resource template under 3 s together. Imports dist/ (`npm run build`).
// Run alone: `node bench/limits.mjs`.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Milliseconds until `parse` throws; a text that is accepted is a bench failure. */
function refusal(parse) {
  const t0 = performance.now();
  try {
    parse();
  } catch {
    return performance.now() - t0;
  }
  throw new Error('the hostile text was accepted');
}

/** `levels` lists of nine aliases of the level below: 9^levels values once expanded (as test/unit/yaml-limits.test.ts). */
function aliasBomb(levels) {
  const rows = ["          l0: &l0 ['#{SourceVariables.CommitId}', x, x, x, x, x, x, x, x]"];
  for (let i = 1; i <= levels; i++) rows.push(`          l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(', ')}]`);
  return ['name: p', 'stages:', '  - name: Source', '    actions:', '      - name: Checkout', '        type: Source/Git', '        configuration:',
    '          repository: .', ...rows, '        outputArtifacts: [Src]', '        namespace: SourceVariables', '  - name: Build', '    actions:',
    '      - { name: B, type: Build/CodeBuild, inputArtifacts: [Src] }', ''].join('\n');
}

export async function benchLimits() {
  const { parseBuildspec, parsePipelineSpec, readTemplate } = await import(pathToFileURL(join(ROOT, 'dist', 'parse', 'index.js')).href);
  const bomb = aliasBomb(9);
  const keys = `version: 0.2\nenv:\n  variables:\n${Array.from({ length: 10_005 }, (_, i) => `    V${i}: x`).join('\n')}\nphases:\n  build:\n    commands: [make]\n`;
  const head = 'AWSTemplateFormatVersion: 2010-09-09\nTransform: AWS::Serverless-2016-10-31\n';
  const big = `${head}Description: "${'x'.repeat(10 * 1024 * 1024)}"\nResources: {}\n`;
  const many = `${head}Resources:\n${Array.from({ length: 10_000 }, (_, i) => `  T${i}: { Type: AWS::SNS::Topic }`).join('\n')}\n`;
  const cases = {
    bomb: () => parsePipelineSpec(bomb, 'p.yml'),
    keys: () => parseBuildspec(keys, 'buildspec.yml'),
    templates: () => {
      refusal(() => readTemplate(big, 'template.yaml'));
      refusal(() => readTemplate(many, 'template.yaml'));
      throw new Error('both refused');
    },
  };
  const ms = Object.fromEntries(Object.entries(cases).map(([k, f]) => [k, median(Array.from({ length: RUNS }, () => refusal(f)))]));
  return [
    { name: 'alias bomb (9^9 values) refused, median', value: ms.bomb, unit: 'ms', target: '< 1000 ms', ok: ms.bomb < 1000 },
    { name: 'buildspec with 10,005 keys refused, median', value: ms.keys, unit: 'ms', target: '< 1000 ms', ok: ms.keys < 1000 },
    { name: '10 MB template and 10,000-resource template refused, median', value: ms.templates, unit: 'ms', target: '< 3000 ms', ok: ms.templates < 3000 },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchLimits()) console.log(r);
}
