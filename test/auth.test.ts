// JWT auth on the built server (MASTRA_JWT_SECRET set): no, expired or forged tokens get 401; the
// token's user is the userId on every span and owns its conversations; user B cannot read, list or
// continue user A's conversation by any route, and no answer names user A.
import { join } from 'node:path';
import { MastraClient } from '@mastra/client-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { signJwt } from './helpers/jwt.ts';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.ts';
import { newWorkDir, runScript } from './helpers/run-script.ts';
import { startBuiltServer, stopProcessGroup, type BuiltServer } from './helpers/server.ts';

const SECRET = 'test-secret-3f9a1c7e5b2d4086a9e1c3f5b7d90a2c';
const now = () => Math.floor(Date.now() / 1000);
const tokenFor = (sub: string) => signJwt({ sub, exp: now() + 600 }, SECRET);
const userA = 'user-alice-7f3a';
const userB = 'user-bob-91c2';
let receiver: OtlpReceiver;
let server: BuiltServer;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  server = await startBuiltServer({
    MASTRA_JWT_SECRET: SECRET,
    AGNOST_ORG_ID: 'org_auth_test',
    AGNOST_OTEL_ENDPOINT: receiver.tracesUrl,
    MASTRA_STORAGE_URL: `file:${join(newWorkDir(), 'auth.db')}`,
  });
});

afterAll(async () => {
  await stopProcessGroup(server?.process);
  await receiver?.close();
});

async function call(method: 'GET' | 'POST', path: string, token: string | undefined, body?: object, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, text: await response.text() };
}
const generate = (token: string | undefined, body: object, headers?: Record<string, string>) =>
  call('POST', '/api/agents/assistant/generate', token, body, headers);
const message = (content: string) => ({ messages: [{ role: 'user', content }] });

describe('with MASTRA_JWT_SECRET', () => {
  it('says auth is on at start-up, and never prints the secret', () => {
    expect(server.output()).toContain('Auth: on (MASTRA_JWT_SECRET): every API call needs Authorization: Bearer <JWT>; its sub is the user.');
    expect(server.output()).not.toContain(SECRET);
  });

  it.each([
    ['no token', undefined],
    ['an expired token', signJwt({ sub: userA, exp: now() - 60 }, SECRET)],
    ['a token signed with another secret', signJwt({ sub: userA, exp: now() + 600 }, 'another-secret-0000000000000000000000')],
    ['a malformed token', 'not.a.jwt'],
  ])('answers 401 to %s, on the agent and the memory routes', async (_case, token) => {
    expect((await generate(token, message('hi'))).status).toBe(401);
    expect((await call('GET', `/api/memory/threads?resourceId=${userA}&agentId=assistant`, token)).status).toBe(401);
    expect((await call('GET', '/api/agents', token)).status).toBe(401);
  });

  it("makes the token's user the userId on every span, whatever x-user-id says", async () => {
    const { status, text } = await generate(tokenFor(userA), message('what is 5 * 5?'), { 'x-user-id': 'mallory', 'x-conversation-id': 'conv-alice' });
    expect(status).toBe(200);
    const { traceId } = JSON.parse(text) as { traceId: string };
    await expect.poll(() => receiver.spans().some((span) => span.traceId === traceId && span.parentSpanId === '')).toBe(true);
    for (const span of receiver.spans().filter((span) => span.traceId === traceId)) {
      expect(span.attributes, span.name).toMatchObject(groupingKeys(userA, 'conv-alice'));
    }
    expect(receiver.spans().some((span) => JSON.stringify(span.attributes).includes('mallory'))).toBe(false);
  });

  it("does not let user B continue user A's conversation through generate or stream", async () => {
    const tokenB = tokenFor(userB);
    const attempts = [
      await generate(tokenB, message('let me in'), { 'x-conversation-id': 'conv-alice' }),
      await generate(tokenB, { ...message('let me in'), memory: { resource: userA, thread: 'conv-alice' } }),
      await generate(tokenB, { ...message('let me in'), resourceId: userA, threadId: 'conv-alice' }),
      await call('POST', '/api/agents/assistant/stream', tokenB, { ...message('let me in'), memory: { resource: userA, thread: 'conv-alice' } }),
    ];
    for (const { status, text } of attempts) {
      expect(status).toBe(403);
      expect(text).not.toContain(userA);
    }
    const client = new MastraClient({ baseUrl: server.baseUrl, headers: { authorization: `Bearer ${tokenB}` } });
    await expect(client.getAgent('assistant').stream('let me in', { memory: { thread: 'conv-alice', resource: userA } })).rejects.toThrow(/403/);
  });

  it("does not let user B read or list user A's conversation through the memory API", async () => {
    const tokenB = tokenFor(userB);
    for (const path of [`/api/memory/threads/conv-alice/messages?agentId=assistant`, `/api/memory/threads/conv-alice?agentId=assistant`]) {
      const { status, text } = await call('GET', path, tokenB);
      expect(status, path).toBeGreaterThanOrEqual(400);
      expect(status, path).toBeLessThan(500);
      expect(text, path).not.toContain(userA);
      expect(text, path).not.toContain('5 * 5');
    }
    const listed = await call('GET', `/api/memory/threads?resourceId=${userA}&agentId=assistant`, tokenB);
    expect(JSON.parse(listed.text)).toMatchObject({ threads: [] });
    // User A still reads their own.
    const own = await call('GET', `/api/memory/threads/conv-alice/messages?agentId=assistant`, tokenFor(userA));
    expect(own.status).toBe(200);
    expect(own.text).toContain('5 * 5');
  });

  it('accepts a token from `npm run token`, and that script refuses without a secret', async () => {
    const minted = await runScript('token', ['user-from-script'], { MASTRA_JWT_SECRET: SECRET });
    expect(minted.code).toBe(0);
    expect((await generate(minted.stdout.trim(), message('hi'))).status).toBe(200);
    const refused = await runScript('token', ['user-from-script']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^MASTRA_JWT_SECRET is not set/);
  });
});
