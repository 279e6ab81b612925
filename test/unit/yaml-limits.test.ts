// The YAML reader's limits: a hostile file (alias bomb, endless alias, nesting bomb, key flood, huge file) fails fast
// with one problem at the place it crosses the limit, exact text as the CLI prints it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/index.js';
import { YAML_LIMITS, loadBuildspec, parseBuildspec, parsePipelineSpec } from '../../src/parse/index.js';

/**
 * The whole report, or a failure when the text is accepted. Each case must end without blowing up (an expanded bomb
 * takes minutes); how fast it is refused is measured by `npm run bench` (bench/limits.mjs), not here.
 */
function report(parse: () => unknown): string {
  const started = Date.now();
  try {
    parse();
  } catch (e) {
    expect(Date.now() - started).toBeLessThan(10_000);
    if (e instanceof ValidationError) return e.format();
    throw e;
  }
  throw new Error('expected the file to be rejected');
}

/** `levels` lists of nine aliases of the level below: 9^levels values once expanded. */
function aliasBomb(levels: number): string {
  const rows = ["          l0: &l0 ['#{SourceVariables.CommitId}', x, x, x, x, x, x, x, x]"];
  for (let i = 1; i <= levels; i++) rows.push(`          l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(', ')}]`);
  return [
    'name: p',
    'stages:',
    '  - name: Source',
    '    actions:',
    '      - name: Checkout',
    '        type: Source/Git',
    '        configuration:',
    '          repository: .',
    ...rows,
    '        outputArtifacts: [Src]',
    '        namespace: SourceVariables',
    '  - name: Build',
    '    actions:',
    '      - { name: B, type: Build/CodeBuild, inputArtifacts: [Src] }',
    '',
  ].join('\n');
}

describe('YAML limits', () => {
  it('an alias bomb in a configuration value is refused at the alias that crosses the limit', () => {
    expect(report(() => parsePipelineSpec(aliasBomb(9), 'p.yml'))).toMatchInlineSnapshot(`
      "p.yml: 1 problem found
        p.yml:14:20 alias *l4 takes the document past 100000 values, pipe's limit (an alias bomb?)
          14 |           l5: &l5 [*l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4]
             |                    ^"
    `);
  });

  it('a few aliases of a small anchor are read through as usual (here: a reference at every expanded place)', () => {
    const out = report(() => parsePipelineSpec(aliasBomb(2), 'p.yml'));
    expect(out).not.toContain("pipe's limit");
    expect(out).toContain('p.yml:9:21 stages[0].actions[0].configuration.l2[8][8][0]: #{SourceVariables.CommitId}: ');
  });

  it('an alias inside the node it names is refused instead of making an endless tree', () => {
    const text = 'version: 0.2\nphases:\n  build: &b\n    commands: [*b]\n';
    expect(report(() => parseBuildspec(text, 'buildspec.yml'))).toMatchInlineSnapshot(`
      "buildspec.yml: 1 problem found
        buildspec.yml:4:16 alias *b stands inside the node it names, which would make it endless
          4 |     commands: [*b]
            |                ^"
    `);
  });

  it('nesting deeper than the limit is refused where it crosses it', () => {
    const text = `version: 0.2\nenv:\n  variables:\n    A: ${'['.repeat(YAML_LIMITS.depth + 10)}${']'.repeat(YAML_LIMITS.depth + 10)}\n`;
    expect(report(() => parseBuildspec(text, 'buildspec.yml'))).toMatchInlineSnapshot(`
      "buildspec.yml: 1 problem found
        buildspec.yml:4:69 the document nests deeper than 64 levels, pipe's limit; a pipeline or buildspec needs far fewer
          4 |     A: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
            |                                                                     ^"
    `);
  });

  it('more keys than the limit are refused at the first one past it', () => {
    const vars = Array.from({ length: YAML_LIMITS.keys + 5 }, (_, i) => `    V${i}: x`).join('\n');
    const text = `version: 0.2\nenv:\n  variables:\n${vars}\nphases:\n  build:\n    commands: [make]\n`;
    const out = report(() => parseBuildspec(text, 'buildspec.yml'));
    expect(out).toMatchInlineSnapshot(`
      "buildspec.yml: 1 problem found
        buildspec.yml:10003:5 the document has more than 10000 mapping keys, pipe's limit
          10003 |     V9999: x
                |     ^"
    `);
  });

  it('a file past the size limit is reported by its size, at the place the limit falls, without being read whole', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipe-yaml-limits-'));
    const file = path.join(dir, 'buildspec.yml');
    const line = `# ${'x'.repeat(29)}\n`;
    writeFileSync(file, `version: 0.2\n${line.repeat(160 * 1024)}`);
    const out = report(() => loadBuildspec(file));
    expect(out.replaceAll(file, 'buildspec.yml')).toMatchInlineSnapshot(`
      "buildspec.yml: 1 problem found
        buildspec.yml:32769:20 the file is 5242893 bytes, larger than pipe's limit of 1048576 bytes (1 MiB) for a pipeline or buildspec
          32769 | # xxxxxxxxxxxxxxxxxx
                |                    ^"
    `);
  });
});
