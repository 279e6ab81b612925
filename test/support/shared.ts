// Tests that read ../shared (the buildspec corpus, the reference, the tool coverage checker) beside the clone.
// A newcomer's clone has no ../shared: those tests are skipped with a visible message, except under
// PIPE_REQUIRE_SHARED=1 (.ci/run sets it), where a missing ../shared fails them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_DIR = path.resolve(repoRoot, '../shared');

const required = process.env['PIPE_REQUIRE_SHARED'] === '1';

/** `describe` for tests that need `../shared/<needs>`. */
export function describeShared(name: string, needs: string, body: () => void): void {
  const wanted = path.join(SHARED_DIR, needs);
  if (existsSync(wanted)) {
    describe(name, body);
    return;
  }
  if (required) {
    describe(name, () => {
      throw new Error(`PIPE_REQUIRE_SHARED=1 but ${wanted} is missing`);
    });
    return;
  }
  process.stderr.write(`\n[pipe tests] SKIPPING ${name}: ${wanted} is missing (it sits beside the clone in CI)\n\n`);
  describe.skip(name, body);
}
