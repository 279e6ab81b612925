// Docker tests run against a real engine. With no engine they are skipped with a visible message,
// except under PIPE_REQUIRE_DOCKER=1 (CI), where they fail.
import { describe } from 'vitest';
import { DockerEngine } from '../../src/infra/docker.js';

export const TEST_IMAGE = process.env['PIPE_TEST_IMAGE'] ?? 'pipe/standard:1';

async function probe(): Promise<string | undefined> {
  const engine = new DockerEngine();
  try {
    await engine.ping();
  } catch (e) {
    return `no Docker engine: ${(e as Error).message}`;
  }
  if (!(await engine.hasImage(TEST_IMAGE))) return `image ${TEST_IMAGE} missing (bash scripts/setup.sh builds it)`;
  return undefined;
}

const unavailable = await probe();
const required = process.env['PIPE_REQUIRE_DOCKER'] === '1';

if (unavailable && !required) {
  process.stderr.write(`\n[pipe tests] SKIPPING Docker tests: ${unavailable}\n\n`);
}

/** `describe` for tests that need a real Docker engine and the local image. */
export function describeDocker(name: string, body: () => void): void {
  if (unavailable && required) {
    describe(name, () => {
      throw new Error(`PIPE_REQUIRE_DOCKER=1 but ${unavailable}`);
    });
    return;
  }
  if (unavailable) {
    describe.skip(name, body);
    return;
  }
  describe(name, body);
}

/** pipe/standard:7.0, CodeBuild's tools; setup.sh builds it (minutes), so only the few tests that need it use it. */
export const STANDARD_TEST_IMAGE = 'pipe/standard:7.0';
const standardMissing = unavailable ?? ((await new DockerEngine().hasImage(STANDARD_TEST_IMAGE)) ? undefined : `image ${STANDARD_TEST_IMAGE} missing (bash scripts/setup.sh builds it)`);
if (standardMissing && !unavailable && !required) {
  process.stderr.write(`\n[pipe tests] SKIPPING tests of ${STANDARD_TEST_IMAGE}: ${standardMissing}\n\n`);
}

/** `describe` for tests that need pipe/standard:7.0: skipped with a message without it, failing under PIPE_REQUIRE_DOCKER=1. */
export function describeStandardImage(name: string, body: () => void): void {
  if (standardMissing && required) {
    describe(name, () => {
      throw new Error(`PIPE_REQUIRE_DOCKER=1 but ${standardMissing}`);
    });
    return;
  }
  if (standardMissing) {
    describe.skip(name, body);
    return;
  }
  describe(name, body);
}
