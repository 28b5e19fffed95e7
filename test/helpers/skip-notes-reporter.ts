// A vitest reporter (beside the default one, see vitest.config.ts): at the end of a run, one line per
// reason tests were skipped, with the files and the count, so a missing Chromium or PostgreSQL is
// seen, not guessed from a skipped count.
import type { Reporter, TestModule } from 'vitest/node';

export default class SkipNotesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const byNote = new Map<string, { files: Set<string>; count: number }>();
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        const result = test.result();
        if (result.state !== 'skipped' || !result.note) continue;
        const entry = byNote.get(result.note) ?? { files: new Set(), count: 0 };
        entry.files.add(testModule.relativeModuleId);
        entry.count += 1;
        byNote.set(result.note, entry);
      }
    }
    for (const [note, { files, count }] of byNote) {
      process.stdout.write(`\n ↓ ${count} ${count === 1 ? 'test' : 'tests'} skipped in ${[...files].join(', ')}: ${note}\n`);
    }
  }
}
