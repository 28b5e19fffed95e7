// Deny by default, on the server (the tests' project on Mastra's own Node server) with MASTRA_JWT_SECRET: a sweep over every route Mastra
// registers, read from Mastra's own route table (SERVER_ROUTES) at test time so a new version's routes
// are swept too. Bob, with a valid token, is refused (403, one line) everything not on the allow-list
// (src/mastra/server/routes.ts), and nothing he gets back shows alice's data; without a token every
// route answers 401, but the few Mastra itself declares public (its sign-in endpoints).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_ROUTES, API_PREFIX, isAllowed } from '../src/mastra/server/routes.ts';
import { AGENT_ID } from './helpers/agent.ts';
import { signJwt } from './helpers/jwt.ts';
import { mastraRoutes } from './helpers/mastra-routes.ts';
import { newWorkDir } from './helpers/run-script.ts';
import { SERVER_START_TIMEOUT_MS, startServer, stopProcessGroup, type BuiltServer } from './helpers/server.ts';

const SECRET = 'sweep-secret-8c1f3e5a7b9d2c4e6f8a0b1c3d5e7f90';
const alice = 'user-alice-sweep';
const bob = 'user-bob-sweep';
const ALICE_MARKER = 'alice-sweep-marker-77c2';
const aliceConversation = 'conv-alice-sweep';
const tokenFor = (sub: string) => signJwt({ sub, exp: Math.floor(Date.now() / 1000) + 600 }, SECRET);
let server: BuiltServer;

/** A value for each path parameter: alice's ids where a route names a user or a conversation. */
function samplePath(path: string): string {
  const values: Record<string, string> = {
    agentId: AGENT_ID,
    threadId: aliceConversation,
    resourceId: alice,
    conversationId: aliceConversation,
  };
  return `${API_PREFIX}${path.replace(/:(\w+)/g, (_match, name: string) => values[name] ?? 'x')}`;
}

const routes = (await mastraRoutes()).map((route) => ({
  method: route.method === 'ALL' ? 'GET' : route.method.toUpperCase(),
  path: route.path,
  url: samplePath(route.path),
  isPublic: route.requiresAuth === false,
}));
/** Routes Mastra's server adds beside its route table (the browser view, its WebSocket outside /api). */
const EXTRA_ROUTES = [
  { method: 'GET', url: `${API_PREFIX}/agents/${AGENT_ID}/browser/session?threadId=${aliceConversation}` },
  { method: 'POST', url: `${API_PREFIX}/agents/${AGENT_ID}/browser/close` },
  { method: 'GET', url: `/browser/${AGENT_ID}/stream?threadId=${aliceConversation}` },
];
const refusedRoutes = routes.filter((route) => !route.isPublic && !isAllowed(route.method, `${API_PREFIX}${route.path}`));

beforeAll(async () => {
  server = await startServer({ MASTRA_JWT_SECRET: SECRET, MASTRA_STORAGE_URL: `file:${join(newWorkDir(), 'sweep.db')}` });
  const response = await fetch(`${server.baseUrl}/api/agents/${AGENT_ID}/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(alice)}` },
    body: JSON.stringify({
      messages: [{ role: 'user', content: `remember ${ALICE_MARKER}` }],
      memory: { thread: aliceConversation, resource: alice },
    }),
  });
  expect(response.status).toBe(200);
}, SERVER_START_TIMEOUT_MS + 30_000);

afterAll(async () => {
  await stopProcessGroup(server?.process);
});

async function send(method: string, url: string, token: string | undefined) {
  const hasBody = !['GET', 'HEAD', 'OPTIONS'].includes(method);
  const response = await fetch(`${server.baseUrl}${url}`, {
    method,
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(hasBody
      ? { body: JSON.stringify({ threadId: aliceConversation, resourceId: bob, messages: [{ role: 'user', content: 'hi' }] }) }
      : {}),
  });
  return { status: response.status, text: await response.text() };
}

describe("Mastra's route table", () => {
  it('is read at test time, and holds every route of the allow-list', () => {
    expect(routes.length).toBeGreaterThan(100);
    const registered = new Set(routes.map(({ method, path }) => `${method} ${path}`));
    for (const { method, path } of ALLOWED_ROUTES) expect(registered, `${method} ${path}`).toContain(`${method} ${path}`);
  });

  it('declares public (no auth) only its own sign-in endpoints, under /auth/', () => {
    expect(routes.filter((route) => route.isPublic).every((route) => route.path.startsWith('/auth/'))).toBe(true);
  });
});

describe('bob, with a valid token, on every route not on the allow-list', () => {
  it(`is refused with a one-line 403 on each (${refusedRoutes.length} routes)`, async () => {
    const token = tokenFor(bob);
    const answers = await Promise.all(refusedRoutes.map(async ({ method, url }) => ({ method, url, ...(await send(method, url, token)) })));
    const answered = answers.filter(({ status, text }) => status !== 403 || !/^\{"error":"Forbidden: [^\n]*"\}$/.test(text));
    expect(answered.map(({ method, url, status, text }) => `${method} ${url}: ${status} ${text.slice(0, 100)}`)).toEqual([]);
    expect(answers.filter(({ text }) => text.includes(ALICE_MARKER)).map(({ url }) => url)).toEqual([]);
  }, 120_000);

  it("sees nothing of alice's on Mastra's public routes either", async () => {
    const answers = await Promise.all(
      routes.filter((route) => route.isPublic).map(async ({ method, url }) => ({ url, ...(await send(method, url, tokenFor(bob))) })),
    );
    for (const { url, status, text } of answers) {
      expect(status, url).toBeLessThan(500);
      expect(text, url).not.toContain(ALICE_MARKER);
      expect(text, url).not.toContain(alice);
    }
  });

  it('logged one line per refusal, and no stack trace', () => {
    const refusals = server.output().match(/^Refused \S+ \/api\/\S* \(403\): this route is not offered by this server$/gm) ?? [];
    expect(refusals.length).toBeGreaterThanOrEqual(refusedRoutes.length);
    expect(server.output()).not.toMatch(/^\s+at /m);
  });
});

describe("the routes Mastra's server adds beside its route table", () => {
  it.concurrent.for(EXTRA_ROUTES)('$method $url: 401 without a token, 403 for bob', async ({ method, url }, { expect }) => {
    expect((await send(method, url, undefined)).status).toBe(401);
    const asBob = await send(method, url, tokenFor(bob));
    expect(asBob.status).toBe(403);
    expect(asBob.text).not.toContain('\n');
  });
});

describe('without a token', () => {
  it('every route but the public ones answers 401', async () => {
    const answers = await Promise.all(
      routes
        .filter((route) => !route.isPublic)
        .map(async ({ method, url }) => ({ method, url, status: (await send(method, url, undefined)).status })),
    );
    expect(answers.filter(({ status }) => status !== 401).map(({ method, url, status }) => `${method} ${url}: ${status}`)).toEqual([]);
  }, 120_000);
});
