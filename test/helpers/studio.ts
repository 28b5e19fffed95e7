// Mastra Studio for browser tests: `npm run dev` in a copy of the project (so it shares no .mastra/
// folder or database with other tests), and a Chromium driven by playwright-core (./chromium.ts finds it).
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { findChromium } from './chromium.ts';
import { PROJECT_ROOT } from './project-files.ts';
import { freePort, stopProcessGroup, waitForServer } from './server.ts';

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

/** `also`: more of the project's folders to copy (the web chat's `web`, whose build `npm run dev` makes). */
export async function startStudio(env: Record<string, string>, { also = [] as string[] } = {}): Promise<Studio> {
  const app = mkdtempSync(join(tmpdir(), 'studio-test-'));
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
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
