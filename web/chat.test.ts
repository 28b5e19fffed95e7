// The web chat end to end, in a real browser (Chromium driven by playwright-core) at 375 px, on the
// server on the tests' project (its default agent, on the scripted model) serving the built page
// (web/dist): alice and bob sign up through the labelled controls, chat, reload, reopen and delete
// conversations, and each sees only their own; the local OTLP receiver gets every turn once, under the
// right user and conversation, with only that turn's message as its input; a refused request shows a
// readable line; Sign out and Sign in work; a conversation left while its answer is on its way does not come
// back into the address.
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TOOL_ANSWER, TOOL_MESSAGE } from '../test/helpers/agent.ts';
import { groupingKeys } from '../test/helpers/grouping-keys.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../test/helpers/otlp-receiver.ts';
import { newWorkDir } from '../test/helpers/run-script.ts';
import { allStarted, startServer, stopProcessGroup, type BuiltServer } from '../test/helpers/server.ts';
import { describeUnless } from '../test/helpers/skip-notes.ts';
import { chromiumMissing, hasChromium, launchChromium } from '../test/helpers/studio.ts';
import { useWebBuild } from '../test/helpers/web-build.ts';

const WIDTH = 375;
// The scripted model's echoes: each turn's message, its number in the conversation, and the first one.
const HELLO_AGAIN_ANSWER = `echo: hello again (message 2; first: ${TOOL_MESSAGE})`;
const SECOND_CONVERSATION_ANSWER = 'echo: a second conversation (message 1; first: a second conversation)';
let receiver: OtlpReceiver;
let server: BuiltServer;
let browser: Browser;
const serverErrors: string[] = [];
/** The page's own errors: uncaught exceptions, and console errors other than a refused request's. */
const pageErrors: string[] = [];

interface Person {
  email: string;
  password: string;
  context: BrowserContext;
  page: Page;
  id: string;
  /** The conversations this person's turns went to, in order. */
  conversations: string[];
}
const people: Record<'alice' | 'bob', Person> = {} as Record<'alice' | 'bob', Person>;

useWebBuild();

beforeAll(async () => {
  if (!hasChromium) return;
  receiver = await startOtlpReceiver();
  await allStarted([
    startServer({
      AGNOST_ORG_ID: 'org_web_chat_test',
      AGNOST_OTEL_ENDPOINT: receiver.tracesUrl,
      MASTRA_STORAGE_URL: `file:${join(newWorkDir(), 'web-chat.db')}`,
    }).then((started) => (server = started)),
    launchChromium().then((launched) => (browser = launched)),
  ]);
  for (const name of ['alice', 'bob'] as const) {
    const context = await browser.newContext({ viewport: { width: WIDTH, height: 740 } });
    const page = await context.newPage();
    page.on('response', (response) => {
      if (response.status() >= 500) serverErrors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
    });
    people[name] = { email: `${name}@example.com`, password: `${name}-password-1`, context, page, id: '', conversations: [] };
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stopProcessGroup(server?.process);
  await receiver?.close();
});

const log = (page: Page) => page.getByRole('log', { name: 'Conversation history' });
const conversationOf = (page: Page) => new URL(page.url()).searchParams.get('c') ?? '';

async function signUp(person: Person) {
  const { page } = person;
  await page.goto(`${server.baseUrl}/chat`, { waitUntil: 'load' });
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByLabel('Message').waitFor({ timeout: 15_000 });
  const session = await page.evaluate(() => fetch('/chat/auth/get-session').then((response) => response.json()));
  person.id = (session as { user: { id: string } }).user.id;
}

/** Types a message, presses Send, waits for `answer`; records the conversation it went to. */
async function say(person: Person, text: string, answer: string | RegExp) {
  const { page } = person;
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await log(page).getByText(answer).first().waitFor({ timeout: 30_000 });
  await expect.poll(() => conversationOf(page)).not.toBe('');
  person.conversations.push(conversationOf(page));
}

const conversationButtons = (page: Page) =>
  page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: /^(?!New conversation$|Delete )/ });

describeUnless(chromiumMissing, 'the web chat', () => {
  it('alice signs up, and the answers stream in from the chat route', async () => {
    const alice = people.alice;
    await signUp(alice);
    expect(alice.id).toMatch(/^[\x21-\x7e]{1,128}$/);
    expect(alice.id).not.toContain('@');
    const streamed = alice.page.waitForResponse((response) => response.url().endsWith('/chat/api/chat'));
    await say(alice, TOOL_MESSAGE, TOOL_ANSWER);
    expect((await streamed).headers()['content-type']).toContain('text/event-stream');
    await say(alice, 'hello again', HELLO_AGAIN_ANSWER);
    // Both turns in one conversation, with a random id.
    expect(alice.conversations[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(alice.conversations[1]).toBe(alice.conversations[0]);
    // Usable at 375 px: nothing wider than the window.
    expect(await alice.page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(WIDTH);
  }, 90_000);

  it('alice starts a new conversation, reloads, and reopens the first: its history comes back from memory', async () => {
    const { page } = people.alice;
    await page.getByRole('button', { name: 'New conversation' }).click();
    await say(people.alice, 'a second conversation', SECOND_CONVERSATION_ANSWER);
    expect(people.alice.conversations[2]).not.toBe(people.alice.conversations[0]);
    await expect.poll(() => conversationButtons(page).count()).toBe(2);

    await page.reload({ waitUntil: 'load' });
    await log(page).getByText(SECOND_CONVERSATION_ANSWER).waitFor({ timeout: 15_000 });
    await conversationButtons(page).filter({ hasText: TOOL_MESSAGE }).click();
    await log(page).getByText(TOOL_ANSWER).first().waitFor({ timeout: 15_000 });
    await log(page).getByText(HELLO_AGAIN_ANSWER).waitFor();
    expect(conversationOf(page)).toBe(people.alice.conversations[0]);
    // The history is shown, not sent again: a third turn there is message 3 of that conversation.
    await say(people.alice, 'third', `echo: third (message 3; first: ${TOOL_MESSAGE})`);
  }, 90_000);

  it("bob signs up and sees none of alice's conversations, not even by their address", async () => {
    const bob = people.bob;
    await signUp(bob);
    expect(await conversationButtons(bob.page).count()).toBe(0);
    await bob.page.goto(`${server.baseUrl}/chat?c=${people.alice.conversations[0]}`, { waitUntil: 'load' });
    await bob.page.getByRole('alert').filter({ hasText: 'No such conversation' }).waitFor({ timeout: 15_000 });
    expect(await log(bob.page).textContent()).toBe('');
    await say(bob, "bob's own question", "echo: bob's own question (message 1; first: bob's own question)");
    expect(bob.conversations[0]).not.toBe(people.alice.conversations[0]);
    expect(await conversationButtons(bob.page).allTextContents()).toEqual(["bob's own question"]);
    expect(await bob.page.content()).not.toContain('hello again');
  }, 60_000);

  it('sends every turn to the receiver once, under its user and conversation, with only that turn as input', async () => {
    const turns = [
      [people.alice, people.alice.conversations[0], TOOL_MESSAGE],
      [people.alice, people.alice.conversations[0], 'hello again'],
      [people.alice, people.alice.conversations[2], 'a second conversation'],
      [people.alice, people.alice.conversations[0], 'third'],
      [people.bob, people.bob.conversations[0], "bob's own question"],
    ] as const;
    const roots = () => receiver.spans().filter((span) => span.parentSpanId === '');
    await expect.poll(() => roots().length, { timeout: 20_000 }).toBe(turns.length);
    for (const [person, conversation, text] of turns) {
      const [root, ...more] = roots().filter(
        (span) => JSON.parse(String(span.attributes['gen_ai.input.messages']))[0]?.parts[0]?.content === text,
      );
      expect(more, text).toEqual([]);
      expect(root!.attributes).toMatchObject(groupingKeys(person.id, conversation!));
      expect(JSON.parse(String(root!.attributes['gen_ai.input.messages']))).toEqual([
        { role: 'user', parts: [{ type: 'text', content: text }] },
      ]);
      for (const span of receiver.spans().filter((span) => span.traceId === root!.traceId))
        expect(span.attributes, span.name).toMatchObject(groupingKeys(person.id, conversation!));
    }
    expect(JSON.stringify(receiver.spans().map((span) => span.attributes))).not.toMatch(/@example\.com/);
  });

  it('alice deletes a conversation: it leaves her list, and its address opens nothing', async () => {
    const { page } = people.alice;
    await page.getByRole('button', { name: 'Delete a second conversation' }).click();
    await expect.poll(() => conversationButtons(page).allTextContents()).toEqual([TOOL_MESSAGE]);
    const status = await page.evaluate(async (id) => (await fetch(`/api/memory/threads/${id}`)).status, people.alice.conversations[2]!);
    expect(status).toBe(404);
  });

  it('a refused turn shows a readable line: after the session is gone, Send says to sign in', async () => {
    const { page, context } = people.bob;
    await context.clearCookies();
    await page.getByLabel('Message').fill('are you there?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('alert').filter({ hasText: 'Unauthorized: sign in first.' }).waitFor({ timeout: 15_000 });
  });

  it('alice signs out, and signs in again to her conversations', async () => {
    const alice = people.alice;
    await alice.page.getByRole('button', { name: 'Sign out' }).click();
    await alice.page.getByRole('button', { name: 'Sign in' }).waitFor();
    const session = await alice.page.evaluate(() => fetch('/chat/auth/get-session').then((response) => response.json()));
    expect(session).toBeNull(); // the session ended on the server, not only in the page
    await alice.page.getByLabel('Email').fill(alice.email);
    await alice.page.getByLabel('Password').fill('a wrong password');
    await alice.page.getByRole('button', { name: 'Sign in' }).click();
    await alice.page.getByRole('alert').waitFor();
    await alice.page.getByLabel('Password').fill(alice.password);
    await alice.page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => conversationButtons(alice.page).allTextContents(), { timeout: 15_000 }).toEqual([TOOL_MESSAGE]);
  }, 60_000);

  it('alice leaves a conversation while its answer is on its way: the new one stays in the address', async () => {
    const { page } = people.alice;
    let sending = () => {};
    const sent = new Promise<void>((resolve) => (sending = resolve));
    // Held in the browser, never answered: leaving the conversation stops the turn, and the page ends it.
    await page.route('**/chat/api/chat', () => sending());
    try {
      await page.getByLabel('Message').fill('answered after I left');
      await page.getByRole('button', { name: 'Send' }).click();
      await sent;
      // A turn's end puts its conversation in the address (if still open), then refreshes the list.
      const ended = page.waitForRequest((request) => new URL(request.url()).pathname === '/api/memory/threads');
      await page.getByRole('button', { name: 'New conversation' }).click();
      await ended;
      expect(conversationOf(page)).toBe('');
    } finally {
      await page.unroute('**/chat/api/chat');
    }
  });

  it('nothing along the way answered 5xx or logged an error, on the server or in the page (its CSP included)', () => {
    expect(serverErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(server.output()).not.toMatch(/error|exception|failed/i);
  });
});
