// The built Mastra server (npm run build, npm start) with real HTTP requests: the caller's ids reach
// every span and the memory, bad ids get a 400, and SIGTERM loses nothing that was answered.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';
import { newWorkDir } from './helpers/run-script.ts';

const PROJECT = join(import.meta.dirname, '..');
const ORG_ID = 'org_server_test';
let receiver: OtlpReceiver;
let server: ChildProcess;
let baseUrl: string;
let serverExit: Promise<{ code: number | null; at: number }>;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function npm(args: string[]) {
  // npm scripts put node_modules/.bin (and so the project's Node) first on PATH.
  return { command: 'npm', args, options: { cwd: PROJECT, env: { ...process.env, MASTRA_TELEMETRY_DISABLED: '1' } } };
}

async function generate(body: object, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/api/agents/assistantAgent/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as { text?: string; traceId?: string; error?: string } };
}

const message = (content: string) => ({ messages: [{ role: 'user', content }] });
const spansOf = (traceId: string | undefined): ReceivedSpan[] => receiver.spans().filter((span) => span.traceId === traceId);

beforeAll(async () => {
  const build = npm(['run', 'build']);
  const built = spawnSync(build.command, build.args, { ...build.options, encoding: 'utf8', timeout: 240_000 });
  if (built.status !== 0) throw new Error(`npm run build failed:\n${built.stdout}\n${built.stderr}`);

  receiver = await startOtlpReceiver();
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const start = npm(['start']);
  server = spawn(start.command, start.args, {
    ...start.options,
    env: {
      ...start.options.env,
      PORT: String(port),
      AGNOST_ORG_ID: ORG_ID,
      AGNOST_OTEL_ENDPOINT: receiver.tracesUrl,
      OPENAI_API_KEY: '',
      MASTRA_STORAGE_URL: `file:${join(newWorkDir(), 'server.db')}`,
    },
    stdio: 'ignore',
    detached: true, // its own process group, so cleanup can reach npm's children too
  });
  serverExit = new Promise((resolve) => server.on('exit', (code) => resolve({ code, at: Date.now() })));
  for (let attempt = 0; ; attempt++) {
    const ready = await fetch(`${baseUrl}/api/agents`).then((response) => response.ok, () => false);
    if (ready) break;
    if (attempt > 150) throw new Error('the server did not start within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}, 300_000);

afterAll(async () => {
  try {
    if (server?.pid) process.kill(-server.pid, 'SIGKILL'); // the whole group, if a test failed before SIGTERM
  } catch {
    // already gone
  }
  await receiver?.close();
});

describe('the built server', () => {
  let headerTurns: { text?: string; traceId?: string }[] = [];
  let bodyTurn: { text?: string; traceId?: string };

  it('threads x-user-id and x-conversation-id into every span and into memory', async () => {
    const headers = { 'x-user-id': 'user-http', 'x-conversation-id': 'conv-http' };
    headerTurns = [(await generate(message('what is 12 * 12?'), headers)).json, (await generate(message('and then?'), headers)).json];
    expect(headerTurns[0]!.text).toBe('12 * 12 = 144');
    expect(headerTurns[1]!.text).toContain('message 2 of this conversation; you started it with "what is 12 * 12?"');
    await receiver.waitForSpans(1);
    for (const turn of headerTurns) {
      await expect.poll(() => spansOf(turn.traceId).some((span) => span.parentSpanId === '')).toBe(true);
      for (const span of spansOf(turn.traceId)) {
        expect(span.attributes['mastra.metadata.userId'], span.name).toBe('user-http');
        expect(span.attributes['mastra.metadata.conversationId'], span.name).toBe('conv-http');
        expect(span.attributes['mastra.metadata.threadId'], span.name).toBe('conv-http');
      }
    }
    expect(receiver.requests.every((request) => request.headers['x-agnost-org-id'] === ORG_ID)).toBe(true);
  });

  it('gives the same result for ids passed in the body', async () => {
    const ids = { userId: 'user-body', conversationId: 'conv-body' };
    const { json } = await generate({
      ...message('hello from the body'),
      memory: { resource: ids.userId, thread: ids.conversationId },
      tracingOptions: { metadata: ids },
    });
    bodyTurn = json;
    await expect.poll(() => spansOf(bodyTurn.traceId).some((span) => span.parentSpanId === '')).toBe(true);
    for (const span of spansOf(bodyTurn.traceId)) {
      expect(span.attributes['mastra.metadata.userId'], span.name).toBe('user-body');
      expect(span.attributes['mastra.metadata.conversationId'], span.name).toBe('conv-body');
      expect(span.attributes['mastra.metadata.threadId'], span.name).toBe('conv-body');
    }
  });

  it('takes a memory thread given as an object, as Mastra clients may send it', async () => {
    const { json } = await generate({ ...message('thread object'), memory: { resource: 'user-obj', thread: { id: 'conv-obj' } } });
    await expect.poll(() => spansOf(json.traceId).length).toBeGreaterThan(0);
    for (const span of spansOf(json.traceId)) {
      expect(span.attributes['mastra.metadata.userId'], span.name).toBe('user-obj');
      expect(span.attributes['mastra.metadata.conversationId'], span.name).toBe('conv-obj');
    }
  });

  it('falls back to the anonymous user and a new conversation without ids', async () => {
    const { json } = await generate(message('no ids'));
    await expect.poll(() => spansOf(json.traceId).length).toBeGreaterThan(0);
    const [span] = spansOf(json.traceId);
    expect(span!.attributes['mastra.metadata.userId']).toBe('anonymous');
    expect(span!.attributes['mastra.metadata.conversationId']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['x-user-id', 'has spaces'],
    ['x-conversation-id', 'x'.repeat(200)],
  ])('answers 400 naming the header for a bad %s', async (header, value) => {
    const { status, json } = await generate(message('hi'), { [header]: value });
    expect(status).toBe(400);
    expect(json.error).toContain(header);
  });

  it('answers 400 for a bad id in the body', async () => {
    const { status, json } = await generate({ ...message('hi'), tracingOptions: { metadata: { userId: 'has spaces' } } });
    expect(status).toBe(400);
    expect(json.error).toContain('userId');
  });

  it('on SIGTERM, exits promptly and every answered request has reached the exporter', async () => {
    const last = (await generate(message('last words before shutdown'), { 'x-user-id': 'user-last' })).json;
    const signalledAt = Date.now();
    server.kill('SIGTERM');
    const { at } = await serverExit;
    expect(at - signalledAt).toBeLessThan(3_000);
    // The server itself stopped, not just npm: nothing answers on its port any more.
    await expect(fetch(`${baseUrl}/api/agents`)).rejects.toThrow();
    for (const turn of [...headerTurns, bodyTurn, last]) {
      expect(spansOf(turn.traceId).some((span) => span.parentSpanId === ''), turn.text).toBe(true);
    }
  });
});
