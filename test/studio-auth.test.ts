// Mastra Studio with MASTRA_JWT_SECRET set, in a real browser: without a token Studio asks for the
// Authorization header; opened with one (?auth_header=Bearer <token>, as the README says) it chats,
// and the turn is traced and stored as the token's user, on the routes of the allow-list
// (src/mastra/server/routes.ts).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AGENT_ID, TOOL_ANSWER, TOOL_MESSAGE } from './helpers/agent.ts';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { signJwt } from './helpers/jwt.ts';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.ts';
import { describeUnless } from './helpers/skip-notes.ts';
import { chromiumMissing, hasChromium, launchChromium, startStudio, type Studio } from './helpers/studio.ts';

const SECRET = 'studio-secret-0b7e1f4c9a2d6e8f3c5a7b9d1e2f4a6c';
const USER = 'user-studio-42';
let receiver: OtlpReceiver;
let studio: Studio;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!hasChromium) return;
  receiver = await startOtlpReceiver();
  [studio, browser] = await Promise.all([
    startStudio({ MASTRA_JWT_SECRET: SECRET, AGNOST_ORG_ID: 'org_studio_auth', AGNOST_OTEL_ENDPOINT: receiver.tracesUrl }),
    launchChromium(),
  ]);
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
  await receiver?.close();
});

describeUnless(chromiumMissing, 'Mastra Studio with auth on', () => {
  it('asks for the Authorization header without a token', async () => {
    await page.goto(`${studio.baseUrl}/agents`, { waitUntil: 'load' });
    await page.getByText('Authentication Required').waitFor({ timeout: 30_000 });
  });

  it("chats when opened with a token, as the token's user", async () => {
    const token = signJwt({ sub: USER, exp: Math.floor(Date.now() / 1000) + 600 }, SECRET);
    await page.goto(`${studio.baseUrl}/agents/${AGENT_ID}/chat?auth_header=${encodeURIComponent(`Bearer ${token}`)}`, {
      waitUntil: 'load',
    });
    const box = page.locator('textarea, [contenteditable="true"]').first();
    await box.click();
    await box.fill(TOOL_MESSAGE);
    await page.keyboard.press('Enter');
    await page.getByText(TOOL_ANSWER).first().waitFor({ timeout: 30_000 });
    await expect.poll(() => receiver.spans().filter((span) => span.parentSpanId === '').length, { timeout: 10_000 }).toBe(1);
    const threadId = page.url().match(/threads\/([0-9a-f-]{36})/)?.[1] ?? '';
    for (const span of receiver.spans()) expect(span.attributes, span.name).toMatchObject(groupingKeys(USER, threadId));
    // Stored as the token's user: the token lists this conversation, and only it.
    const listed = await fetch(`${studio.baseUrl}/api/memory/threads?agentId=${AGENT_ID}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await listed.json()) as { threads: { id: string }[] }).threads.map((thread) => thread.id)).toEqual([threadId]);
    expect(studio.output()).not.toContain(SECRET);
  }, 90_000);
});
