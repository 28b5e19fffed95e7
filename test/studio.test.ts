// Mastra Studio end to end, in a real browser (Debian's Chromium driven by playwright-core), served by
// the tests' server as `mastra dev` serves it (helpers/studio.ts): list the agents, open one, chat two turns,
// reload, open Traces and Settings. The answers appear and survive the reload, the second turn's model
// saw the first (memory), both turns reach Agnost's endpoint as one conversation, and nothing answers
// 5xx or logs an error.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AGENT_ID, AGENT_IDS, TOOL_ANSWER, TOOL_MESSAGE } from './helpers/agent.ts';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.ts';
import { describeUnless } from './helpers/skip-notes.ts';
import { chromiumMissing, hasChromium, launchChromium, startStudio, type Studio } from './helpers/studio.ts';
import { localUserId } from '../src/settings/ids.ts';

const ORG_ID = 'org_studio_test';
const SECOND_MESSAGE = 'hello again';
const SECOND_ANSWER = `echo: ${SECOND_MESSAGE} (message 2; first: ${TOOL_MESSAGE})`;
let receiver: OtlpReceiver;
let studio: Studio;
let baseUrl: string;
let browser: Browser;
let page: Page;
const serverErrors: string[] = [];

beforeAll(async () => {
  if (!hasChromium) return;
  receiver = await startOtlpReceiver();
  [studio, browser] = await Promise.all([
    startStudio({ AGNOST_ORG_ID: ORG_ID, AGNOST_OTEL_ENDPOINT: receiver.tracesUrl }),
    launchChromium(),
  ]);
  baseUrl = studio.baseUrl;
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('response', (response) => {
    if (response.status() >= 500) serverErrors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
  await receiver?.close();
});

async function send(text: string, expected: string | RegExp) {
  const box = page.locator('textarea, [contenteditable="true"]').first();
  await box.click();
  await box.fill(text);
  await page.keyboard.press('Enter');
  await page.getByText(expected).first().waitFor({ timeout: 30_000 });
}

describeUnless(chromiumMissing, 'Mastra Studio', () => {
  let threadId: string;

  it('lists the agents, chats two turns with one, and the conversation survives a reload', async () => {
    const agents = (await (await fetch(`${baseUrl}/api/agents`)).json()) as Record<string, { name: string }>;
    expect(Object.keys(agents)).toEqual(AGENT_IDS);
    await page.goto(`${baseUrl}/agents`, { waitUntil: 'load' });
    for (const { name } of Object.values(agents)) await page.getByText(name, { exact: true }).first().waitFor({ timeout: 30_000 });
    await page.getByText(agents[AGENT_ID]!.name, { exact: true }).first().click();
    await send(TOOL_MESSAGE, TOOL_ANSWER);
    // The scripted model echoes with what memory gave it: the second message, after the first.
    await send(SECOND_MESSAGE, SECOND_ANSWER);
    threadId = page.url().match(/threads\/([0-9a-f-]{36})/)?.[1] ?? '';
    expect(threadId).not.toBe('');
    await page.screenshot({ path: join(tmpdir(), 'studio-chat.png') });

    await page.reload({ waitUntil: 'load' });
    await page.getByText(TOOL_ANSWER).first().waitFor({ timeout: 15_000 });
    await page.getByText(SECOND_MESSAGE, { exact: true }).first().waitFor({ timeout: 15_000 });
    await page.getByText(SECOND_ANSWER).first().waitFor({ timeout: 15_000 });
  }, 120_000);

  it('sends both turns to Agnost as one conversation of one user, with the thread Studio chose', async () => {
    await expect.poll(() => receiver.spans().filter((span) => span.parentSpanId === '').length, { timeout: 10_000 }).toBe(2);
    const spans = receiver.spans();
    expect(new Set(spans.map((span) => span.attributes['mastra.metadata.conversationId']))).toEqual(new Set([threadId]));
    expect(new Set(spans.map((span) => span.attributes['mastra.metadata.threadId']))).toEqual(new Set([threadId]));
    // The local developer's id (the chat's), not the agent's: Studio's resource is the agent.
    expect(new Set(spans.map((span) => span.attributes['mastra.metadata.userId']))).toEqual(
      new Set([localUserId({ chatUserId: process.env.CHAT_USER_ID })]),
    );
    expect(receiver.requests.every((request) => request.headers['x-agnost-org-id'] === ORG_ID)).toBe(true);
    // Each turn's words, for Agnost: the message typed in Studio (that turn's only) and the answer.
    const turns = spans
      .filter((span) => span.parentSpanId === '')
      .map((root) => [
        JSON.parse(String(root.attributes['gen_ai.input.messages'])),
        JSON.parse(String(root.attributes['gen_ai.output.messages'])),
      ]);
    expect(turns).toContainEqual([
      [{ role: 'user', parts: [{ type: 'text', content: TOOL_MESSAGE }] }],
      [{ role: 'assistant', parts: [{ type: 'text', content: expect.stringMatching(TOOL_ANSWER) }], finish_reason: 'stop' }],
    ]);
    expect(turns).toContainEqual([
      [{ role: 'user', parts: [{ type: 'text', content: SECOND_MESSAGE }] }],
      [{ role: 'assistant', parts: [{ type: 'text', content: SECOND_ANSWER }], finish_reason: 'stop' }],
    ]);
  });

  it('lists the traces and opens one showing the ids', async () => {
    // From the sidebar, as a user goes there (and without loading Studio again).
    await page.locator('a[href="/traces"]').click();
    // One row per agent run, named after the agent.
    const runs = page.getByText(AGENT_ID, { exact: true });
    await expect.poll(() => runs.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(tmpdir(), 'studio-traces.png') });
    expect(await page.getByText('Failed to load traces').count()).toBe(0);
    await runs.first().click();
    // The trace opens with its span tree; the root span's details show the ids in its metadata.
    await page.getByText(`agent run: '${AGENT_ID}'`).first().click();
    await page.getByText(threadId).first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(tmpdir(), 'studio-trace.png') });
  }, 60_000);

  it('opens Settings, and nothing along the way answered 5xx or logged an error', async () => {
    await page.keyboard.press('Escape'); // closes the trace opened above
    await page.locator('a[href="/settings"]').click();
    await page.getByText('Mastra Connection').waitFor({ timeout: 15_000 });
    // Let the page finish its requests; Studio's open subscriptions may keep the network from going idle.
    await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
    expect(serverErrors).toEqual([]);
    expect(studio.output()).not.toMatch(/error|exception|failed/i);
  });
});
