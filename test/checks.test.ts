// The project's own checks, `npm run format:check` and `npm run typecheck`, as tests of `npm test`: they run
// beside the other test files (Prettier and tsc use one core each) rather than before all of them.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './helpers/project-files.ts';

/** A bound for tsc on a busy machine. */
const CHECK_TIMEOUT_MS = 300_000;

/** What `npm run <script>` printed, on stdout and stderr (a failing check prints why). */
async function npmRun(script: string): Promise<string> {
  const run = promisify(execFile)('npm', ['run', script, '--silent'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: CHECK_TIMEOUT_MS });
  const { stdout, stderr } = await run.catch((error: { stdout: string; stderr: string; message: string }) => ({
    stdout: error.stdout,
    stderr: error.stderr || error.message,
  }));
  return `${stdout}${stderr}`;
}

describe.concurrent('the project', () => {
  it(
    'is formatted as Prettier formats it (npm run format fixes it)',
    async () => {
      expect(await npmRun('format:check')).toBe('');
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    'typechecks (npm run typecheck)',
    async () => {
      expect(await npmRun('typecheck')).toBe('');
    },
    CHECK_TIMEOUT_MS,
  );
});
