// The run's last lines: why tests were skipped (the requirement that was missing), how many containers tests left
// behind (removed here, see gone-homes.ts), then the counts alone on a line, `N passed, N failed, N skipped`. A file
// that failed before its tests ran counts as one failure.
import type { Reporter, SerializedError, TestCase, TestModule, TestSuite } from 'vitest/node';
import { removeContainersOfGoneHomes } from './gone-homes.js';

function skipReason(test: TestCase): string {
  let node: TestCase | TestSuite | TestModule = test;
  while (node.type !== 'module') {
    const why = node.meta().skippedFor;
    if (why) return `needs ${why} (PIPE_SKIP_MISSING=1)`;
    node = node.parent;
  }
  return test.options.mode === 'todo' ? 'todo' : 'not selected (-t, .only) or skipped in the test file';
}

export class SummaryReporter implements Reporter {
  async onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): Promise<void> {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    const reasons = new Map<string, number>();
    const missing = new Map<string, number>();
    for (const module of modules) {
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') {
          failedHere += 1;
          const why = test.meta().failedFor;
          if (why) missing.set(why, (missing.get(why) ?? 0) + 1);
        }
        else if (state === 'skipped') {
          skipped += 1;
          const why = skipReason(test);
          reasons.set(why, (reasons.get(why) ?? 0) + 1);
        }
      }
      if (failedHere === 0 && (module.errors().length > 0 || module.state() === 'failed')) failedHere = 1;
      failed += failedHere;
    }
    const lines = [...reasons].map(([why, n]) => `[pipe tests] ${n} skipped: ${why}`);
    for (const [why, n] of missing) {
      lines.push(`[pipe tests] ${n} suite(s) failed, as they need ${why} ('bash scripts/setup.sh --test' sets up what is missing; PIPE_SKIP_MISSING=1 skips them instead)`);
    }
    if (unhandledErrors.length > 0) lines.push(`[pipe tests] ${unhandledErrors.length} unhandled error(s) counted as failed`);
    const removed = await removeContainersOfGoneHomes();
    if (removed > 0) lines.push(`[pipe tests] removed ${removed} container(s) left by test homes that are gone`);
    lines.push(`${passed} passed, ${failed} failed, ${skipped} skipped`);
    process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}
