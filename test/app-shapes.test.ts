// AgnostExporter in every shape of Mastra app people build (test/helpers/app-shapes.ts), against the real
// Mastra, a fake OpenAI-compatible model that calls tools, and a local OTLP receiver: what Agnost gets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STOPPED_FINISH_REASON } from '../src/mastra/agnost.ts';
import {
  ANSWER,
  EDGES,
  IDS,
  modelOf,
  ORG_ID,
  OTHER_ORG_ID,
  RESOURCE_ENV,
  roots,
  SCORERS,
  scorerRuns,
  sentByOrg,
  SHAPES,
  startToolCallingModel,
  STOPPED_REPLY,
  USER_MESSAGE,
} from './helpers/app-shapes.ts';
import type { FakeOpenAI } from './helpers/fake-openai.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';

const sent: Record<string, (ReceivedSpan & { org: string })[]> = {};
const shown: Record<string, string | undefined> = {};
let receiver: OtlpReceiver;
let model: FakeOpenAI;

beforeAll(async () => {
  [receiver, model] = await Promise.all([startOtlpReceiver(), startToolCallingModel()]);
  for (const [name, run] of Object.entries(SHAPES)) {
    receiver.requests.length = 0;
    // A shape that throws fails its own tests only (with its error), not the others'.
    sent[name] = await run({ model: modelOf(model), receiver }).then(
      () => sentByOrg(receiver),
      (error: Error) => Object.assign([], { error }),
    );
  }
  for (const [name, run] of Object.entries(EDGES)) {
    receiver.requests.length = 0;
    sent[name] = await run({ model: modelOf(model), receiver }).then(
      (result) => ((shown[name] = result?.shown), sentByOrg(receiver)),
      (error: Error) => Object.assign([], { error }),
    );
  }
}, 180_000);

afterAll(() => Promise.all([receiver?.close(), model?.close()]));

const names = Object.keys(SHAPES);
const json = (span: ReceivedSpan | undefined, key: string): unknown => JSON.parse(String(span?.attributes[key] ?? 'null'));
const text = (content: string) => [{ type: 'text', content }];
const isRun = (span: ReceivedSpan) => ['invoke_agent', 'invoke_workflow'].includes(String(span.attributes['gen_ai.operation.name']));
// The shapes whose turn ends in another run (resumed later), and the one turn of two sent afresh.
const SUSPENDED = names.filter((name) => /approv|resume/.test(name));
const TWO_TURNS = 'two turns where the client resends the history';

describe.each(names)('%s', (shape) => {
  it('is one trace per turn, one tree: a single root, every other span under a span that was sent', () => {
    const spans = sent[shape]!;
    if ('error' in spans) throw spans.error;
    expect(spans.length).toBeGreaterThan(3);
    const traces = new Set(spans.map((span) => span.traceId));
    expect(traces.size).toBe(shape === TWO_TURNS ? 2 : 1);
    const ids = new Set(spans.map((span) => span.spanId));
    for (const traceId of traces) expect(roots(spans.filter((span) => span.traceId === traceId))).toHaveLength(1);
    for (const span of spans) if (span.parentSpanId) expect(ids.has(span.parentSpanId), span.name).toBe(true);
  });

  it("carries the caller's ids on every span, under Agnost's keys", () => {
    for (const span of sent[shape]!) {
      expect(span.attributes, span.name).toMatchObject({ 'agnost.user_id': IDS.userId, 'agnost.session_id': IDS.conversationId });
    }
  });

  it("has the turn's message (and, when the run ended, the answer) on the root, and nowhere else", () => {
    const spans = sent[shape]!;
    const root = roots(spans).at(-1)!;
    expect(json(root, 'gen_ai.input.messages')).toEqual(
      [{ role: 'user', parts: text(USER_MESSAGE) }].concat(shape === 'agent.network()' ? [expect.anything()] : []),
    );
    const nested = spans.filter((span) => isRun(span) && span.parentSpanId);
    for (const span of nested) expect(span.attributes, span.name).not.toHaveProperty('gen_ai.input.messages');
    // The answer: on the root, or, for a run that suspended, on the run that resumed it (under the root).
    const answered = SUSPENDED.includes(shape) ? nested : [root];
    expect(answered.map((span) => String(span.attributes['gen_ai.output.messages']))).toEqual([expect.stringContaining(ANSWER)]);
    if (!SUSPENDED.includes(shape))
      for (const span of nested) expect(span.attributes, span.name).not.toHaveProperty('gen_ai.output.messages');
  });

  it('names each tool call tool.<name>, keeping its GenAI attributes', () => {
    const tools = sent[shape]!.filter((span) => span.attributes['gen_ai.operation.name'] === 'execute_tool');
    for (const span of tools) {
      expect(span.name).toBe(`tool.${String(span.attributes['gen_ai.tool.name'])}`);
      expect(span.attributes['gen_ai.tool.call.arguments'], span.name).toEqual(expect.any(String));
      expect(span.attributes['gen_ai.tool.call.result'], span.name).toEqual(expect.any(String));
    }
    expect(sent[shape]!.filter((span) => span.name.startsWith('execute_tool'))).toEqual([]);
  });
});

describe('shapes that lost ids or messages before', () => {
  it('a run started inside a tool or a workflow step joins the run it ran in, under the span that ran it', () => {
    for (const shape of [
      'a tool that imports another agent and calls generate plainly',
      'a workflow step that imports an agent and calls generate plainly',
    ]) {
      const spans = sent[shape]!;
      const nestedRoot = spans.find((span) => span.attributes['gen_ai.operation.name'] === 'invoke_agent' && span.parentSpanId);
      const parent = spans.find((span) => span.spanId === nestedRoot?.parentSpanId);
      expect(parent?.attributes['mastra.span.type'], shape).toBe(shape.includes('tool') ? 'tool_call' : 'workflow_step');
    }
  });

  it('calls tools in the shapes that have them', () => {
    for (const shape of names.filter(
      (name) =>
        !['structuredOutput', TWO_TURNS, "a caller sending Mastra's stored message form"].includes(name) &&
        !name.startsWith('workflow resume'),
    )) {
      expect(
        sent[shape]!.some((span) => span.name.startsWith('tool.')),
        shape,
      ).toBe(true);
    }
  });

  it("the second of two turns carries only that turn's user message, though the client sent the history", () => {
    const [first, second] = roots(sent[TWO_TURNS]!);
    expect(json(first, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: text('Hello, I need help') }]);
    expect(json(second, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: text(USER_MESSAGE) }]);
  });

  it('a workflow root carries its input and result as the message and the answer', () => {
    const root = roots(sent['a workflow of createStep(agent)']!)[0];
    expect(json(root, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: text(USER_MESSAGE) }]);
    expect(json(root, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: text(ANSWER), finish_reason: 'stop' }]);
  });
});

describe('the last edges: shapes that still lost a trace, ids, an answer or spans', () => {
  const spansOf = (shape: string) => {
    const spans = sent[shape]!;
    if ('error' in spans) throw spans.error;
    return spans;
  };
  const expectOneCompleteTrace = (spans: ReceivedSpan[], label: string) => {
    expect(spans.length, label).toBeGreaterThan(3);
    expect(new Set(spans.map((span) => span.traceId)).size, label).toBe(1);
    expect(roots(spans), label).toHaveLength(1);
    const ids = new Set(spans.map((span) => span.spanId));
    for (const span of spans)
      if (span.parentSpanId) expect(ids.has(span.parentSpanId), `${label}: ${span.name}'s parent was sent`).toBe(true);
  };
  const expectIds = (spans: ReceivedSpan[]) => {
    for (const span of spans)
      expect(span.attributes, span.name).toMatchObject({ 'agnost.user_id': IDS.userId, 'agnost.session_id': IDS.conversationId });
  };

  it("two Mastra instances: each org gets one complete trace of its own runs, and the caller's ids stay with the caller's org", () => {
    const spans = spansOf("two Mastra instances, each with its exporter: a tool of one calls the other's agent plainly");
    const [callers, called] = [ORG_ID, OTHER_ORG_ID].map((org) => spans.filter((span) => span.org === org));
    expectOneCompleteTrace(callers!, ORG_ID);
    expectOneCompleteTrace(called!, OTHER_ORG_ID);
    expect(called![0]!.traceId).not.toBe(callers![0]!.traceId);
    expectIds(callers!);
    for (const span of called!) expect(span.attributes, span.name).not.toHaveProperty('agnost.user_id');
    expect(json(roots(called!)[0], 'gen_ai.input.messages')).toEqual([
      { role: 'user', parts: [expect.objectContaining({ type: 'text' })] },
    ]);
  });

  it("ids given only through RequestContext reach every span with the README's config (no requestContextKeys)", () => {
    const spans = spansOf('ids given only through RequestContext, as a server middleware does');
    expectOneCompleteTrace(spans, 'RequestContext');
    expect(spans.some((span) => span.name.startsWith('tool.'))).toBe(true);
    expectIds(spans);
  });

  it('a stopped answer: the root carries the words the caller was shown, marked stopped', () => {
    const shape = 'a streamed answer stopped by the caller after part of it was shown';
    const spans = spansOf(shape);
    expectIds(spans);
    const [answer] = json(roots(spans)[0], 'gen_ai.output.messages') as [{ parts: { content: string }[]; finish_reason: string }];
    expect(answer).toMatchObject({
      role: 'assistant',
      finish_reason: STOPPED_FINISH_REASON,
      parts: [{ type: 'text', content: expect.any(String) }],
    });
    const said = answer.parts[0]!.content;
    expect(shown[shape]!.length).toBeGreaterThan(0);
    expect(said.startsWith(shown[shape]!), `${said} starts with what was shown, ${shown[shape]}`).toBe(true);
    expect(said.length).toBeLessThan(STOPPED_REPLY.length);
  });

  it('scorers: their spans, which end after the root, are exported by themselves (within the batch window), in the trace, under the root', () => {
    const spans = spansOf('scorers on an agent (a code scorer, an LLM judge), which end after the answer');
    expectOneCompleteTrace(spans, 'scorers');
    expectIds(spans);
    const root = roots(spans)[0]!;
    expect(
      scorerRuns(spans)
        .map((span) => span.name)
        .sort(),
    ).toEqual(SCORERS.map((id) => `scorer_run ${id}`).sort());
    for (const span of scorerRuns(spans)) expect(span.parentSpanId).toBe(root.spanId);
  });

  it("OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES set the resource, so service.version can be the app's", () => {
    const spans = spansOf("OpenTelemetry's own variables, OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES");
    expect(spans.length).toBeGreaterThan(3);
    for (const span of spans) {
      expect(span.resource).toMatchObject({
        'service.name': RESOURCE_ENV.OTEL_SERVICE_NAME,
        'service.version': '3.1.4',
        'deployment.environment': 'staging',
      });
    }
  });
});
