// `npm run dev` builds the web chat and serves it at /chat, beside Studio, in a copy of the project
// whose web/ has never been built: the page and its assets load, and a user can sign up and chat.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TOOL_ANSWER, TOOL_MESSAGE } from '../test/helpers/agent.ts';
import { startStudio, type Studio } from '../test/helpers/studio.ts';

let dev: Studio;

beforeAll(async () => {
  dev = await startStudio({ MASTRA_STORAGE_URL: ':memory:' }, { also: ['web'] });
}, 180_000);

afterAll(() => dev?.stop());

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
    body: JSON.stringify({ id: crypto.randomUUID(), messages: [{ id: 'm-1', role: 'user', parts: [{ type: 'text', text: TOOL_MESSAGE }] }], trigger: 'submit-message' }),
  });
  expect(turn.status).toBe(200);
  expect(await turn.text()).toMatch(new RegExp(TOOL_ANSWER.source.replace('^', '')));
});
