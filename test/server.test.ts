// The built Mastra server (npm run build, npm start) with real HTTP requests and the official client:
// the caller's ids reach every span and the memory, whatever shape they come in; each trace is
// exported as soon as its run ends, streams included; a slow endpoint under load loses no trace; and
// SIGTERM right after streamed answers loses nothing and prints no stack trace.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { MastraClient } from '@mastra/client-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFLINE_MODEL_NOTICE } from '../src/agents/model.ts';
import { AGENT_ID, TOOL_ANSWER, TOOL_MESSAGE, toolsCalled } from './helpers/agent.ts';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';
import { PROJECT_ROOT } from './helpers/project-files.ts';
import { newWorkDir } from './helpers/run-script.ts';
import { freePort, startBuiltServer, stopProcessGroup, waitForServer } from './helpers/server.ts';
import { libsqlTurns } from '../src/mastra/conversation-turns.ts';
import { localUserId } from '../src/settings/ids.ts';

const ORG_ID = 'org_server_test';
let receiver: OtlpReceiver;
let server: ChildProcess;
let serverOutput = '';
let baseUrl: string;
let serverExit: Promise<{ code: number | null; at: number }>;
const storageUrl = `file:${join(newWorkDir(), 'server.db')}`;


async function generate(body: object, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/api/agents/${AGENT_ID}/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as { text?: string; traceId?: string; error?: string } };
}

/** Reads a client-js stream to its end and returns the text. */
async function streamText(response: { processDataStream: (options: { onChunk: (chunk: { type: string; payload?: unknown }) => Promise<void> }) => Promise<void> }) {
  let text = '';
  await response.processDataStream({
    onChunk: async (chunk) => {
      if (chunk.type === 'text-delta') text += (chunk.payload as { text: string }).text;
    },
  });
  return text;
}

const message = (content: string) => ({ messages: [{ role: 'user', content }] });
const spansOf = (traceId: string | undefined): ReceivedSpan[] => receiver.spans().filter((span) => span.traceId === traceId);
const rootsOf = (conversationId: string) =>
  receiver.spans().filter((span) => span.parentSpanId === '' && span.attributes['mastra.metadata.conversationId'] === conversationId);
const spansOfConversation = (conversationId: string) =>
  receiver.spans().filter((span) => span.attributes['mastra.metadata.conversationId'] === conversationId);

function expectIds(spans: ReceivedSpan[], userId: string, conversationId: string) {
  expect(spans.length).toBeGreaterThan(0);
  for (const span of spans) expect(span.attributes, span.name).toMatchObject(groupingKeys(userId, conversationId));
}

beforeAll(async () => {

  receiver = await startOtlpReceiver();
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  // Through `npm start`, as a user runs it (npm puts the project's Node first on PATH).
  server = spawn('npm', ['start'], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      MASTRA_TELEMETRY_DISABLED: '1',
      PORT: String(port),
      AGNOST_ORG_ID: ORG_ID,
      AGNOST_OTEL_ENDPOINT: receiver.tracesUrl,
      OPENAI_API_KEY: '',
      MASTRA_STORAGE_URL: storageUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so cleanup can reach npm's children too
  });
  server.stdout!.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
  serverExit = new Promise((resolve) => server.on('exit', (code) => resolve({ code, at: Date.now() })));
  await waitForServer(baseUrl);
}, 300_000);

afterAll(async () => {
  await stopProcessGroup(server); // if a test failed before SIGTERM
  await receiver?.close();
});

describe('the built server', () => {
  const answered: string[] = []; // conversations whose traces must all have arrived by the end

  it('says where it listens, where traces go, that the demo model answers and how to set a real one, and whether auth is on', () => {
    const line = serverOutput.split('\n').find((text) => text.startsWith('Mastra server:'));
    expect(line).toBe(`Mastra server: http://localhost:${new URL(baseUrl).port} (API http://localhost:${new URL(baseUrl).port}/api). Traces: Agnost (${receiver.tracesUrl}) and local storage (Studio).`);
    expect(serverOutput.split('\n')).toContain(OFFLINE_MODEL_NOTICE);
    expect(serverOutput).toContain(
      'Auth: off: the API is unauthenticated and trusts x-user-id. Put it behind your own auth, or set MASTRA_JWT_SECRET.',
    );
    expect(serverOutput).not.toContain(ORG_ID);
  });

  it('threads x-user-id and x-conversation-id into every span and into memory', async () => {
    const headers = { 'x-user-id': 'user-http', 'x-conversation-id': 'conv-http' };
    const first = (await generate(message(TOOL_MESSAGE), headers)).json;
    const second = (await generate(message('and then?'), headers)).json;
    expect(first.text).toMatch(TOOL_ANSWER);
    expect(second.text).toContain(`message 2 of this conversation; you started it with "${TOOL_MESSAGE}"`);
    await expect.poll(() => rootsOf('conv-http').length).toBe(2);
    expect(toolsCalled(spansOf(first.traceId)).length).toBeGreaterThan(0);
    expectIds(spansOfConversation('conv-http'), 'user-http', 'conv-http');
    expect(receiver.requests.every((request) => request.headers['x-agnost-org-id'] === ORG_ID)).toBe(true);
    answered.push('conv-http');
  });

  it.each([
    ['tracingOptions.metadata and memory', { memory: { resource: 'user-body', thread: 'conv-body' }, tracingOptions: { metadata: { userId: 'user-body', conversationId: 'conv-body' } } }],
    ['memory.thread as an object', { memory: { resource: 'user-obj', thread: { id: 'conv-obj' } } }],
    ['top-level resourceId and threadId', { resourceId: 'user-top', threadId: 'conv-top' }],
  ])('takes ids from the body: %s', async (_shape, ids) => {
    const { json } = await generate({ ...message('hello from the body'), ...ids });
    const traceSpans = () => spansOf(json.traceId);
    await expect.poll(() => traceSpans().some((span) => span.parentSpanId === '')).toBe(true);
    const conversationId = traceSpans()[0]!.attributes['mastra.metadata.conversationId'] as string;
    const userId = traceSpans()[0]!.attributes['mastra.metadata.userId'] as string;
    expect(conversationId).toMatch(/^conv-(body|obj|top)$/);
    expect(userId).toBe(conversationId.replace('conv-', 'user-'));
    expectIds(traceSpans(), userId, conversationId);
  });

  it("keeps Studio's thread and resource: send-message's answer is stored where Studio looks, and traced with its ids", async () => {
    const threadId = randomUUID();
    // The exact body Mastra Studio posts when you press Enter.
    const response = await fetch(`${baseUrl}/api/agents/${AGENT_ID}/send-message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        message: { contents: 'What is 6 * 7?', metadata: { clientMessageId: `client-set-${randomUUID()}` } },
        resourceId: AGENT_ID,
        threadId,
        ifIdle: { streamOptions: { maxSteps: 15, modelSettings: { maxRetries: 2 }, requestContext: {} } },
      }),
    });
    expect(response.status).toBe(200);
    await expect.poll(() => rootsOf(threadId).length).toBe(1);
    // Studio's resource is the agent; its turns are the local developer's (the chat's user id).
    expectIds(spansOfConversation(threadId), localUserId({ chatUserId: undefined }), threadId);
    const stored = await fetch(`${baseUrl}/api/memory/threads/${threadId}/messages?agentId=${AGENT_ID}`).then(
      (res) => res.json() as Promise<{ messages: { role: string }[] }>,
    );
    expect(stored.messages.map((stored) => stored.role)).toContain('assistant');
    const threads = await fetch(`${baseUrl}/api/memory/threads?resourceId=${AGENT_ID}&agentId=${AGENT_ID}`).then(
      (res) => res.json() as Promise<{ threads: { id: string }[] }>,
    );
    expect(threads.threads.map((thread) => thread.id)).toContain(threadId);
  });

  it('with @mastra/client-js: ids in the client headers, in the call options, generate and stream', async () => {
    const withHeaders = new MastraClient({ baseUrl, headers: { 'x-user-id': 'user-client', 'x-conversation-id': 'conv-client' } });
    const generated = await withHeaders.getAgent(AGENT_ID).generate(TOOL_MESSAGE);
    expect(generated.text).toMatch(TOOL_ANSWER);
    const plain = new MastraClient({ baseUrl });
    const streamed = await plain.getAgent(AGENT_ID).stream(TOOL_MESSAGE, {
      memory: { thread: 'conv-options', resource: 'user-options' },
      tracingOptions: { metadata: { userId: 'user-options', conversationId: 'conv-options' } },
    });
    expect(await streamText(streamed)).toMatch(TOOL_ANSWER);
    await expect.poll(() => rootsOf('conv-client').length + rootsOf('conv-options').length).toBe(2);
    expectIds(spansOfConversation('conv-client'), 'user-client', 'conv-client');
    expectIds(spansOfConversation('conv-options'), 'user-options', 'conv-options');
  });

  it("exports a streamed answer's trace as soon as the stream ends, well before the exporter's 5 s batch", async () => {
    const client = new MastraClient({ baseUrl, headers: { 'x-user-id': 'user-prompt', 'x-conversation-id': 'conv-prompt' } });
    const answer = await streamText(await client.getAgent(AGENT_ID).stream(TOOL_MESSAGE));
    expect(answer).toMatch(TOOL_ANSWER);
    await expect.poll(() => rootsOf('conv-prompt').length, { timeout: 2_500, interval: 20 }).toBe(1);
    // The turn, for Agnost: the message the client sent, and the whole streamed answer.
    const root = rootsOf('conv-prompt')[0]!.attributes;
    expect(JSON.parse(String(root['gen_ai.input.messages']))).toEqual([{ role: 'user', parts: [{ type: 'text', content: TOOL_MESSAGE }] }]);
    expect(JSON.parse(String(root['gen_ai.output.messages']))).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: answer }], finish_reason: 'stop' },
    ]);
    const modelCall = spansOfConversation('conv-prompt').find((span) => span.attributes['mastra.span.type'] === 'model_inference');
    expect(String(modelCall?.attributes['gen_ai.input.messages'])).toContain(TOOL_MESSAGE);
  });

  it("answers another user's conversation as one that does not exist: 404, naming no one", async () => {
    await generate(message('my secret plans'), { 'x-user-id': 'user-owner', 'x-conversation-id': 'conv-owned' });
    const attempts = [
      await generate(message('let me in'), { 'x-user-id': 'user-other', 'x-conversation-id': 'conv-owned' }),
      await generate({ ...message('let me in'), memory: { resource: 'user-other', thread: 'conv-owned' } }),
      await generate({ ...message('let me in'), resourceId: 'user-other', threadId: 'conv-owned' }),
    ];
    for (const { status, json } of attempts) {
      expect(status).toBe(404);
      expect(json.error).toBe('Not found: no such conversation.');
      expect(JSON.stringify(json)).not.toContain('user-owner');
    }
  });

  it('falls back to the anonymous user and a new conversation without ids', async () => {
    const { json } = await generate(message('no ids'));
    await expect.poll(() => spansOf(json.traceId).length).toBeGreaterThan(0);
    const [span] = spansOf(json.traceId);
    expect(span!.attributes['mastra.metadata.userId']).toBe('anonymous');
    expect(span!.attributes['mastra.metadata.conversationId']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("puts the headers' ids, else the anonymous user, never the agent's id, on a route this project does not list (A2A)", async () => {
    const send = (headers: Record<string, string>, text: string) =>
      fetch(`${baseUrl}/api/a2a/${AGENT_ID}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'message/send', params: { message: { role: 'user', kind: 'message', messageId: `m-${text}`, parts: [{ kind: 'text', text }] }, configuration: { blocking: true } } }),
      });
    expect((await send({ 'x-user-id': 'user-a2a', 'x-conversation-id': 'conv-a2a' }, 'a2a with ids')).status).toBe(200);
    expect((await send({}, 'a2a without ids')).status).toBe(200);
    const rootSaying = (text: string) => receiver.spans().find((span) => span.parentSpanId === '' && JSON.stringify(span.attributes).includes(text));
    await expect.poll(() => rootSaying('a2a with ids') !== undefined && rootSaying('a2a without ids') !== undefined).toBe(true);
    // Agnost's keys are the headers' ids; A2A keeps its memory in a thread of its own (its contextId).
    expect(rootSaying('a2a with ids')!.attributes).toMatchObject({ 'agnost.user_id': 'user-a2a', 'agnost.session_id': 'conv-a2a' });
    expect(rootSaying('a2a without ids')!.attributes['agnost.user_id']).toBe('anonymous');
    expect(receiver.spans().filter((span) => span.attributes['agnost.user_id'] === AGENT_ID)).toEqual([]);
  });

  it('refuses a second turn in a conversation while one runs there, from any instance (409), and lets go after each answer', async () => {
    const turns = await libsqlTurns(storageUrl, undefined); // another instance on the same database
    const ids = { 'x-user-id': 'user-busy', 'x-conversation-id': 'conv-busy' };
    const free = async () => {
      const end = await turns.begin('conv-busy');
      await end?.();
      return end !== undefined;
    };
    const endOther = (await turns.begin('conv-busy'))!;
    const generated = await generate(message('me too'), ids);
    expect(generated.status).toBe(409);
    expect(generated.json.error).toBe('Conflict: a turn is already running in this conversation; send this message once it has answered.');
    const streamed = await fetch(`${baseUrl}/api/agents/${AGENT_ID}/stream`, { method: 'POST', headers: { 'content-type': 'application/json', ...ids }, body: JSON.stringify(message('me too')) });
    expect(streamed.status).toBe(409);
    await endOther();
    expect((await generate(message('my turn now'), ids)).status).toBe(200);
    await expect.poll(free).toBe(true);
    const stream = await fetch(`${baseUrl}/api/agents/${AGENT_ID}/stream`, { method: 'POST', headers: { 'content-type': 'application/json', ...ids }, body: JSON.stringify(message('and a stream')) });
    expect(stream.status).toBe(200);
    await stream.text();
    await expect.poll(free).toBe(true);
  });

  it.each([
    ['x-user-id', 'has spaces'],
    ['x-conversation-id', 'x'.repeat(200)],
  ])('answers 400 naming the header for a bad %s', async (header, value) => {
    const { status, json } = await generate(message('hi'), { [header]: value });
    expect(status).toBe(400);
    expect(json.error).toContain(header);
  });

  it('answers 400 for a bad id in the body, and logs a malformed body as one whole line', async () => {
    const bad = await generate({ ...message('hi'), tracingOptions: { metadata: { userId: 'has spaces' } } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain('userId');
    const malformed = await generate({ ...message('hi'), maxSteps: 'many' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toBe('Invalid request: maxSteps: expected number, received string.');
    await expect.poll(() => serverOutput).toMatch(/^Refused POST \/api\/agents\/\S+\/generate \(400\): maxSteps: expected number, received string$/m);
  });

  it('loses no trace under load when every export takes a second: 200 generate and 200 stream at concurrency 50', async () => {
    receiver.setMode({ status: 200, delayMs: 1_000 });
    const jobs = Array.from({ length: 400 }, (_, index) => async () => {
      const ids = { 'x-user-id': `user-load-${index % 7}`, 'x-conversation-id': `conv-load-${index}` };
      if (index % 2 === 0) return void (await generate(message(`what is ${index} + 1?`), ids));
      const loadClient = new MastraClient({ baseUrl, headers: ids });
      await streamText(await loadClient.getAgent(AGENT_ID).stream(`what is ${index} * 2?`));
    });
    const workers = Array.from({ length: 50 }, async () => {
      for (let job = jobs.shift(); job; job = jobs.shift()) await job();
    });
    await Promise.all(workers);
    const arrived = () => new Set(receiver.spans().filter((span) => span.parentSpanId === '' && String(span.attributes['mastra.metadata.conversationId']).startsWith('conv-load-')).map((span) => span.attributes['mastra.metadata.conversationId'])).size;
    await expect.poll(arrived, { timeout: 30_000, interval: 250 }).toBe(400);
    receiver.setMode({ status: 200 });
  }, 120_000);

  it('says once when exports start failing, names the cause, and says when they recover', async () => {
    // Its own server and receiver: late exports from the load test above cannot count here.
    const failing = await startOtlpReceiver();
    const reporting = await startBuiltServer({
      AGNOST_ORG_ID: ORG_ID,
      AGNOST_OTEL_ENDPOINT: failing.tracesUrl,
      MASTRA_STORAGE_URL: `file:${join(newWorkDir(), 'failing.db')}`,
    });
    const reports = () => reporting.output().split('\n').filter((line) => /^Traces (are|reach)/.test(line));
    const turn = (content: string) =>
      fetch(`${reporting.baseUrl}/api/agents/${AGENT_ID}/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': 'user-fail' },
        body: JSON.stringify(message(content)),
      }).then((response) => response.text());
    try {
      failing.setMode({ status: 500 });
      for (let count = 0; count < 5; count++) await turn('while the endpoint fails');
      await expect.poll(() => reports().length).toBe(1);
      expect(reports()[0]).toMatch(/^Traces are not reaching .*: 500 .*: the endpoint failed: try again later \(\d+ spans dropped so far/);
      failing.setMode({ status: 200 });
      await turn('after it recovered');
      await expect.poll(() => reports().length).toBe(2);
      expect(reports()[1]).toMatch(/^Traces reach .* again \(\d+ spans were dropped meanwhile\)\.$/);
      expect(reporting.output()).not.toContain(ORG_ID);
    } finally {
      await stopProcessGroup(reporting.process);
      await failing.close();
    }
  });

  it('pointed at a closed port, names the problem in one line within seconds of its first answer, not once per request, and shuts down within 3 s', async () => {
    const closed = await startBuiltServer({
      AGNOST_ORG_ID: ORG_ID,
      AGNOST_OTEL_ENDPOINT: `http://127.0.0.1:${await freePort()}/v1/traces`,
      MASTRA_STORAGE_URL: `file:${join(newWorkDir(), 'closed.db')}`,
    });
    try {
      for (let turn = 0; turn < 5; turn++) {
        await fetch(`${closed.baseUrl}/api/agents/${AGENT_ID}/generate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(message('anyone there?')),
        });
      }
      await expect.poll(() => closed.output(), { timeout: 5_000 }).toMatch(/^Traces are not reaching .*: connection refused/m);
      await new Promise((resolve) => setTimeout(resolve, 500)); // let the later exports fail too
      expect(closed.output().match(/^Traces are/gm)).toHaveLength(1);
      expect(closed.output()).not.toContain(ORG_ID);
      // Shutdown with the endpoint dead: within 3 s, no stack trace.
      const exited = new Promise((resolve) => closed.process.once('exit', resolve));
      const signalledAt = Date.now();
      closed.process.kill('SIGTERM');
      await exited;
      expect(Date.now() - signalledAt).toBeLessThan(3_000);
      expect(closed.output()).not.toMatch(/^\s+at /m);
    } finally {
      await stopProcessGroup(closed.process);
    }
  });

  it('on SIGTERM right after streamed answers, exports all of them, exits within 3 s and prints no stack trace', async () => {
    const client = new MastraClient({ baseUrl, headers: { 'x-user-id': 'user-last' } });
    const conversations = ['conv-last-1', 'conv-last-2', 'conv-last-3'];
    for (const conversationId of conversations) {
      const stream = await client.getAgent(AGENT_ID).stream('last words before shutdown', { memory: { thread: conversationId, resource: 'user-last' } });
      await streamText(stream);
    }
    const signalledAt = Date.now();
    server.kill('SIGTERM');
    const { at } = await serverExit;
    expect(at - signalledAt).toBeLessThan(3_000);
    // The server itself stopped, not just npm: nothing answers on its port any more.
    await expect(fetch(`${baseUrl}/api/agents`)).rejects.toThrow();
    for (const conversationId of [...answered, ...conversations]) expect(rootsOf(conversationId).length, conversationId).toBeGreaterThan(0);
    expect(serverOutput).not.toMatch(/^\s+at /m);
    expect(serverOutput).not.toMatch(/CLIENT_CLOSED|Failed to persist/);
  });
});
