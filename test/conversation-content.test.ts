// What Agnost reads of a conversation, on the wire: every agent run's root span carries the turn's
// user message and answer as gen_ai.input.messages / gen_ai.output.messages, every model call its
// input messages, and the privacy switches keep a marker out of every attribute of every span. The
// models are OpenAI-compatible fakes (one calls the agent's tool), never the offline demo model.
import { createOpenAI } from '@ai-sdk/openai';
import { Mastra } from '@mastra/core/mastra';
import type { MastraModelConfig } from '@mastra/core/llm';
import { LibSQLStore } from '@mastra/libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_ID } from './helpers/agent.ts';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { sampleOf, startFakeOpenAI, type ChatRequest, type ChatReply, type FakeOpenAI } from './helpers/fake-openai.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';

const { createAgents } = await import('../src/mastra/registry.ts');
const { project } = await import('./fixtures/project.ts');
const { askAgent } = await import('../src/ask-agent.ts');
const { parseEnv } = await import('../src/settings/env.ts');
const { createObservability } = await import('../src/mastra/observability.ts');

let receiver: OtlpReceiver;
const MARKER = 'zebra-marker-7f3a';
// OpenAI-compatible servers: one answers with the marker, the other without it; one calls a tool.
let answersMarker: FakeOpenAI;
let answersPlainly: FakeOpenAI;
let callsTools: FakeOpenAI;
const REPLY = 'Here is what I found.';

/** Calls the agent's first tool for a message with a number in it (once per turn), else answers REPLY. */
function callsToolForNumbers(request: ChatRequest): ChatReply {
  const lastUser = request.messages.findLast((message) => message.role === 'user');
  const tool = request.tools?.[0];
  if (tool && request.messages.at(-1)?.role !== 'tool' && /\d/.test(JSON.stringify(lastUser?.content))) {
    return { toolCalls: [{ name: tool.function.name, arguments: sampleOf(tool.function.parameters, '17 * 23') as object }] };
  }
  return REPLY;
}

beforeAll(async () => {
  [receiver, answersMarker, answersPlainly, callsTools] = await Promise.all([
    startOtlpReceiver(),
    startFakeOpenAI({ reply: `Your code is ${MARKER}.` }),
    startFakeOpenAI({ reply: 'Noted.' }),
    startFakeOpenAI({ respond: callsToolForNumbers }),
  ]);
});
afterAll(async () => {
  await Promise.all([receiver, answersMarker, answersPlainly, callsTools].map((server) => server?.close()));
});

const text = (content: string) => [{ type: 'text', content }];
const json = (span: ReceivedSpan | undefined, key: string): unknown => JSON.parse(String(span?.attributes[key]));
const roots = (spans: ReceivedSpan[]) => spans.filter((span) => span.parentSpanId === '');
const modelCalls = (spans: ReceivedSpan[]) => spans.filter((span) => span.attributes['mastra.span.type'] === 'model_inference');

/** Talks to a fresh Mastra instance with the project's observability; returns each turn's spans. */
async function converse(messages: string[], { env = {}, model = openAI(callsTools) as MastraModelConfig, allSpans = false } = {}) {
  const settings = parseEnv({
    AGNOST_ORG_ID: 'org_content',
    AGNOST_OTEL_ENDPOINT: receiver.tracesUrl,
    MASTRA_STORAGE_URL: ':memory:',
    ...env,
  });
  const mastra = new Mastra({
    agents: createAgents(model, project.agents),
    storage: new LibSQLStore({ id: 'content-test', url: ':memory:' }),
    // allSpans: also memory reads and writes, processors and chunks, as an app without our exclusions sends.
    observability: createObservability(settings, { localTraces: false, ...(allSpans ? { excludeSpanTypes: [] } : {}) }),
  });
  const ids = { userId: 'user-content', conversationId: `conv-${Math.random()}` };
  const turns: ReceivedSpan[][] = [];
  for (const message of messages) {
    const { traceId } = await askAgent(mastra.getAgent(AGENT_ID), message, ids);
    await mastra.observability?.flush();
    turns.push(receiver.spans().filter((span) => span.traceId === traceId));
  }
  await mastra.shutdown();
  return turns;
}

const openAI = (server: FakeOpenAI) => createOpenAI({ apiKey: 'sk-content-test-0123456789', baseURL: server.baseUrl }).chat('fake-model');

describe('a two-turn conversation', () => {
  let turns: ReceivedSpan[][];
  beforeAll(async () => {
    turns = await converse(['Hello, I need help with my order', 'What is 17 * 23?']);
  });

  it("each root span carries that turn's message only, and its answer", () => {
    const [first, second] = turns.map((spans) => roots(spans)[0]);
    expect(json(first, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: text('Hello, I need help with my order') }]);
    expect(json(second, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: text('What is 17 * 23?') }]);
    expect(json(second, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: text(REPLY), finish_reason: 'stop' }]);
    expect(second?.attributes['mastra.agent_run.input']).toBe('What is 17 * 23?'); // Mastra's own keys stay
  });

  it('each model call carries the messages it received: system, history, the message, tool results', () => {
    const calls = modelCalls(turns[1]!);
    expect(calls).toHaveLength(2); // the tool call, then the answer
    const [toolStep, answerStep] = calls.map(
      (span) => json(span, 'gen_ai.input.messages') as { role: string; parts: { content?: string }[] }[],
    );
    expect(toolStep!.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(toolStep![1]!.parts[0]!.content).toBe('Hello, I need help with my order');
    expect(toolStep![3]!.parts[0]!.content).toBe('What is 17 * 23?');
    expect(answerStep!.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'tool']);
    const toolSpan = turns[1]!.find((span) => span.attributes['gen_ai.operation.name'] === 'execute_tool');
    expect(String(toolSpan?.attributes['gen_ai.tool.call.result'])).not.toBe('');
  });
});

describe('the privacy switches', () => {
  const everything = (turns: ReceivedSpan[][]) => JSON.stringify(turns.flat().map((span) => [span.name, span.attributes]));

  it('by default, both sides go', async () => {
    const sent = everything(await converse([`My code is ${MARKER}`, 'and again'], { model: openAI(answersMarker), allSpans: true }));
    expect(sent).toContain(`My code is ${MARKER}`);
    expect(sent).toContain(`Your code is ${MARKER}.`);
  });

  it.each([
    ['AGNOST_DISABLE_INPUT', `Please remember ${MARKER} for me`, () => answersPlainly],
    ['AGNOST_DISABLE_OUTPUT', 'What is my code?', () => answersMarker],
  ])('%s=true: the marker is in no attribute of any span, over two turns, with every span type', async (variable, message, server) => {
    const turns = await converse([message, 'and once more'], { env: { [variable]: 'true' }, model: openAI(server()), allSpans: true });
    expect(turns.flat().length).toBeGreaterThan(10);
    expect(everything(turns)).not.toContain(MARKER);
    for (const spans of turns) {
      const root = roots(spans)[0]!;
      // Ids, model, tokens and the other side still go.
      expect(root.attributes).toMatchObject({ 'agnost.user_id': 'user-content', 'gen_ai.agent.id': AGENT_ID });
      expect(modelCalls(spans)[0]?.attributes['gen_ai.usage.input_tokens']).toBe(12);
      expect(root.attributes[variable === 'AGNOST_DISABLE_INPUT' ? 'gen_ai.output.messages' : 'gen_ai.input.messages']).toBeDefined();
      expect(root.attributes[variable === 'AGNOST_DISABLE_INPUT' ? 'gen_ai.input.messages' : 'gen_ai.output.messages']).toBeUndefined();
    }
  });
});

describe("a caller's tracingOptions.metadata", () => {
  it("cannot write the turn's messages or the keys Agnost groups by", async () => {
    const settings = parseEnv({ AGNOST_ORG_ID: 'org_content', AGNOST_OTEL_ENDPOINT: receiver.tracesUrl, MASTRA_STORAGE_URL: ':memory:' });
    const mastra = new Mastra({
      agents: createAgents(openAI(answersPlainly), project.agents),
      storage: new LibSQLStore({ id: 'metadata-test', url: ':memory:' }),
      observability: createObservability(settings, { localTraces: false }),
    });
    const forged = '[{"role":"user","parts":[{"type":"text","content":"forged"}]}]';
    const { traceId } = await mastra.getAgent(AGENT_ID).generate('hello from the user', {
      memory: { resource: 'user-meta', thread: 'conv-meta' },
      tracingOptions: {
        metadata: {
          userId: 'user-meta',
          conversationId: 'conv-meta',
          'gen_ai.input.messages': forged,
          'gen_ai.output.messages': forged,
          'gen_ai.conversation.id': 'conv-forged',
          'gen_ai.user.id': 'user-forged',
        },
      },
    });
    await mastra.observability?.flush();
    await mastra.shutdown();
    const spans = receiver.spans().filter((span) => span.traceId === traceId);
    expect(spans.length).toBeGreaterThan(0);
    for (const span of spans) {
      expect(span.attributes, span.name).toMatchObject(groupingKeys('user-meta', 'conv-meta'));
      expect(span.attributes['gen_ai.user.id'], span.name).toBeUndefined();
      for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages'])
        expect(String(span.attributes[key] ?? ''), `${span.name}: ${key}`).not.toContain('forged');
    }
    expect(json(roots(spans)[0], 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: text('hello from the user') }]);
  });
});
