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
    // A test that asserts nothing proves nothing.
    expect: { requireAssertions: true },
    reporters: ['default', new SummaryReporter()],
  },
});
