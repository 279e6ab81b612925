// The repository the durable tests run: a Source/Git of itself, then a Build whose buildspec waits at the gate its
// GATE variable names (the pipeline variable `Gate`), so a test decides when each execution's build goes on. Also the
// environment those tests give each pipe they start: their own PIPE_HOME and TMPDIR, so what is left is their own.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePipeEnv } from './cli.js';
import type { PipeEnv } from './cli.js';
import type { Gates } from './gate.js';
import { makeRepo } from './git-fixture.js';

export interface GatedPipelineOptions {
  /** The pipeline's name (its artifacts go to ARTIFACTS/<name>/<execution id>). */
  name: string;
  executionMode?: string;
  /** The default of the pipeline variable `Gate`, which a run overrides with `--variable Gate=NAME`. */
  defaultGate?: string;
  /** Stages (YAML, indented as items of `stages`) between Source and Build. */
  middle?: string;
  /** Stages after Build. */
  after?: string;
}

/**
 * `buildspec.yml` and `pipeline.yml` of a gated pipeline. The build prints `build at gate NAME`, waits at gate NAME,
 * then prints `build through gate NAME`; the Source action's namespace is SourceVariables.
 */
export function gatedPipelineFiles(gates: Gates, o: GatedPipelineOptions): Record<string, string> {
  const buildspec = `version: 0.2\nphases:\n  build:\n    commands:\n      - echo "build at gate $GATE"\n      - ${JSON.stringify(gates.waitCommand())}\n      - echo "build through gate $GATE"\n`;
  const pipeline = `name: ${o.name}
${o.executionMode ? `executionMode: ${o.executionMode}\n` : ''}variables:
  - { name: Gate, default: ${o.defaultGate ?? 'open'} }
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration: { repository: . }
        outputArtifacts: [Src]
        namespace: SourceVariables
${o.middle ?? ''}  - name: Build
    actions:
      - name: Build
        type: Build/CodeBuild
        configuration:
          buildspec: buildspec.yml
          environmentVariables: { GATE: "#{variables.Gate}" }
        inputArtifacts: [Src]
${o.after ?? ''}`;
  return { 'buildspec.yml': buildspec, 'pipeline.yml': pipeline };
}

/** A committed repository holding a gated pipeline (gatedPipelineFiles); returns its path. */
export function gatedRepo(gates: Gates, o: GatedPipelineOptions): string {
  return makeRepo(gatedPipelineFiles(gates, o), 'gated pipeline');
}

/** A pipe environment with its own PIPE_HOME, artifacts and TMPDIR (`tmp`), so what is left in them is its own. */
export function isolatedPipeEnv(): PipeEnv & { tmp: string } {
  const p = makePipeEnv();
  const tmp = mkdtempSync(join(tmpdir(), 'pipe-test-tmp-'));
  return { ...p, env: { ...p.env, TMPDIR: tmp }, tmp };
}
