// Runs a real command-line script as a child process, as npm runs it, in an empty temporary folder (so
// no developer .env is read) and with only the environment a test gives it (and the product's declared
// variables: child-env.ts). The chat and the doctor run on the tests' project (test/fixtures/chat.ts,
// doctor.ts); `product: true` runs the product's own (scripts/chat.ts, doctor.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv } from './child-env.ts';
import { PROJECT_ROOT } from './project-files.ts';

export interface ScriptRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to exit. */
  elapsedMs: number;
}

export interface ScriptProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout contains `text`; rejects if the process exits first, or after `timeoutMs`. */
  waitForStdout(text: string, timeoutMs?: number): Promise<void>;
  done: Promise<ScriptRun>;
}

const workDirs: string[] = [];

/** A new empty folder for a test's files and processes, removed after the test file (remove-work-dirs.ts). */
export function newWorkDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mastra-test-'));
  workDirs.push(dir);
  return dir;
}

/** Removes the folders newWorkDir() made (each test file's, once its own afterAll hooks have stopped its processes). */
export function removeWorkDirs(): void {
  for (const dir of workDirs.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {} // a process that outlived its test still writing there: the folder is in the system's temp folder anyway
  }
}

export type Script = 'chat' | 'doctor' | 'token';

/** The scripts the tests' project has its own entry for (test/fixtures/<script>.ts). */
const ON_FIXTURES: readonly Script[] = ['chat', 'doctor'];

/**
 * Node's arguments for `npm run <script>`, as package.json gives them ("node <flags> scripts/x.ts"),
 * with the project's paths made absolute: the tests and the bench run what npm runs, minus npm itself.
 * By default the same flags on the tests' project's entry; `product: true`, the product's script.
 */
export function nodeArgsOf(script: Script, { product = false } = {}): string[] {
  const { scripts } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [command, ...args] = scripts[script]!.split(' ');
  if (command !== 'node') throw new Error(`npm run ${script} is not a node command: ${scripts[script]}`);
  const entry = (arg: string) => (product || !ON_FIXTURES.includes(script) ? arg : join('test', 'fixtures', `${script}.ts`));
  return args.map((arg) =>
    /^(\.\/)?scripts\/\w+\.ts$/.test(arg) ? join(PROJECT_ROOT, entry(arg)) : /^(\.\/)?scripts\//.test(arg) ? join(PROJECT_ROOT, arg) : arg,
  );
}

/** How long a test waits for a process's answer: a bound for a busy machine (an exit without it fails at once). */
export const ANSWER_WITHIN_MS = 90_000;

export interface ScriptOptions {
  /** The product's own script rather than the tests' project's. */
  product?: boolean;
}

export function startScript(
  script: Script,
  args: string[],
  env: Record<string, string> = {},
  cwd = newWorkDir(),
  { product = false }: ScriptOptions = {},
): ScriptProcess {
  const started = Date.now();
  const child = spawn(process.execPath, [...nodeArgsOf(script, { product }), ...args], {
    cwd,
    env: childEnv(env, { home: process.env.HOME ?? cwd }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  // Decoded as a stream, so a character split between two chunks arrives whole.
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    stdout += chunk;
    for (const watcher of watchers) watcher();
  });
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  let closed = false;
  const done = new Promise<ScriptRun>((resolve) =>
    child.on('close', (code, signal) => {
      closed = true;
      for (const watcher of watchers) watcher();
      resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - started });
    }),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStdout(text, timeoutMs = ANSWER_WITHIN_MS) {
      return new Promise((resolve, reject) => {
        const fail = (why: string) => {
          clearTimeout(timer);
          watchers.delete(check);
          reject(new Error(`${why} ${JSON.stringify(text)}; stdout: ${stdout}; stderr: ${stderr}`));
        };
        const check = () => {
          if (!stdout.includes(text)) return closed ? fail('the process exited before stdout contained') : undefined;
          clearTimeout(timer);
          watchers.delete(check);
          resolve();
        };
        const timer = setTimeout(() => fail(`stdout did not contain within ${timeoutMs} ms`), timeoutMs);
        watchers.add(check);
        check();
      });
    },
    done,
  };
}

/** Runs a script to completion, with `input` on stdin (closed afterwards). */
export async function runScript(
  script: Script,
  args: string[],
  env: Record<string, string> = {},
  input = '',
  cwd?: string,
  options?: ScriptOptions,
): Promise<ScriptRun> {
  const started = startScript(script, args, env, cwd, options);
  started.child.stdin!.end(input);
  return started.done;
}

export const startChat = (args: string[], env?: Record<string, string>, cwd?: string) => startScript('chat', args, env, cwd);
export const runChat = (args: string[], env?: Record<string, string>, input?: string, cwd?: string) =>
  runScript('chat', args, env, input, cwd);
/** `npm run chat` of the product (scripts/chat.ts), for the product's own example tests. */
export const runProductChat = (args: string[], env?: Record<string, string>, input?: string) =>
  runScript('chat', args, env, input, undefined, { product: true });

/**
 * Runs at most `count` of the tasks given to it at once, the others as places free up. Tests that run
 * concurrently start their processes through one, so a busy machine slows them down in turn rather
 * than starving all of them at once.
 */
export function inTurns(count: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running < count) running += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // a finishing task hands its place over
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}
