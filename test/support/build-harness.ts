// Runs a buildspec (YAML text) through the real build runner in a real container, and collects what happened.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArtifactIo } from '../../src/artifacts/index.js';
import { createDockerBuildContainers, runBuild } from '../../src/codebuild/index.js';
import type { BuildAwsAccess, BuildExecution, BuildSource, CacheStore } from '../../src/codebuild/index.js';
import type { DockerEngine } from '../../src/infra/index.js';
import { parseBuildspec } from '../../src/parse/index.js';
import { TEST_IMAGE } from './docker.js';

export const TEST_LABEL = 'dev.pipe.test';

export interface HarnessResult {
  result: BuildExecution;
  lines: string[];
  /** Only the commands' own output (stdout and stderr), not the agent's lines. */
  output: string[];
  outDir: string;
}

export async function runBuildspec(
  yaml: string,
  options: {
    outputs?: string[];
    environment?: Record<string, string>;
    source?: BuildSource;
    signal?: AbortSignal;
    labels?: Record<string, string>;
    timeoutMinutes?: number;
    /** The build's cache scope and the host cache it uses (both needed for `cache.paths`). */
    cacheScope?: string;
    cache?: CacheStore;
    /** Called with each log line as it comes (to act when the build reaches a point). */
    onLine?: (stream: string, line: string) => void;
    /** The build's image name (default TEST_IMAGE). */
    image?: string;
    /** privilegedMode: the build gets a Docker engine. */
    privileged?: boolean;
    /** The engine the build's containers come from (default: DOCKER_HOST's). */
    engine?: DockerEngine;
    /** How the build reaches AWS APIs (sets the AWS_* variables and installs the CLI shim where needed). */
    aws?: BuildAwsAccess;
  } = {},
): Promise<HarnessResult> {
  const spec = parseBuildspec(yaml, 'buildspec.yml');
  const outDir = mkdtempSync(join(tmpdir(), 'pipe-build-'));
  const lines: string[] = [];
  const output: string[] = [];
  const result = await runBuild(
    {
      identity: {
        projectName: 'test',
        buildId: `test:${Date.now()}`,
        buildNumber: 7,
        image: options.image ?? TEST_IMAGE,
        initiator: 'codepipeline/test',
        region: 'us-east-1',
        account: '000000000000',
        startTimeMs: Date.now(),
        secondarySourceNames: [],
        sourceVersion: 'abc123',
        resolvedSourceVersion: 'abc123',
      },
      spec,
      ...(options.source ? { primarySource: options.source } : {}),
      secondarySources: [],
      environment: options.environment ?? {},
      outputs: (options.outputs ?? []).map((name) => ({ name, path: join(outDir, `${name}.zip`) })),
      labels: { [TEST_LABEL]: 'build', ...options.labels },
      ...(options.privileged ? { privileged: true } : {}),
      ...(options.aws ? { aws: options.aws } : {}),
      ...(options.timeoutMinutes ? { timeoutMinutes: options.timeoutMinutes } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.cacheScope ? { cacheScope: options.cacheScope } : {}),
      line: (stream, line) => {
        lines.push(line);
        if (stream !== 'system') output.push(line);
        options.onLine?.(stream, line);
      },
    },
    { containers: createDockerBuildContainers(options.engine), artifacts: createArtifactIo(), ...(options.cache ? { cache: options.cache } : {}) },
  );
  return { result, lines, output, outDir };
}

export function phaseStatuses(r: BuildExecution): string[] {
  return r.phases.map((p) => `${p.phase} ${p.status}`);
}
