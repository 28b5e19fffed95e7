// The web chat on a real model's wire (an OpenAI-compatible fake on 127.0.0.1, test/helpers/fake-openai.ts),
// in Chromium: the answer appears word by word as the model streams it, and a failing model shows a
// readable line on the page, never the key, never a blank; the server logs one line, key masked.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI, type FakeOpenAIOptions } from '../test/helpers/fake-openai.ts';
import { newWorkDir } from '../test/helpers/run-script.ts';
import { allStarted, startServer, stopProcessGroup, type BuiltServer } from '../test/helpers/server.ts';
import { describeUnless } from '../test/helpers/skip-notes.ts';
import { chromiumMissing, hasChromium, launchChromium } from '../test/helpers/studio.ts';
import { useWebBuild } from '../test/helpers/web-build.ts';

const KEY = 'sk-test-web-chat-0123456789abcdef';
const REPLY = 'one two three four five six seven eight';
const model: FakeOpenAIOptions = { reply: REPLY, chunkDelayMs: 250 };
let fake: FakeOpenAI;
let server: BuiltServer;
let browser: Browser;
let page: Page;

useWebBuild();

beforeAll(async () => {
  if (!hasChromium) return;
  fake = await startFakeOpenAI(model);
  await allStarted([
    startServer({
      OPENAI_API_KEY: KEY,
      OPENAI_BASE_URL: fake.baseUrl,
      MASTRA_STORAGE_URL: `file:${join(newWorkDir(), 'web-chat-model.db')}`,
    }).then((started) => (server = started)),
    launchChromium().then((launched) => (browser = launched)),
  ]);
  page = await browser.newPage({ viewport: { width: 375, height: 740 } });
  await page.goto(`${server.baseUrl}/chat`, { waitUntil: 'load' });
  await page.getByLabel('Email').fill('frank@example.com');
  await page.getByLabel('Password').fill('frank-password-1');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByLabel('Message').waitFor({ timeout: 15_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stopProcessGroup(server?.process);
  await fake?.close();
});

const history = () => page.getByRole('log', { name: 'Conversation history' });

describeUnless(chromiumMissing, 'the web chat on a streaming model', () => {
  it('shows the answer as it streams: part of it on the page before the rest has come', async () => {
    await page.getByLabel('Message').fill('count for me');
    await page.getByRole('button', { name: 'Send' }).click();
    const partial = history().getByText(/one two/);
    await partial.waitFor({ timeout: 15_000 });
    expect(await history().textContent()).not.toContain('eight'); // the model has two seconds of words left
    await history().getByText(REPLY).waitFor({ timeout: 15_000 });
  }, 30_000);

  it('shows a readable line when the model fails, with no key in it, and logs one line with the key masked', async () => {
    model.status = 401;
    await page.getByLabel('Message').fill('and now?');
    await page.getByRole('button', { name: 'Send' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.textContent()).toBe('The assistant could not answer just now. Try again in a moment.');
    expect(await page.content()).not.toContain(KEY);
    await expect.poll(() => server.output()).toMatch(/Web chat: the model failed/);
    expect(server.output()).not.toContain(KEY);
    // The page stays usable: the next turn goes through once the model is back.
    model.status = 200;
    await page.getByLabel('Message').fill('again');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => history().getByText(REPLY).count(), { timeout: 20_000 }).toBe(2);
  }, 60_000);
});
