// The server's part of `npm run build` (`mastra build`: .mastra/output) for the test files that run the
// product's built server, and only for them: each calls useBuiltServer(), which builds once per change
// of the sources (a hash of src/, package.json, the lockfile and tsconfig.json, kept beside the output,
// which `mastra dev` and `build` empty) and otherwise reuses the build. The page's part (web/dist) is
// web-build.ts's, so a server build never empties the page under a web test running beside it. Test
// files run side by side, so one builds while the others wait for it (a lock folder holding its pid).
// A failed build says why: it timed out after N s, or its own error.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { beforeAll } from 'vitest';
import { PROJECT_ROOT } from './project-files.ts';

/** How long a build may take: minutes on a busy 2-core machine. */
export const BUILD_TIMEOUT_MS = 300_000;
const OUTPUT = join(PROJECT_ROOT, '.mastra', 'output');
// Outside .mastra/, which the build empties first.
const LOCK = join(PROJECT_ROOT, 'node_modules', '.cache', 'mastra-test-build.lock');
const INPUTS = ['src', 'package.json', 'package-lock.json', 'tsconfig.json'];

/** A hash of everything the build is made from (`inputs`: files, and folders without a dot in their name). */
export function sourcesHash(root = PROJECT_ROOT, inputs = INPUTS): string {
  const hash = createHash('sha256');
  const add = (path: string) => {
    if (!existsSync(path)) return;
    const entries = readdirSync(path, { withFileTypes: true, recursive: true }).filter((entry) => entry.isFile());
    const files = entries.map((entry) => join(entry.parentPath, entry.name)).sort();
    for (const file of files) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  };
  for (const input of inputs) {
    const path = join(root, input);
    if (!existsSync(path)) continue;
    if (input.includes('.')) hash.update(input).update('\0').update(readFileSync(path)).update('\0');
    else add(path);
  }
  return hash.digest('hex');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the lock, or returns the pid of the live process holding it (a dead holder's lock is taken over). */
function tryLock(): number | undefined {
  mkdirSync(dirname(LOCK), { recursive: true });
  try {
    mkdirSync(LOCK);
    writeFileSync(join(LOCK, 'pid'), String(process.pid));
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(existsSync(join(LOCK, 'pid')) ? readFileSync(join(LOCK, 'pid'), 'utf8') : NaN);
    if (Number.isInteger(holder) && alive(holder)) return holder;
    if (!Number.isInteger(holder)) return -1; // just created, its pid not written yet
    rmSync(LOCK, { recursive: true, force: true });
    return tryLock();
  }
}

/** Runs `command` (`npm run build` by default); rejects with why it failed: a timeout, or its exit code and last lines. */
export function runBuild(timeoutMs = BUILD_TIMEOUT_MS, command: [string, ...string[]] = ['npm', 'run', 'build']): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const build = spawn(command[0], command.slice(1), {
      cwd: PROJECT_ROOT,
      // The build installs the server's dependencies into .mastra/output with npm: from npm's cache
      // when it has them, rather than asking the registry about each first.
      env: { ...process.env, MASTRA_TELEMETRY_DISABLED: '1', npm_config_prefer_offline: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    build.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    build.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-build.pid!, 'SIGKILL'); // npm, the Mastra CLI and its bundler
      } catch {
        // already gone
      }
    }, timeoutMs);
    build.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command.join(' ')} could not start: ${error.message}`));
    });
    build.on('close', (code) => {
      clearTimeout(timer);
      const seconds = Math.round((Date.now() - started) / 1000);
      // Its last lines, stack frames left out: they say where the bundler threw, not why.
      const tail = output
        .trim()
        .split('\n')
        .filter((line) => !/^\s+at /.test(line))
        .slice(-20)
        .join('\n');
      if (timedOut)
        reject(
          new Error(
            `${command.join(' ')} timed out after ${Math.round(timeoutMs / 1000)} s (the machine may be busy); its last lines:\n${tail}`,
          ),
        );
      else if (code !== 0) reject(new Error(`${command.join(' ')} failed (exit ${code}, after ${seconds} s):\n${tail}`));
      else resolve();
    });
  });
}

/**
 * Runs `build` unless `isBuilt()`, under the tests' one build lock: one build at a time across the
 * test processes; the others wait for it, then reuse it.
 */
async function buildOnce(isBuilt: () => boolean, build: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + BUILD_TIMEOUT_MS + 60_000;
  for (;;) {
    if (isBuilt()) return;
    const holder = tryLock();
    if (holder === undefined) break;
    if (Date.now() > deadline)
      throw new Error(
        `waited ${Math.round(BUILD_TIMEOUT_MS / 1000) + 60} s for another test process's build (pid ${holder}); remove ${relative(PROJECT_ROOT, LOCK)} if it is gone`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  try {
    if (isBuilt()) return; // built by the lock's previous holder
    await build();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * A build redone only when its inputs change: `command` writes `output` (emptying it), where a hash of
 * `inputs` is kept beside `entry`, its main file. The function it returns resolves once the output is
 * up to date: built now, by another test file, or earlier.
 */
export function stampedBuild(
  output: string,
  { entry, inputs, command }: { entry: string; inputs: string[]; command: [string, ...string[]] },
) {
  const stamp = join(output, '.sources-hash');
  let building: Promise<void> | undefined;
  return (): Promise<void> =>
    (building ??= (async () => {
      const hash = sourcesHash(PROJECT_ROOT, inputs);
      const isBuilt = () => existsSync(join(output, entry)) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash;
      await buildOnce(isBuilt, async () => {
        rmSync(stamp, { force: true });
        await runBuild(BUILD_TIMEOUT_MS, command);
        writeFileSync(stamp, hash);
      });
    })());
}

/** The product's built server, up to date with the sources. */
export const ensureBuilt = stampedBuild(OUTPUT, { entry: 'index.mjs', inputs: INPUTS, command: ['npx', 'mastra', 'build'] });

/** In a test file that runs the built server: build it (or reuse the build) before the file's own beforeAll. */
export function useBuiltServer(): void {
  beforeAll(ensureBuilt, BUILD_TIMEOUT_MS + 90_000);
}
