import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { SummaryReporter } from './test/support/summary-reporter.js';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two files at a time even on 2 cores (vitest's default there is one): most of a file's time is spent waiting
    // on Docker, git and child processes. Each file has its own PIPE_HOME, so files do not see each other's state.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    globalSetup: ['test/support/global-setup.ts'],
    // Each test file its own PIPE_HOME, so its containers and state are its own.
    setupFiles: ['test/support/file-home.ts'],
    // A test that asserts nothing proves nothing. A poll waits on its condition up to a bound that a loaded machine
    // does not reach (vitest's default is 1 s, about what removing a container takes beside a busy process).
    expect: { requireAssertions: true, poll: { timeout: 30_000, interval: 50 } },
    reporters: ['default', new SummaryReporter()],
  },
});
