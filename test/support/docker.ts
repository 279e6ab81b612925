// Tests that need more than Node: a real Docker engine and the local image, the AWS CLI v2, boto3. When one is
// missing they fail, saying what is missing and how to get it, unless PIPE_SKIP_MISSING=1 (a quick run), where
// they are skipped and the run's last lines say how many and why.
import { describe, it } from 'vitest';
import { DockerEngine } from '../../src/infra/index.js';
import { isSkipAllowed, readProbes, REQUIREMENT_NAMES } from './probes.js';
import type { Requirement } from './probes.js';

export { AWS_CLI, CHROMIUM, PYTHON, TEST_IMAGE } from './probes.js';
export type { Requirement } from './probes.js';

declare module '@vitest/runner' {
  interface TaskMeta {
    /** Why a suite was skipped: read by the summary reporter. */
    skippedFor?: string;
    /** What a suite's stand-in test failed for (a requirement missing): read by the summary reporter. */
    failedFor?: string;
  }
}

const probes = await readProbes();

/** `describe` for tests that need each of `needs`. */
export function describeNeeding(needs: readonly Requirement[], name: string, body: () => void): void {
  const missing = needs.flatMap((n) => (probes[n] ? [`${REQUIREMENT_NAMES[n]}: ${probes[n]}`] : []));
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const why = missing.join('; ');
  if (isSkipAllowed()) {
    describe(name, { skip: true, meta: { skippedFor: why } }, body);
    return;
  }
  describe(name, () => {
    it(`needs ${needs.map((n) => REQUIREMENT_NAMES[n]).join(' and ')}`, { meta: { failedFor: why } }, () => {
      throw new Error(`${why}\n(PIPE_SKIP_MISSING=1 skips the tests that need it instead)`);
    });
  });
}

/** `describe` for tests that need a real Docker engine and the local image. */
export function describeDocker(name: string, body: () => void): void {
  describeNeeding(['docker'], name, body);
}

/** pipe/standard:7.0, CodeBuild's tools; setup.sh builds it (minutes), so only the few tests that need it use it. */
export const STANDARD_TEST_IMAGE = 'pipe/standard:7.0';
const standardMissing =
  probes.docker ?? ((await new DockerEngine().hasImage(STANDARD_TEST_IMAGE).catch(() => false)) ? undefined : `image ${STANDARD_TEST_IMAGE} missing (bash scripts/setup.sh builds it)`);

/** `describe` for tests that need pipe/standard:7.0: like every missing requirement, it fails, unless PIPE_SKIP_MISSING=1. */
export function describeStandardImage(name: string, body: () => void): void {
  if (!standardMissing) {
    describe(name, body);
    return;
  }
  const why = `${STANDARD_TEST_IMAGE}: ${standardMissing}`;
  if (isSkipAllowed()) {
    describe(name, { skip: true, meta: { skippedFor: why } }, body);
    return;
  }
  describe(name, () => {
    it(`needs ${STANDARD_TEST_IMAGE}`, { meta: { failedFor: why } }, () => {
      throw new Error(`${why}\n(PIPE_SKIP_MISSING=1 skips the tests that need it instead)`);
    });
  });
}
