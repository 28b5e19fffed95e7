// `npm run dev` builds the web chat and serves it at /chat, beside Studio, in a copy of the project
// whose web/ has never been built: the page and its assets load, and a user can sign up and chat.
// The real `npm run dev` (its script builds the page, and Mastra's dev bundler runs the server from its
// own folder, where the server must still find web/dist): nothing cheaper proves that. The copy runs
// the product's agents, so the answer comes from a fake model server (test/helpers/fake-openai.ts),
// whatever the product's own model would say.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../test/helpers/fake-openai.ts';
import { startDev, type Studio } from '../test/helpers/studio.ts';

const REPLY = 'an answer from the model server';
let fake: FakeOpenAI;
let dev: Studio;

beforeAll(async () => {
  fake = await startFakeOpenAI({ reply: REPLY });
  dev = await startDev(
    { MASTRA_STORAGE_URL: ':memory:', OPENAI_API_KEY: 'sk-test-web-chat-dev', OPENAI_BASE_URL: fake.baseUrl },
    { also: ['web'] },
  );
}, 180_000);

afterAll(async () => {
  await dev?.stop();
  await fake?.close();
});

it('serves the page it built, and says where', async () => {
  expect(dev.output()).toMatch(/^Web chat: http:\/\/localhost:\d+\/chat$/m);
  const page = await fetch(`${dev.baseUrl}/chat`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('<meta name="chat-agent" content="');
  const assets = [...html.matchAll(/(?:src|href)="(\/chat\/assets\/[^"]+)"/g)].map(([, path]) => path!);
  expect(assets.length).toBeGreaterThanOrEqual(2);
  for (const asset of assets) expect((await fetch(`${dev.baseUrl}${asset}`)).status, asset).toBe(200);
});

it('signs a user up and answers a turn', async () => {
  const signUp = await fetch(`${dev.baseUrl}/chat/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: dev.baseUrl },
    body: JSON.stringify({ email: 'dev@example.com', password: 'dev-password-1', name: '' }),
  });
  expect(signUp.status).toBe(200);
  // npm run dev runs in production mode: the session cookie is Secure (browsers take it on localhost).
  const cookie = signUp.headers.getSetCookie()[0]!;
  expect(cookie).toMatch(/^__Secure-.*; Secure/);
  const turn = await fetch(`${dev.baseUrl}/chat/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: cookie.split(';')[0]! },
    body: JSON.stringify({
      id: crypto.randomUUID(),
      messages: [{ id: 'm-1', role: 'user', parts: [{ type: 'text', text: 'hello from the dev server' }] }],
      trigger: 'submit-message',
    }),
  });
  expect(turn.status).toBe(200);
  expect(turn.headers.get('content-type')).toContain('text/event-stream');
  const events = (await turn.text())
    .split('\n')
    .flatMap((line) => (line.startsWith('data: {') ? [JSON.parse(line.slice('data: '.length)) as { type: string; delta?: string }] : []));
  expect(
    events
      .filter((event) => event.type === 'text-delta')
      .map((event) => event.delta)
      .join(''),
  ).toBe(REPLY);
  expect(fake.requests.map(({ body }) => body).join('\n')).toContain('hello from the dev server');
});
