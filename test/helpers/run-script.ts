// Runs a real command-line script (scripts/chat.ts, scripts/doctor.ts) as a child process, in an
// empty temporary folder (so no developer .env is read) and with only the environment a test gives it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';


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
  /** Resolves once stdout contains `text`. */
  waitForStdout(text: string, timeoutMs?: number): Promise<void>;
  done: Promise<ScriptRun>;
}

export function newWorkDir(): string {
  return mkdtempSync(join(tmpdir(), 'chat-test-'));
}

export type Script = 'chat' | 'doctor' | 'token';

export function startScript(script: Script, args: string[], env: Record<string, string> = {}, cwd = newWorkDir()): ScriptProcess {
  const started = Date.now();
  const scriptPath = fileURLToPath(new URL(`../../scripts/${script}.ts`, import.meta.url));
  const child = spawn(process.execPath, [scriptPath, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, MASTRA_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const watcher of watchers) watcher();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<ScriptRun>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - started })),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStdout(text, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!stdout.includes(text)) return;
          clearTimeout(timer);
          watchers.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`stdout never contained ${JSON.stringify(text)}; stdout: ${stdout}; stderr: ${stderr}`));
        }, timeoutMs);
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
): Promise<ScriptRun> {
  const started = startScript(script, args, env, cwd);
  started.child.stdin!.end(input);
  return started.done;
}

export const startChat = (args: string[], env?: Record<string, string>, cwd?: string) => startScript('chat', args, env, cwd);
export const runChat = (args: string[], env?: Record<string, string>, input?: string, cwd?: string) =>
  runScript('chat', args, env, input, cwd);
