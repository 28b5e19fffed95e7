// Suites that need something this machine may lack (Chromium, PostgreSQL) say why they are skipped and
// how to run them: each skipped test carries the note, and skip-notes-reporter.ts prints the notes in
// vitest's output.
import { beforeEach, describe } from 'vitest';

/** `describe(name, body)`, whose tests are skipped with `missing` as their note when it is given. */
export function describeUnless(missing: string | undefined, name: string, body: () => void): void {
  describe(name, () => {
    if (missing !== undefined) beforeEach((context) => context.skip(missing));
    body();
  });
}
