import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The longest files (they install, build, drive Chromium, or run tsc) start first, so that none is left
// running alone at the end. Vitest orders by an earlier run's timings, which a fresh clone does not have
// (it then starts the largest files first). Entries for folders a product deleted simply match nothing.
const LONGEST = ['test/template/', 'test/product/built-server.test.ts', 'web/chat-dev.test.ts', 'test/studio', 'test/checks.test.ts'];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isLong = (file: TestSpecification) => LONGEST.some((path) => file.moduleId.includes(`/${path}`));
    return [...sorted.filter(isLong), ...sorted.filter((file) => !isLong(file))];
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'web/**/*.test.ts'],
    // The test files that run the built server (.mastra/output) build it themselves, only when the
    // sources changed (useBuiltServer in test/helpers/build.ts): one file runs without a build.
    // A skipped suite's reason (no Chromium, no PostgreSQL build) printed at the end of the run.
    reporters: ['test/helpers/skip-notes-reporter.ts', 'default'],
    // What a test logs (Mastra's own info lines in the app shapes, say) is shown when it fails; --silent=false shows all.
    silent: 'passed-only',
    setupFiles: ['test/helpers/remove-work-dirs.ts'],
    // Most of a test's time is spent waiting on the processes it starts (servers, the chat, installs,
    // Chromium): files run three at a time whatever the core count (vitest's default is one fewer than
    // the cores, one file at a time on 2 cores).
    maxWorkers: 3,
    // A worker runs its files one after the other in one module graph: Mastra and the other packages
    // load once per worker, not once per file. Each file starts and stops its own servers and processes.
    isolate: false,
    sequence: { sequencer: LongestFirst },
    // The tests spawn real processes and wait for real exports: bounds for a busy 2-core machine, met at
    // once when what is waited for happens (a hang still fails, later).
    testTimeout: 120_000,
    hookTimeout: 180_000,
    env: { MASTRA_TELEMETRY_DISABLED: '1' },
  },
});
