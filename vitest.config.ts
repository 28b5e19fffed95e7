import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'web/**/*.test.ts'],
    // The test files that run the built server (.mastra/output) build it themselves, only when the
    // sources changed (useBuiltServer in test/helpers/build.ts): one file runs without a build.
    // A skipped suite's reason (no Chromium, no PostgreSQL build) printed at the end of the run.
    reporters: ['test/helpers/skip-notes-reporter.ts', 'default'],
    // Most of a test's time is spent waiting on the processes it starts (servers, the chat, installs,
    // Chromium): files run three at a time whatever the core count (vitest's default is one fewer than
    // the cores, one file at a time on 2 cores).
    maxWorkers: 3,
    // The tests spawn real processes and wait for real exports: bounds for a busy 2-core machine, met at
    // once when what is waited for happens (a hang still fails, later).
    testTimeout: 120_000,
    hookTimeout: 180_000,
    env: { MASTRA_TELEMETRY_DISABLED: '1' },
  },
});
