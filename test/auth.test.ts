// JWT auth on the server (the tests' project on Mastra's own Node server, MASTRA_JWT_SECRET set): one reading of the token (Bearer only, HS256,
// sub and exp required), every other form and every bad token refused with 401 before Mastra sees it;
// alice and bob on every route of the allow-list (src/mastra/server/routes.ts) with its ownership
// rule, through @mastra/client-js as a client would call them; the token's user is the only user on
// every exported span, whatever the body, the headers or tracingOptions.metadata say.
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { MastraClient, MastraClientError } from '@mastra/client-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_ROUTES } from '../src/mastra/server/routes.ts';
import { AGENT_ID, TOOL_MESSAGE, WORKFLOW_ID } from './helpers/agent.ts';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { signJwt } from './helpers/jwt.ts';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.ts';
import { newWorkDir, runScript } from './helpers/run-script.ts';
import { SERVER_START_TIMEOUT_MS, startServer, stopProcessGroup, type BuiltServer } from './helpers/server.ts';

const SECRET = 'test-secret-3f9a1c7e5b2d4086a9e1c3f5b7d90a2c';
const now = () => Math.floor(Date.now() / 1000);
const tokenFor = (sub: string) => signJwt({ sub, exp: now() + 600 }, SECRET);
const alice = 'user-alice-7f3a';
const bob = 'user-bob-91c2';
/** Alice's data: a conversation whose messages carry a marker no answer to bob may contain. */
const ALICE_MARKER = 'alice-secret-marker-5e1d';
const aliceConversation = 'conv-alice';
const aliceThrowaway = 'conv-alice-throwaway';
/** Alice's workflow run, created before the tests. */
const aliceRun = 'run-alice-1';
let receiver: OtlpReceiver;
let server: BuiltServer;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  server = await startServer({
    MASTRA_JWT_SECRET: SECRET,
    AGNOST_ORG_ID: 'org_auth_test',
    AGNOST_OTEL_ENDPOINT: receiver.tracesUrl,
    MASTRA_STORAGE_URL: `file:${join(newWorkDir(), 'auth.db')}`,
  });
  for (const thread of [aliceConversation, aliceThrowaway]) {
    await clientOf(alice)
      .getAgent(AGENT_ID)
      .generate(`remember ${ALICE_MARKER}`, { memory: { thread, resource: alice } });
  }
  await clientOf(alice).getWorkflow(WORKFLOW_ID).createRun({ runId: aliceRun });
}, SERVER_START_TIMEOUT_MS + 30_000);

afterAll(async () => {
  await stopProcessGroup(server?.process);
  await receiver?.close();
});

function clientOf(user: string, headers: Record<string, string> = {}) {
  return new MastraClient({ baseUrl: server.baseUrl, retries: 0, headers: { authorization: `Bearer ${tokenFor(user)}`, ...headers } });
}

/**
 * A JSON request; `body` as an object, or as the exact text to send. The answer is read to its end (a
 * streamed one too), but a `subscription`'s, which never ends: its status is all there is to check.
 */
async function call(
  method: string,
  path: string,
  authorization: string | undefined,
  body?: object | string,
  headers: Record<string, string> = {},
  { subscription = false } = {},
) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}), ...headers },
    ...(body ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  if (!subscription || response.status !== 200) return { status: response.status, text: await response.text() };
  await response.body?.cancel();
  return { status: response.status, text: '' };
}
const bearer = (token: string) => `Bearer ${token}`;
const message = (content: string) => ({ messages: [{ role: 'user', content }] });
const generatePath = `/api/agents/${AGENT_ID}/generate`;
/** How long to wait for a trace: it is exported as its run ends; the bound is for a busy machine. */
const WAIT = { timeout: 30_000 };

function isRawOutcome(value: unknown): value is { status: number; text: string } {
  return (
    !!value &&
    typeof value === 'object' &&
    typeof (value as { status?: unknown }).status === 'number' &&
    typeof (value as { text?: unknown }).text === 'string'
  );
}

/** A call's status and what came back: a raw request's, or a client call's (the error's body on failure). */
async function outcome(run: () => Promise<unknown>): Promise<{ status: number; text: string }> {
  try {
    const result = await run();
    if (isRawOutcome(result)) return result;
    return { status: 200, text: result instanceof Response ? await result.text() : JSON.stringify(result) };
  } catch (error) {
    if (error instanceof MastraClientError) return { status: error.status, text: JSON.stringify(error.body ?? error.message) };
    throw error;
  }
}

describe('the token', () => {
  it('says auth is on at start-up, and never prints the secret', () => {
    expect(server.output()).toContain(
      'Auth: on (MASTRA_JWT_SECRET): every API call needs Authorization: Bearer <JWT>; its sub is the user.',
    );
    expect(server.output()).not.toContain(SECRET);
  });

  const hs = (algorithm: 'sha384' | 'sha512', alg: string) => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${part({ alg, typ: 'JWT' })}.${part({ sub: alice, exp: now() + 600 })}`;
    return `${unsigned}.${createHmac(algorithm, SECRET).update(unsigned).digest('base64url')}`;
  };
  /** [case, Authorization header (or none), query string, what the one-line error says]. */
  const REFUSED: [string, () => string | undefined, string, RegExp][] = [
    ['no token', () => undefined, '', /send Authorization: Bearer <JWT>/],
    ['an expired token', () => bearer(signJwt({ sub: alice, exp: now() - 60 }, SECRET)), '', /has expired/],
    [
      'a token signed with another secret',
      () => bearer(signJwt({ sub: alice, exp: now() + 600 }, 'another-secret-0000000000000000000000')),
      '',
      /not an HS256 JWT signed with this server's secret/,
    ],
    ['a malformed token', () => 'Bearer not.a.jwt', '', /not an HS256 JWT/],
    ['a token without sub', () => bearer(signJwt({ exp: now() + 600 }, SECRET)), '', /needs a sub/],
    ['a token whose sub is not an id', () => bearer(signJwt({ sub: 'has spaces', exp: now() + 600 }, SECRET)), '', /needs a sub/],
    ['a token without exp', () => bearer(signJwt({ sub: alice }, SECRET)), '', /no exp/],
    ['an HS384 token', () => bearer(hs('sha384', 'HS384')), '', /not an HS256 JWT/],
    ['an HS512 token', () => bearer(hs('sha512', 'HS512')), '', /not an HS256 JWT/],
    ['a valid token without "Bearer"', () => tokenFor(alice), '', /as Authorization: Bearer <JWT>/],
    [
      'a token with a critical extension it does not know',
      () => bearer(signJwt({ sub: alice, exp: now() + 600 }, SECRET, { crit: ['x-unknown'], 'x-unknown': 1 })),
      '',
      /critical extension \(crit\)/,
    ],
    [
      'a token with an empty crit',
      () => bearer(signJwt({ sub: alice, exp: now() + 600 }, SECRET, { crit: [] })),
      '',
      /critical extension \(crit\)/,
    ],
    [
      'a token that expires in the year 9999',
      () => bearer(signJwt({ sub: alice, exp: 253402300799 }, SECRET)),
      '',
      /expires more than 24 hours ahead \(MASTRA_JWT_MAX_HOURS\)/,
    ],
    [
      'a token that expires a day and an hour ahead',
      () => bearer(signJwt({ sub: alice, exp: now() + 25 * 3600 }, SECRET)),
      '',
      /expires more than 24 hours ahead/,
    ],
    [
      'a token issued a year ahead',
      () => bearer(signJwt({ sub: alice, exp: now() + 600, iat: now() + 365 * 86400 }, SECRET)),
      '',
      /issued in the future \(iat\)/,
    ],
    [
      'a token issued ten minutes ahead',
      () => bearer(signJwt({ sub: alice, exp: now() + 3600, iat: now() + 600 }, SECRET)),
      '',
      /issued in the future \(iat\)/,
    ],
    [
      'a token whose iat is not a number',
      () => bearer(signJwt({ sub: alice, exp: now() + 600, iat: String(now() + 365 * 86400) }, SECRET)),
      '',
      /iat must be a number/,
    ],
    [
      'a token whose nbf is not a number',
      () => bearer(signJwt({ sub: alice, exp: now() + 600, nbf: String(now() + 600) }, SECRET)),
      '',
      /nbf must be a number/,
    ],
    [
      'a token not valid before ten minutes ahead',
      () => bearer(signJwt({ sub: alice, exp: now() + 3600, nbf: now() + 600 }, SECRET)),
      '',
      /not valid yet/,
    ],
    ['a valid token as ?apiKey=', () => undefined, `?apiKey=${tokenFor(alice)}`, /not as \?apiKey=/],
    ['a valid token as ?apiKey= beside a valid Bearer', () => bearer(tokenFor(alice)), `?apiKey=${tokenFor(bob)}`, /not as \?apiKey=/],
  ];

  it.concurrent.for(REFUSED)(
    'answers 401 with one line to %s, on the agent, memory and other routes',
    async ([, authorization, query, says], { expect }) => {
      for (const [method, path, body] of [
        ['POST', generatePath, message('hi')],
        ['GET', `/api/memory/threads/${aliceConversation}/messages`, undefined],
        ['GET', '/api/agents', undefined],
        ['GET', '/api/observability/traces', undefined],
      ] as const) {
        const { status, text } = await call(method, `${path}${query}`, authorization(), body);
        expect(status, path).toBe(401);
        expect(JSON.parse(text).error, path).toMatch(says);
        expect(text, path).not.toContain('\n');
        expect(text, path).not.toContain(ALICE_MARKER);
      }
    },
  );

  it('accepts a token within the clock skew and the longest lifetime', async () => {
    for (const claims of [{ exp: now() + 24 * 3600 }, { exp: now() + 600, iat: now() + 30 }, { exp: now() + 600, nbf: now() + 30 }]) {
      expect((await call('POST', generatePath, bearer(signJwt({ sub: alice, ...claims }, SECRET)), message('hi'))).status).toBe(200);
    }
  });

  it('accepts a token from `npm run token`, which stays within the longest lifetime, and refuses without a secret', async () => {
    const [minted, tooLong, refused] = await Promise.all([
      runScript('token', ['user-from-script'], { MASTRA_JWT_SECRET: SECRET }),
      runScript('token', ['user-from-script', '48'], { MASTRA_JWT_SECRET: SECRET }),
      runScript('token', ['user-from-script']),
    ]);
    expect(minted.code).toBe(0);
    expect((await call('POST', generatePath, bearer(minted.stdout.trim()), message('hi'))).status).toBe(200);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/^hours must be at most 24: the server refuses longer-lived tokens \(MASTRA_JWT_MAX_HOURS\)/);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^MASTRA_JWT_SECRET is not set/);
  });
});

describe('every allowed route, as alice and as bob, on alice’s conversation', () => {
  interface Expectation {
    status: number;
    /** Whether the answer shows alice's conversation. */
    shows: boolean;
  }
  const read = (path: string) => (user: string) => call('GET', path, bearer(tokenFor(user)));
  const shared: Expectation = { status: 200, shows: false };
  /** Another user's conversation: the answer for one that does not exist. */
  const notFound: Expectation = { status: 404, shows: false };
  /** Another user's workflow run: the answer for one that does not exist. */
  const notFoundRun: Expectation = { status: 404, shows: false };
  const workflowPath = (action: string) => `/api/workflows/${WORKFLOW_ID}/${action}`;
  /** What Studio's chat posts: the message, and the thread it then follows (as server.test.ts's Studio case). */
  const studioMessage = (user: string) =>
    call('POST', `/api/agents/${AGENT_ID}/send-message`, bearer(tokenFor(user)), {
      message: { contents: 'from Studio', metadata: { clientMessageId: `client-${user}` } },
      resourceId: AGENT_ID,
      threadId: aliceConversation,
      ifIdle: { streamOptions: { maxSteps: 5 } },
    });
  /** [route (as in routes.ts), the call as a client makes it, alice's outcome, bob's outcome]. */
  const CASES: [string, (user: string) => Promise<unknown>, Expectation, Expectation][] = [
    ['GET /agents/providers', (user) => clientOf(user).listAgentsModelProviders(), shared, shared],
    ['GET /agents/:agentId/voice/speakers', read(`/api/agents/${AGENT_ID}/voice/speakers`), shared, shared],
    ['GET /editor/builder/settings', read('/api/editor/builder/settings'), shared, shared],
    ['GET /editor/builder/models/available', read('/api/editor/builder/models/available'), shared, shared],
    ['GET /workflows', (user) => clientOf(user).listWorkflows(), shared, shared],
    ['GET /workflows/:workflowId', (user) => clientOf(user).getWorkflow(WORKFLOW_ID).details(), shared, shared],
    // Bob on alice's run; alice on a run of her own (a new one, or one created for the case).
    [
      'POST /workflows/:workflowId/create-run',
      (user) =>
        call('POST', `${workflowPath('create-run')}?runId=${user === bob ? aliceRun : 'run-alice-create'}`, bearer(tokenFor(user)), {}),
      { status: 200, shows: false },
      notFoundRun,
    ],
    [
      'POST /workflows/:workflowId/start-async',
      (user) =>
        call(
          'POST',
          `${workflowPath('start-async')}?runId=${user === bob ? aliceRun : 'run-alice-async'}`,
          bearer(tokenFor(user)),
          { inputData: { message: 'hi' } },
          { 'x-conversation-id': `conv-${user}-workflow` },
        ),
      { status: 200, shows: false },
      notFoundRun,
    ],
    [
      'POST /workflows/:workflowId/stream',
      (user) =>
        call('POST', `${workflowPath('stream')}?runId=${user === bob ? aliceRun : 'run-alice-stream'}`, bearer(tokenFor(user)), {
          inputData: { message: 'hi' },
        }),
      { status: 200, shows: false },
      notFoundRun,
    ],
    [
      'POST /workflows/:workflowId/start',
      async (user) => {
        if (user === alice) await call('POST', `${workflowPath('create-run')}?runId=run-alice-start`, bearer(tokenFor(alice)), {});
        return call('POST', `${workflowPath('start')}?runId=${user === bob ? aliceRun : 'run-alice-start'}`, bearer(tokenFor(user)), {
          inputData: { message: 'hi' },
        });
      },
      { status: 200, shows: false },
      notFoundRun,
    ],
    // A run that never suspended: alice's resume finds no such run either, the same answer as bob's.
    [
      'POST /workflows/:workflowId/resume',
      (user) =>
        call('POST', `${workflowPath('resume')}?runId=${user === bob ? aliceRun : 'run-alice-none'}`, bearer(tokenFor(user)), {
          step: 'ask',
          resumeData: {},
        }),
      notFoundRun,
      notFoundRun,
    ],
    [
      'POST /workflows/:workflowId/resume-async',
      (user) =>
        call('POST', `${workflowPath('resume-async')}?runId=${user === bob ? aliceRun : 'run-alice-none'}`, bearer(tokenFor(user)), {
          step: 'ask',
          resumeData: {},
        }),
      notFoundRun,
      notFoundRun,
    ],
    ['GET /tools', (user) => clientOf(user).listTools(), shared, shared],
    ['GET /processors', read('/api/processors'), shared, shared],
    ['GET /scores/scorers', (user) => clientOf(user).listScorers(), shared, shared],
    ['GET /mcp/v0/servers', read('/api/mcp/v0/servers'), shared, shared],
    ['GET /system/packages', read('/api/system/packages'), shared, shared],
    ['POST /agents/:agentId/send-message', studioMessage, { status: 200, shows: false }, notFound],
    [
      'POST /agents/:agentId/threads/subscribe',
      (user) =>
        call(
          'POST',
          `/api/agents/${AGENT_ID}/threads/subscribe`,
          bearer(tokenFor(user)),
          { resourceId: AGENT_ID, threadId: aliceConversation },
          {},
          { subscription: true },
        ),
      { status: 200, shows: false },
      notFound,
    ],
    ['GET /agents', (user) => clientOf(user).listAgents(), { status: 200, shows: false }, { status: 200, shows: false }],
    [
      'GET /agents/:agentId',
      (user) => clientOf(user).getAgent(AGENT_ID).details(),
      { status: 200, shows: false },
      { status: 200, shows: false },
    ],
    [
      'POST /agents/:agentId/generate',
      (user) =>
        clientOf(user)
          .getAgent(AGENT_ID)
          .generate('and again?', { memory: { thread: aliceConversation, resource: user } }),
      { status: 200, shows: false },
      notFound,
    ],
    [
      'POST /agents/:agentId/stream',
      (user) =>
        clientOf(user)
          .getAgent(AGENT_ID)
          .stream('and again?', { memory: { thread: aliceConversation, resource: user } }),
      { status: 200, shows: false },
      notFound,
    ],
    [
      'GET /memory/status',
      (user) => clientOf(user).getMemoryStatus(AGENT_ID),
      { status: 200, shows: false },
      { status: 200, shows: false },
    ],
    [
      'GET /memory/config',
      (user) => clientOf(user).getMemoryConfig({ agentId: AGENT_ID }),
      { status: 200, shows: false },
      { status: 200, shows: false },
    ],
    [
      'GET /memory/threads',
      (user) => clientOf(user).listMemoryThreads({ resourceId: alice, agentId: AGENT_ID }),
      { status: 200, shows: true },
      { status: 200, shows: false }, // Mastra lists the token user's own, whatever resourceId says
    ],
    [
      'GET /memory/threads/:threadId',
      (user) => clientOf(user).getMemoryThread({ threadId: aliceConversation, agentId: AGENT_ID }).get(),
      { status: 200, shows: true },
      notFound,
    ],
    [
      'GET /memory/threads/:threadId/messages',
      (user) => clientOf(user).listThreadMessages(aliceConversation, { agentId: AGENT_ID }),
      { status: 200, shows: true },
      notFound,
    ],
    [
      'GET /memory/threads/:threadId/working-memory',
      (user) => clientOf(user).getWorkingMemory({ agentId: AGENT_ID, threadId: aliceConversation }),
      { status: 200, shows: false },
      notFound,
    ],
    [
      'DELETE /memory/threads/:threadId',
      (user) => clientOf(user).deleteThread(aliceThrowaway, { agentId: AGENT_ID }),
      { status: 200, shows: false },
      notFound,
    ],
  ];

  it('covers every route of the allow-list', () => {
    expect(CASES.map(([route]) => route).sort()).toEqual(ALLOWED_ROUTES.map(({ method, path }) => `${method} ${path}`).sort());
  });

  it.each(CASES)('%s', async (_route, run, forAlice, forBob) => {
    // Bob first: the delete case must find alice's conversation still there.
    const asBob = await outcome(() => run(bob));
    expect(asBob.status).toBe(forBob.status);
    if (forBob === notFound) expect(JSON.parse(asBob.text).error).toBe('Not found: no such conversation.');
    if (forBob === notFoundRun) expect(JSON.parse(asBob.text).error).toBe('Not found: no such workflow run.');
    expect(asBob.text).not.toContain(ALICE_MARKER);
    expect(asBob.text).not.toContain(alice);
    const asAlice = await outcome(() => run(alice));
    expect(asAlice.status).toBe(forAlice.status);
    if (forAlice.shows) expect(asAlice.text).toMatch(new RegExp(`${ALICE_MARKER}|${aliceConversation}`));
    if (forAlice === notFoundRun) expect(JSON.parse(asAlice.text).error).toBe('Not found: no such workflow run.');
  });

  // Mastra's thread handlers would take a thread from the query or the body over the path's: only the
  // path may name it.
  it.each([
    [
      'GET',
      'the query',
      (path: string) => `${path}?agentId=${AGENT_ID}&threadId=${aliceConversation}`,
      undefined,
      /query\.threadId: not accepted here/,
    ],
    [
      'DELETE',
      'the query',
      (path: string) => `${path}?agentId=${AGENT_ID}&threadId=${aliceConversation}`,
      undefined,
      /query\.threadId: not accepted here/,
    ],
    [
      'DELETE',
      'the body',
      (path: string) => `${path}?agentId=${AGENT_ID}`,
      { threadId: aliceConversation },
      /^Invalid request: threadId: not accepted here/,
    ],
  ] as const)("refuses bob's %s on his own thread naming another in %s with a 400", async (method, _where, url, body, says) => {
    await call('POST', generatePath, bearer(tokenFor(bob)), {
      ...message('my own thread'),
      memory: { resource: bob, thread: 'conv-bob-own' },
    });
    const { status, text } = await call(method, url('/api/memory/threads/conv-bob-own'), bearer(tokenFor(bob)), body);
    expect(status).toBe(400);
    expect(JSON.parse(text).error).toMatch(says);
    expect(text).not.toContain(alice);
  });

  it("leaves alice's conversation hers: she still reads it, bob's attempts added nothing to it", async () => {
    const { messages } = await clientOf(alice).listThreadMessages(aliceConversation, { agentId: AGENT_ID });
    expect(JSON.stringify(messages)).toContain(ALICE_MARKER);
    expect(messages.every((stored) => (stored as { resourceId?: string }).resourceId === alice)).toBe(true);
  });
});

describe("the token's user is the only user", () => {
  it("is the userId on every span, whatever x-user-id or Studio's top-level resourceId say", async () => {
    const { status, text } = await call(
      'POST',
      generatePath,
      bearer(tokenFor(bob)),
      { ...message('mine, whatever the headers say'), resourceId: AGENT_ID, threadId: 'conv-bob' },
      { 'x-user-id': alice, 'x-conversation-id': 'conv-bob' },
    );
    expect(status).toBe(200);
    const { traceId } = JSON.parse(text) as { traceId: string };
    await expect.poll(() => receiver.spans().some((span) => span.traceId === traceId && span.parentSpanId === ''), WAIT).toBe(true);
    const spans = receiver.spans().filter((span) => span.traceId === traceId);
    for (const span of spans) expect(span.attributes, span.name).toMatchObject(groupingKeys(bob, 'conv-bob'));
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain(alice);
  });

  it('is the only user on the spans of every allowed route that runs the agent', async () => {
    const runs: [string, string, string, object][] = [
      [
        '/agents/:agentId/generate',
        `/api/agents/${AGENT_ID}/generate`,
        'conv-bob-every-generate',
        { ...message(TOOL_MESSAGE), memory: { thread: 'conv-bob-every-generate' } },
      ],
      [
        '/agents/:agentId/stream',
        `/api/agents/${AGENT_ID}/stream`,
        'conv-bob-every-stream',
        { ...message(TOOL_MESSAGE), memory: { thread: 'conv-bob-every-stream' } },
      ],
      [
        '/agents/:agentId/send-message',
        `/api/agents/${AGENT_ID}/send-message`,
        'conv-bob-every-send',
        { message: TOOL_MESSAGE, resourceId: AGENT_ID, threadId: 'conv-bob-every-send' },
      ],
      [
        '/workflows/:workflowId/start-async',
        `/api/workflows/${WORKFLOW_ID}/start-async`,
        'conv-bob-every-workflow',
        { inputData: { message: TOOL_MESSAGE }, tracingOptions: { metadata: { conversationId: 'conv-bob-every-workflow' } } },
      ],
      [
        '/workflows/:workflowId/stream',
        `/api/workflows/${WORKFLOW_ID}/stream?runId=run-bob-every`,
        'conv-bob-every-workflow-stream',
        { inputData: { message: TOOL_MESSAGE }, tracingOptions: { metadata: { conversationId: 'conv-bob-every-workflow-stream' } } },
      ],
    ];
    // Every route that starts a run on its own (start and resume act on a run created before).
    const runRoutes = ALLOWED_ROUTES.filter((route) => route.forward && !route.existingRun && !/subscribe|create-run/.test(route.path));
    expect(runs.map(([route]) => route).sort()).toEqual(runRoutes.map((route) => route.path).sort());
    const statuses = await Promise.all(
      runs.map(([, path, , body]) => call('POST', path, bearer(tokenFor(bob)), body).then(({ status }) => status)),
    );
    expect(statuses).toEqual(runs.map(() => 200));
    for (const [route, , conversation] of runs) {
      const sessionSpans = () => receiver.spans().filter((span) => span.attributes['agnost.session_id'] === conversation);
      await expect.poll(() => sessionSpans().some((span) => span.parentSpanId === ''), WAIT).toBe(true);
      for (const span of sessionSpans()) expect(span.attributes, `${route}: ${span.name}`).toMatchObject(groupingKeys(bob, conversation));
    }
  });

  /** Bodies that name alice (or her conversation) under bob's token, or set what only the server sets: each refused, naming no one. */
  const SPOOFED: [string, object, number][] = [
    ['tracingOptions.metadata.userId', { tracingOptions: { metadata: { userId: alice } } }, 403],
    ['tracingOptions.metadata.conversationId', { tracingOptions: { metadata: { conversationId: aliceConversation } } }, 404],
    ['tracingOptions.metadata.threadId', { tracingOptions: { metadata: { threadId: aliceConversation } } }, 400],
    ['tracingOptions.metadata.resourceId', { tracingOptions: { metadata: { resourceId: alice } } }, 400],
    ['tracingOptions.metadata with Agnost keys', { tracingOptions: { metadata: { 'agnost.user_id': alice } } }, 400],
    ['tracingOptions.traceId', { tracingOptions: { traceId: '0af7651916cd43dd8448eb211c80319c', metadata: {} } }, 400],
    ['tracingOptions.parentSpanId', { tracingOptions: { parentSpanId: 'b7ad6b7169203331', metadata: {} } }, 400],
    ['memory.resource', { memory: { resource: alice, thread: 'conv-bob-2' } }, 403],
    ['memory.thread', { memory: { resource: bob, thread: aliceConversation } }, 404],
    ['memory.options', { memory: { thread: 'conv-bob-5', options: { lastMessages: 1000 } } }, 400],
    ['top-level threadId', { resourceId: bob, threadId: aliceConversation }, 404],
    ['top-level resourceId', { resourceId: alice, threadId: 'conv-bob-4' }, 403],
    ['requestContext.userId', { requestContext: { userId: alice } }, 400],
    ['requestContext resource', { requestContext: { mastra__resourceId: alice } }, 400],
  ];

  // Each also behind a UTF-8 byte-order mark, which Mastra's route drops before parsing: read the same.
  it.concurrent.for(
    SPOOFED.flatMap(
      ([field, spoof, status]) =>
        [
          [field, status, spoof, ''],
          [`${field} (behind a byte-order mark)`, status, spoof, '\uFEFF'],
        ] as const,
    ),
  )('refuses %s with %i', async ([field, expected, spoof, prefix], { expect }) => {
    for (const path of [generatePath, `/api/agents/${AGENT_ID}/stream`]) {
      const body = prefix + JSON.stringify({ ...message(`spoof ${field}`), ...spoof });
      const { status, text } = await call('POST', path, bearer(tokenFor(bob)), body);
      expect(status, path).toBe(expected);
      expect(text).not.toContain(alice);
      expect(text).not.toContain('\n');
    }
  });

  it('exports no span of any refused body', async () => {
    // Bob's next turns, generated and streamed: once their traces are in, a refused body's would be too.
    const after = ['conv-bob-after-spoofs', 'conv-bob-after-spoofs-stream'];
    await call('POST', generatePath, bearer(tokenFor(bob)), { ...message('after the spoofs'), memory: { thread: after[0] } });
    await call('POST', `/api/agents/${AGENT_ID}/stream`, bearer(tokenFor(bob)), {
      ...message('after the spoofs'),
      memory: { thread: after[1] },
    });
    const arrived = (conversation: string) =>
      receiver.spans().some((span) => span.parentSpanId === '' && span.attributes['agnost.session_id'] === conversation);
    await expect.poll(() => after.every(arrived), WAIT).toBe(true);
    expect(
      receiver
        .spans()
        .filter((span) => JSON.stringify(span.attributes).includes('spoof '))
        .map((span) => span.name),
    ).toEqual([]);
    expect(
      receiver.spans().some((span) => span.attributes['agnost.user_id'] === alice && JSON.stringify(span.attributes).includes('spoof')),
    ).toBe(false);
  });

  // Studio's chat route nests the run's options: none of them is the caller's to set either.
  it.each([
    ['ifIdle.streamOptions.tracingOptions', { tracingOptions: { metadata: { userId: alice, conversationId: aliceConversation } } }],
    ['ifIdle.streamOptions.memory', { memory: { resource: alice, thread: aliceConversation } }],
    ['ifIdle.streamOptions.requestContext', { requestContext: { userId: alice } }],
    ['ifIdle.streamOptions.context', { context: [{ role: 'user', content: 'injected' }] }],
  ])('refuses send-message with %s with a 400 naming it', async (field, streamOptions) => {
    const { status, text } = await call('POST', `/api/agents/${AGENT_ID}/send-message`, bearer(tokenFor(bob)), {
      message: 'hi',
      resourceId: AGENT_ID,
      threadId: 'conv-bob-studio',
      ifIdle: { streamOptions },
    });
    expect(status).toBe(400);
    expect(JSON.parse(text).error).toContain(field);
  });

  it("keeps a message where its writer put it: a message id bob reuses moves nothing out of alice's conversation", async () => {
    const shared = { id: 'msg-shared-1', role: 'user', content: 'alice-message-id-marker' };
    expect(
      (await call('POST', generatePath, bearer(tokenFor(alice)), { messages: [shared], memory: { thread: 'conv-alice-ids' } })).status,
    ).toBe(200);
    expect(
      (
        await call('POST', generatePath, bearer(tokenFor(bob)), {
          messages: [{ ...shared, content: 'bob took it' }],
          memory: { thread: 'conv-bob-ids' },
        })
      ).status,
    ).toBe(200);
    const { messages } = await clientOf(alice).listThreadMessages('conv-alice-ids', { agentId: AGENT_ID });
    expect(JSON.stringify(messages)).toContain('alice-message-id-marker');
    expect(JSON.stringify(messages)).not.toContain('bob took it');
    // The stored ids are Mastra's own, whatever id a caller gave.
    expect(messages.map((stored) => (stored as { id: string }).id)).not.toContain(shared.id);
  });

  it("accepts the token's own user named in the body", async () => {
    const { status } = await call('POST', generatePath, bearer(tokenFor(bob)), {
      ...message('my own ids'),
      memory: { resource: bob, thread: 'conv-bob' },
      tracingOptions: { metadata: { userId: bob, conversationId: 'conv-bob' } },
    });
    expect(status).toBe(200);
  });
});
