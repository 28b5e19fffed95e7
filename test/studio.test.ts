// Mastra Studio end to end, in a real browser (Debian's Chromium driven by playwright-core): open the
// agent, chat two turns, reload, open Traces and Settings. The answers appear and survive the reload,
// both turns reach Agnost's endpoint as one conversation, and nothing answers 5xx or logs an error.
// `mastra dev` runs in a copy of the project, so it shares no .mastra/ folder or database with the
// other tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.ts';
import { PROJECT_ROOT } from './helpers/project-files.ts';
import { freePort, stopProcessGroup, waitForServer } from './helpers/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const ORG_ID = 'org_studio_test';
let receiver: OtlpReceiver;
let dev: ChildProcess;
let devOutput = '';
let baseUrl: string;
let browser: Browser;
let page: Page;
const serverErrors: string[] = [];

beforeAll(async () => {
  const app = mkdtempSync(join(tmpdir(), 'studio-test-'));
  for (const entry of ['src', 'package.json', 'tsconfig.json']) cpSync(join(PROJECT_ROOT, entry), join(app, entry), { recursive: true });
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(app, 'node_modules'));
  receiver = await startOtlpReceiver();
  const port = await freePort();
  baseUrl = `http://localhost:${port}`;
  dev = spawn('npm', ['run', 'dev'], {
    cwd: app,
    env: {
      ...process.env,
      PORT: String(port),
      AGNOST_ORG_ID: ORG_ID,
      AGNOST_OTEL_ENDPOINT: receiver.tracesUrl,
      OPENAI_API_KEY: '',
      // Offline, Studio's model picker would fail to reach the providers' gateways (see the README).
      AUTO_BLOCK_EXTERNAL_PROVIDERS: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  dev.stdout!.on('data', (chunk: Buffer) => (devOutput += chunk.toString()));
  dev.stderr!.on('data', (chunk: Buffer) => (devOutput += chunk.toString()));
  await waitForServer(baseUrl, 120_000);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('response', (response) => {
    if (response.status() >= 500) serverErrors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stopProcessGroup(dev);
  await receiver?.close();
});

async function send(text: string, expected: string) {
  const box = page.locator('textarea, [contenteditable="true"]').first();
  await box.click();
  await box.fill(text);
  await page.keyboard.press('Enter');
  await page.getByText(expected).first().waitFor({ timeout: 30_000 });
}

describe.skipIf(!existsSync(CHROMIUM))('Mastra Studio', () => {
  let threadId: string;

  it('chats two turns, and the conversation survives a reload', async () => {
    await page.goto(`${baseUrl}/agents/assistant/chat`, { waitUntil: 'load' });
    await send('What is 12 * 7?', '12 * 7 = 84');
    await send('hello again', 'you started it with "What is 12 * 7?"');
    threadId = page.url().match(/threads\/([0-9a-f-]{36})/)?.[1] ?? '';
    expect(threadId).not.toBe('');
    await page.screenshot({ path: join(tmpdir(), 'studio-chat.png') });

    await page.reload({ waitUntil: 'load' });
    await page.getByText('12 * 7 = 84').first().waitFor({ timeout: 15_000 });
    await page.getByText('hello again').first().waitFor({ timeout: 15_000 });
  }, 120_000);

  it('sends both turns to Agnost as one conversation of one user, with the thread Studio chose', async () => {
    await expect.poll(() => receiver.spans().filter((span) => span.parentSpanId === '').length, { timeout: 10_000 }).toBe(2);
    const spans = receiver.spans();
    expect(new Set(spans.map((span) => span.attributes['mastra.metadata.conversationId']))).toEqual(new Set([threadId]));
    expect(new Set(spans.map((span) => span.attributes['mastra.metadata.threadId']))).toEqual(new Set([threadId]));
    expect(new Set(spans.map((span) => span.attributes['mastra.metadata.userId']))).toEqual(new Set(['assistant']));
    expect(receiver.requests.every((request) => request.headers['x-agnost-org-id'] === ORG_ID)).toBe(true);
  });

  it('lists the traces and opens one showing the ids', async () => {
    await page.goto(`${baseUrl}/traces`, { waitUntil: 'load' });
    // One row per agent run, named after the agent.
    const runs = page.getByText('assistant', { exact: true });
    await expect.poll(() => runs.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(tmpdir(), 'studio-traces.png') });
    expect(await page.getByText('Failed to load traces').count()).toBe(0);
    await runs.first().click();
    // The trace opens with its span tree; the root span's details show the ids in its metadata.
    await page.getByText("agent run: 'assistant'").first().click();
    await page.getByText(threadId).first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(tmpdir(), 'studio-trace.png') });
  }, 60_000);

  it('opens Settings, and nothing along the way answered 5xx or logged an error', async () => {
    await page.goto(`${baseUrl}/settings`, { waitUntil: 'load' });
    // Let the page make its requests; Studio's open subscriptions may keep the network from going idle.
    await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
    expect(serverErrors).toEqual([]);
    expect(devOutput).not.toMatch(/error|exception|failed/i);
  });
});
