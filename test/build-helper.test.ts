// The test files' build of the server (test/helpers/build.ts): a failed build says why, and the build
// is reused until a source changes.
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newWorkDir } from './helpers/run-script.ts';
import { describe, expect, it } from 'vitest';
import { runBuild, sourcesHash } from './helpers/build.ts';
import { PROJECT_ROOT } from './helpers/project-files.ts';

describe('the build for the tests that run the built server', () => {
  // Stand-in builds run by sh, which prints at once even on a busy machine (Node may take longer to
  // start than the short limit this test needs).
  it('says it timed out, after how long, when the build does not finish in time', async () => {
    await expect(runBuild(2_000, ['sh', '-c', 'echo bundling; exec sleep 60'])).rejects.toThrow(
      /timed out after 2 s \(the machine may be busy\); its last lines:\nbundling/,
    );
  });

  it("gives the build's own error and exit code when it fails", async () => {
    await expect(runBuild(60_000, ['sh', '-c', 'echo "Could not resolve ./missing.ts" >&2; exit 3'])).rejects.toThrow(
      /failed \(exit 3, after \d+ s\):\nCould not resolve \.\/missing\.ts/,
    );
  });

  it('is redone when a file under src/ or package.json changes, and only then', () => {
    const copy = newWorkDir();
    for (const entry of ['src', 'package.json', 'tsconfig.json']) cpSync(join(PROJECT_ROOT, entry), join(copy, entry), { recursive: true });
    const before = sourcesHash(copy);
    expect(sourcesHash(copy)).toBe(before);
    writeFileSync(join(copy, 'src', 'agents', 'new-agent.ts'), 'export {};\n');
    const withFile = sourcesHash(copy);
    expect(withFile).not.toBe(before);
    writeFileSync(join(copy, 'package.json'), '{}\n');
    expect(sourcesHash(copy)).not.toBe(withFile);
  });
});
