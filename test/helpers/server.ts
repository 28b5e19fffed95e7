// Starting and stopping real servers in tests: the server on the tests' project, or the product's
// build; a free port, waiting until it answers, and stopping the whole process group (npm, the Mastra
// CLI and the server it runs).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ensureBuilt } from './build.ts';
import { childEnv } from './child-env.ts';
import { PROJECT_ROOT } from './project-files.ts';
import { newWorkDir } from './run-script.ts';

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** How long a server may take to answer after it is spawned: loading Mastra takes a while on a busy machine. */
export const SERVER_START_TIMEOUT_MS = 120_000;

/** Resolves once GET /api/agents answers (200, or 401 with auth on); rejects after `timeoutMs`. */
export async function waitForServer(baseUrl: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await fetch(`${baseUrl}/api/agents`).then(
      (response) => response.status < 500,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`${baseUrl} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** SIGKILL to the group of a child spawned with `detached: true`, if it is still there. */
export async function stopProcessGroup(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    return; // already gone
  }
  await exited;
}

/**
 * Waits for starts begun together (a server beside a browser), then rejects with the first failure. Each start
 * assigns what it started itself, so that afterAll stops it even when another start failed.
 */
export async function allStarted(starts: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(starts)).find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

export interface BuiltServer {
  baseUrl: string;
  process: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
}

/**
 * The server on the tests' project (test/fixtures/server.ts: the same assembly on Mastra's own Node
 * server, no build), with `env`, on a free port; `studio: true` serves Studio too, as `npm run dev` does.
 */
export function startServer(env: Record<string, string>, { studio = false } = {}): Promise<BuiltServer> {
  // Node's flags as the chat's npm script has them (the compile cache, less garbage collection while Mastra
  // loads); a database of its own unless the test names one.
  const script = [
    '--max-semi-space-size=8',
    `--import=${join(PROJECT_ROOT, 'scripts/compile-cache.js')}`,
    join(PROJECT_ROOT, 'test/fixtures/server.ts'),
  ];
  return startNode([...script, ...(studio ? ['--studio'] : [])], { MASTRA_STORAGE_URL: `file:${join(newWorkDir(), 'mastra.db')}`, ...env });
}

/** startServer() for each of `envs`, side by side; if one fails to start, the others are stopped too. */
export async function startServers(envs: Record<string, string>[], options: { studio?: boolean } = {}): Promise<BuiltServer[]> {
  const servers: BuiltServer[] = [];
  try {
    await allStarted(envs.map(async (env, index) => (servers[index] = await startServer(env, options))));
  } catch (error) {
    await Promise.all(servers.map((server) => stopProcessGroup(server?.process)));
    throw error;
  }
  return servers;
}

/**
 * The product's `npm run build` output (.mastra/output), run directly with `env` on a free port, or with
 * `npmStart` through `npm start` as a user runs it; the file calls useBuiltServer() (build.ts).
 */
export async function startBuiltServer(env: Record<string, string>, { npmStart = false } = {}): Promise<BuiltServer> {
  await ensureBuilt();
  return npmStart ? startNode(['start'], env, 'npm') : startNode([join(PROJECT_ROOT, '.mastra/output/index.mjs')], env);
}

async function startNode(args: string[], env: Record<string, string>, command = process.execPath): Promise<BuiltServer> {
  const port = await freePort();
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: childEnv({ ...env, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  for (const stream of [child.stdout!, child.stderr!]) stream.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForServer(baseUrl, SERVER_START_TIMEOUT_MS);
  } catch (error) {
    await stopProcessGroup(child); // never left running behind a failed start
    throw new Error(`${(error as Error).message}; it printed: ${output}`);
  }
  return { baseUrl, process: child, output: () => output };
}
