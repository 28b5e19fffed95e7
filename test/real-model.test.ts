// The chat on a real (OpenAI-compatible) model with a fake key: it answers, traces carry the ids,
// and the key appears nowhere: not in the output, not in any span. The chat is the tests' project's, whose
// agents take the OpenAI-compatible model when OPENAI_API_KEY is set, as the product's do. The runs share
// nothing, so they run concurrently.
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from './helpers/fake-openai.ts';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.ts';
import { runChat } from './helpers/run-script.ts';

const API_KEY = 'sk-test-fake-key-0123456789abcdef';
// Closed once the file is done: tests run concurrently, so none may close what another still uses.
const servers: (FakeOpenAI | OtlpReceiver)[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function setUp(options: Parameters<typeof startFakeOpenAI>[0]) {
  const [model, receiver] = await Promise.all([startFakeOpenAI(options), startOtlpReceiver()]);
  servers.push(model, receiver);
  const env = {
    OPENAI_API_KEY: API_KEY,
    OPENAI_BASE_URL: model.baseUrl,
    OPENAI_MODEL: 'fake-model',
    AGNOST_ORG_ID: 'org_real_model',
    AGNOST_OTEL_ENDPOINT: receiver.tracesUrl,
  };
  return { model, receiver, env };
}

// A test's time includes waiting for the others' processes, on a machine with fewer cores than them.
describe.concurrent('with an OpenAI-compatible server', { timeout: 180_000 }, () => {
  it('answers through it, traces both ids, and never leaks the key', async () => {
    const { model, receiver, env } = await setUp({ reply: 'Paris is the capital of France.' });
    const run = await runChat(['--message', 'capital of France?', '--user', 'user-real', '--conversation', 'conv-real'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Paris is the capital of France.\n');
    expect(model.requests[0]?.path).toBe('/v1/chat/completions');
    expect(model.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    const spans = receiver.spans();
    expect(spans.length).toBeGreaterThan(3);
    for (const span of spans) {
      expect(span.attributes['mastra.metadata.userId']).toBe('user-real');
      expect(span.attributes['mastra.metadata.conversationId']).toBe('conv-real');
    }
    expect(spans.some((span) => span.attributes['gen_ai.request.model'] === 'fake-model')).toBe(true);
    for (const request of receiver.requests) expect(request.body.includes(API_KEY)).toBe(false);
    expect(run.stdout + run.stderr).not.toContain(API_KEY);
  });

  it('reports a model error in one line without the key, and exits 1 in one-shot mode', async () => {
    const { receiver, env } = await setUp({ status: 401 });
    const run = await runChat(['--message', 'hello'], env);
    expect(run.code).toBe(1);
    const errorLines = run.stderr.split('\n').filter((line) => /error/i.test(line));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/^Model error 401: .*check OPENAI_API_KEY$/);
    expect(run.stdout + run.stderr).not.toContain(API_KEY);
    for (const request of receiver.requests) expect(request.body.includes(API_KEY)).toBe(false);
  });

  it('keeps a piped session going after a model error, and names an unreachable OPENAI_BASE_URL in one line', async () => {
    const { env } = await setUp({});
    const closed = await startFakeOpenAI();
    await closed.close();
    const run = await runChat([], { ...env, OPENAI_BASE_URL: closed.baseUrl }, 'one\ntwo\n');
    expect(run.stderr.match(/^Model error/gm)).toHaveLength(2);
    expect(run.stderr.match(/^Model error.*OPENAI_BASE_URL/gm)).toHaveLength(2);
    expect(run.code).toBe(1);
  });
});
