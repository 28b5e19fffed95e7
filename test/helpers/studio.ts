// Mastra Studio for browser tests, and a Chromium driven by playwright-core (./chromium.ts finds it).
// startStudio serves Studio from the tests' own server (server.ts startServer with studio: Mastra's Node
// server, as `mastra dev` runs it, without its bundling), on a storage of its own. startDev runs the real
// `npm run dev` in a copy of the project, for the tests whose promise is that command itself.
import { spawn } from 'node:child_process';
import { cpSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { newWorkDir } from './run-script.ts';
import { chromium, type Browser } from 'playwright-core';
import { findChromium } from './chromium.ts';
import { PROJECT_ROOT } from './project-files.ts';
import { freePort, startServer, stopProcessGroup, waitForServer } from './server.ts';

const chromiumFound = findChromium();
export const CHROMIUM = chromiumFound.path;
/** Why the Studio browser tests are skipped, and how to run them; undefined when Chromium is here. */
export const chromiumMissing = chromiumFound.missing;
export const hasChromium = CHROMIUM !== undefined;

export interface Studio {
  baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

export interface StudioOptions {
  /**
   * More of the project's folders to copy for `npm run dev` (the web chat's `web`, whose build it
   * makes). Given, Studio is the product's `npm run dev` (startDev), not the tests' server.
   */
  also?: string[];
}

/**
 * Studio on the tests' project, with `env`, on a free port; its memory and local traces in a folder of
 * its own unless `env` names MASTRA_STORAGE_URL.
 */
export async function startStudio(env: Record<string, string>, { also }: StudioOptions = {}): Promise<Studio> {
  if (also !== undefined) return startDev(env, { also });
  const storageUrl = `file:${join(newWorkDir(), 'mastra.db')}`;
  const server = await startServer({ MASTRA_STORAGE_URL: storageUrl, ...env }, { studio: true });
  // Studio's page calls the API on the host it was told (localhost, as `mastra dev` prints it): opened
  // there, the page and the API share one origin.
  const baseUrl = server.baseUrl.replace('//127.0.0.1:', '//localhost:');
  return { baseUrl, output: server.output, stop: () => stopProcessGroup(server.process) };
}

/** `npm run dev` in a copy of the project (so it shares no .mastra/ folder or database with other tests), plus its folders `also`. */
export async function startDev(env: Record<string, string>, { also = [] as string[] } = {}): Promise<Studio> {
  const app = newWorkDir();
  const built = join(PROJECT_ROOT, 'web', 'dist');
  for (const entry of ['src', 'package.json', 'tsconfig.json', ...also]) {
    cpSync(join(PROJECT_ROOT, entry), join(app, entry), { recursive: true, filter: (source) => source !== built });
  }
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(app, 'node_modules'));
  const port = await freePort();
  const dev = spawn('npm', ['run', 'dev'], {
    cwd: app,
    env: {
      ...process.env,
      PORT: String(port),
      OPENAI_API_KEY: '',
      // Offline, Studio's model picker would fail to reach the providers' gateways (see the README).
      AUTO_BLOCK_EXTERNAL_PROVIDERS: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  dev.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  dev.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = `http://localhost:${port}`;
  try {
    await waitForServer(baseUrl, 120_000);
  } catch (error) {
    await stopProcessGroup(dev); // never left running behind a failed start
    throw new Error(`${(error as Error).message}; it printed: ${output}`);
  }
  return { baseUrl, output: () => output, stop: () => stopProcessGroup(dev) };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
