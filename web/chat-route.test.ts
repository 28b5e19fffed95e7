// The web chat's server side over HTTP, on the server on the tests' project (its default agent, on the
// scripted model): its chat route behind the gate (a session needed in every mode, a strict schema,
// another user's conversation answering 404 as absent, only the new message reaching memory and the
// trace), its sign-in (hashed passwords, sessions that end at sign-out or expiry and survive a restart,
// only the page's endpoints), and auth on with BETTER_AUTH_SECRET (sessions reach exactly the
// allow-listed routes, on their own data).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_ID } from '../test/helpers/agent.ts';
import { groupingKeys } from '../test/helpers/grouping-keys.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../test/helpers/otlp-receiver.ts';
import { withUnknownKeyAtEveryDepth } from '../test/helpers/route-samples.ts';
import { newWorkDir } from '../test/helpers/run-script.ts';
import { startServer, startServers, stopProcessGroup, type BuiltServer } from '../test/helpers/server.ts';

const CHAT = '/chat/api/chat';
const database = join(newWorkDir(), 'chat-route.db');
let receiver: OtlpReceiver;
let server: BuiltServer;
/** The server with auth on (BETTER_AUTH_SECRET), for the last describe: started beside the first one. */
let guarded: BuiltServer;

interface Account {
  cookie: string;
  id: string;
}

async function signUp(baseUrl: string, email: string, password = 'a-good-password'): Promise<Account> {
  const response = await fetch(`${baseUrl}/chat/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ email, password, name: '' }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  const { user } = (await response.json()) as { user: { id: string } };
  return { cookie: response.headers.getSetCookie()[0]!.split(';')[0]!, id: user.id };
}

const userMessage = (text: string, id = randomUUID()) => ({ id, role: 'user', parts: [{ type: 'text', text }] });
const turnBody = (conversation: string, ...messages: object[]) => ({ id: conversation, messages, trigger: 'submit-message' });

/** A request with the account's cookie (or none); a streamed answer is read to its end. */
async function send(method: string, path: string, account: Account | undefined, body?: object, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: {
      ...(account ? { cookie: account.cookie } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
      origin: server.baseUrl,
      ...headers,
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, text: await response.text() };
}

const storedMessages = async (account: Account, conversation: string) =>
  JSON.parse((await send('GET', `/api/memory/threads/${conversation}/messages?agentId=${AGENT_ID}`, account)).text).messages as {
    role: string;
  }[];

let alice: Account;
let bob: Account;
const aliceConversation = randomUUID();

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  [server, guarded] = (await startServers([
    { AGNOST_ORG_ID: 'org_chat_route_test', AGNOST_OTEL_ENDPOINT: receiver.tracesUrl, MASTRA_STORAGE_URL: `file:${database}` },
    {
      BETTER_AUTH_SECRET: 'web-chat-secret-8d2f6a1c4e9b3750d1a8c6e2f4b9071a',
      MASTRA_STORAGE_URL: `file:${join(newWorkDir(), 'guarded.db')}`,
    },
  ])) as [BuiltServer, BuiltServer];
  alice = await signUp(server.baseUrl, 'alice@example.com');
  bob = await signUp(server.baseUrl, 'bob@example.com');
  expect((await send('POST', CHAT, alice, turnBody(aliceConversation, userMessage('remember alice-marker')))).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await stopProcessGroup(server?.process);
  await stopProcessGroup(guarded?.process);
  await receiver?.close();
});

describe('the chat route, without auth settings (open mode)', () => {
  it('needs a session: without one a turn is a 401, and x-user-id does not stand in for it', async () => {
    for (const headers of [{}, { 'x-user-id': alice.id }] as Record<string, string>[]) {
      const { status, text } = await send('POST', CHAT, undefined, turnBody(randomUUID(), userMessage('hi')), headers);
      expect(status).toBe(401);
      expect(JSON.parse(text).error).toBe('Unauthorized: sign in first.');
    }
  });

  it('refuses an unknown key at every depth of its body with a 400 naming it', async () => {
    const full = { ...turnBody(randomUUID(), userMessage('hi')), messageId: 'm-1' };
    const attempts = withUnknownKeyAtEveryDepth(full);
    expect(attempts.map(([where]) => where)).toEqual(['unexpected', 'messages[0].unexpected', 'messages[0].parts[0].unexpected']);
    for (const [where, body] of attempts) {
      const { status, text } = await send('POST', CHAT, alice, body as object);
      expect(status, where).toBe(400);
      expect(JSON.parse(text).error, where).toBe(`Invalid request: ${where}: not accepted here.`);
    }
  });

  it.each([
    [
      'a regenerate request',
      { ...turnBody(randomUUID(), userMessage('hi')), trigger: 'regenerate-message' },
      /^Invalid request: trigger: /,
    ],
    [
      'no new user message last',
      turnBody(randomUUID(), userMessage('hi'), { id: 'a-1', role: 'assistant', parts: [{ type: 'text', text: 'hello' }] }),
      /the last message must be the new user message/,
    ],
    ['a conversation id with spaces', turnBody('not an id', userMessage('hi')), /^Invalid request: id: use 1 to 128 printable characters/],
    ['no messages', turnBody(randomUUID()), /^Invalid request: messages: at least 1 items/],
  ])('refuses %s with a 400 naming the field', async (_case, body, says) => {
    const { status, text } = await send('POST', CHAT, alice, body);
    expect(status).toBe(400);
    expect(JSON.parse(text).error).toMatch(says);
  });

  it("answers 404 for another user's conversation, as for one that does not exist, on the chat and memory routes", async () => {
    const answers = [
      await send('POST', CHAT, bob, turnBody(aliceConversation, userMessage('let me in'))),
      await send('GET', `/api/memory/threads/${aliceConversation}/messages?agentId=${AGENT_ID}`, bob),
      await send('DELETE', `/api/memory/threads/${aliceConversation}?agentId=${AGENT_ID}`, bob),
      await send('GET', `/api/memory/threads/${randomUUID()}/messages?agentId=${AGENT_ID}`, bob),
    ];
    for (const { status, text } of answers) {
      expect(status).toBe(404);
      expect(JSON.parse(text).error).toBe('Not found: no such conversation.');
    }
    const bobsList = JSON.parse((await send('GET', `/api/memory/threads?agentId=${AGENT_ID}&resourceId=${alice.id}`, bob)).text);
    expect(bobsList.threads).toEqual([]); // his own list, whatever resourceId says
    expect(JSON.stringify(await storedMessages(alice, aliceConversation))).toContain('alice-marker');
  });

  it('takes only the new message from a client that resends the whole history: memory and the trace get that turn once', async () => {
    const conversation = randomUUID();
    const first = userMessage('first question');
    expect((await send('POST', CHAT, alice, turnBody(conversation, first))).status).toBe(200);
    const history = [
      first,
      { id: 'a-1', role: 'assistant', parts: [{ type: 'step-start' }, { type: 'text', text: 'an answer', state: 'done' }] },
    ];
    const { status, text } = await send('POST', CHAT, alice, turnBody(conversation, ...history, userMessage('second question')));
    expect(status).toBe(200);
    expect(text).toContain('echo: second question (message 2; first: first question)');
    expect((await storedMessages(alice, conversation)).map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    const roots = () =>
      receiver.spans().filter((span) => span.parentSpanId === '' && span.attributes['agnost.session_id'] === conversation);
    await expect.poll(() => roots().length, { timeout: 20_000 }).toBe(2);
    const inputs = roots().map((root) => JSON.parse(String(root.attributes['gen_ai.input.messages'])));
    expect(inputs).toContainEqual([{ role: 'user', parts: [{ type: 'text', content: 'second question' }] }]);
    for (const root of roots()) expect(root.attributes).toMatchObject(groupingKeys(alice.id, conversation));
  });
});

describe('sign-in', () => {
  it('stores passwords hashed, never as given', async () => {
    const client = createClient({ url: `file:${database}` });
    const { rows } = await client.execute('SELECT password FROM auth_account');
    client.close();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const { password } of rows) {
      expect(String(password)).not.toContain('a-good-password');
      expect(String(password)).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/); // scrypt: salt and key
    }
  });

  it('keeps the session token in its HttpOnly cookie, out of every answer a script could read', async () => {
    const response = await fetch(`${server.baseUrl}/chat/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseUrl },
      body: JSON.stringify({ email: 'grace@example.com', password: 'a-good-password', name: '' }),
    });
    const cookie = response.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/; HttpOnly/);
    const token = decodeURIComponent(cookie.split(';')[0]!.split('=')[1]!).split('.')[0]!;
    expect(await response.text()).not.toContain(token);
    expect((await send('GET', '/chat/auth/get-session', { cookie: cookie.split(';')[0]!, id: '' })).text).not.toContain(token);
  });

  it("offers only the page's endpoints of Better Auth's", async () => {
    for (const [method, path] of [
      ['GET', '/chat/auth/list-sessions'],
      ['POST', '/chat/auth/update-user'],
      ['POST', '/chat/auth/change-password'],
      ['POST', '/chat/auth/delete-user'],
      ['GET', '/chat/auth/ok'],
    ] as const) {
      expect((await send(method, path, alice, method === 'POST' ? {} : undefined)).status, path).toBe(404);
    }
  });

  it('ends a session at sign-out, on the server: the same cookie is then a 401', async () => {
    const carol = await signUp(server.baseUrl, 'carol@example.com');
    expect((await send('POST', CHAT, carol, turnBody(randomUUID(), userMessage('hi')))).status).toBe(200);
    expect((await send('POST', '/chat/auth/sign-out', carol, {})).status).toBe(200);
    expect((await send('POST', CHAT, carol, turnBody(randomUUID(), userMessage('hi again')))).status).toBe(401);
  });

  it('lasts seven days, and an expired session is a 401', async () => {
    const dave = await signUp(server.baseUrl, 'dave@example.com');
    const { session } = JSON.parse((await send('GET', '/chat/auth/get-session', dave)).text) as { session: { expiresAt: string } };
    expect(Date.parse(session.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 24 * 3600_000);
    expect(Date.parse(session.expiresAt) - Date.now()).toBeLessThanOrEqual(7 * 24 * 3600_000);
    const client = createClient({ url: `file:${database}` });
    const { rows } = await client.execute({ sql: 'SELECT "expiresAt" FROM auth_session WHERE "userId" = ?', args: [dave.id] });
    const past = typeof rows[0]!.expiresAt === 'number' ? Date.now() - 60_000 : new Date(Date.now() - 60_000).toISOString();
    await client.execute({ sql: 'UPDATE auth_session SET "expiresAt" = ? WHERE "userId" = ?', args: [past, dave.id] });
    client.close();
    expect((await send('POST', CHAT, dave, turnBody(randomUUID(), userMessage('hi')))).status).toBe(401);
  });

  it('keeps its generated secret in the database: a session outlives a restart', async () => {
    await stopProcessGroup(server.process);
    server = await startServer({
      AGNOST_ORG_ID: 'org_chat_route_test',
      AGNOST_OTEL_ENDPOINT: receiver.tracesUrl,
      MASTRA_STORAGE_URL: `file:${database}`,
    });
    expect((await send('POST', CHAT, alice, turnBody(aliceConversation, userMessage('still me?')))).status).toBe(200);
  }, 60_000);
});

describe('auth on with BETTER_AUTH_SECRET', () => {
  let erin: Account;
  const at = (path: string, account: Account | undefined, init: RequestInit = {}) =>
    fetch(`${guarded.baseUrl}${path}`, {
      ...init,
      headers: { ...(account ? { cookie: account.cookie } : {}), origin: guarded.baseUrl, ...(init.headers as Record<string, string>) },
    });

  beforeAll(async () => {
    erin = await signUp(guarded.baseUrl, 'erin@example.com');
  });

  it('says so at start-up', () => {
    expect(guarded.output()).toContain('Auth: on (BETTER_AUTH_SECRET): every API call needs a web chat session; its user id is the user.');
  });

  it('refuses every API call without a session (401), and lets a session reach the allow-listed routes only (403 elsewhere)', async () => {
    const none = await at('/api/agents', undefined, { headers: { 'x-user-id': erin.id } });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: string }).error).toBe('Unauthorized: sign in.');
    expect((await at('/api/agents', erin)).status).toBe(200);
    expect((await at('/api/observability/traces', erin)).status).toBe(403);
    expect((await at('/api/logs', erin)).status).toBe(403);
  });

  it("chats and lists the session's own conversations", async () => {
    const conversation = randomUUID();
    const turn = await at(CHAT, erin, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(turnBody(conversation, userMessage('hi'))),
    });
    expect(turn.status).toBe(200);
    await turn.text();
    const listed = (await (await at(`/api/memory/threads?agentId=${AGENT_ID}`, erin)).json()) as {
      threads: { id: string; resourceId: string }[];
    };
    expect(listed.threads.map(({ id, resourceId }) => [id, resourceId])).toEqual([[conversation, erin.id]]);
  });
});
