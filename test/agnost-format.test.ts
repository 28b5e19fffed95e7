// The span formatter's steps one by one, on plain spans as Mastra hands them to an exporter (no Mastra
// instance, no network): joining runs, spreading ids, a step's input onto its model call, the privacy
// switches, the turn's messages; and the settings OpenTelemetry's own variables give.
import type { AnyExportedSpan } from '@mastra/core/observability';
import { describe, expect, it } from 'vitest';
import {
  agnostSpanFormatter,
  joinEnclosingRun,
  newTraceMemory,
  otelResourceAttributes,
  resolveAgnostSettings,
  STOPPED_FINISH_REASON,
  withPrivacy,
  withStepInput,
  withTraceIds,
  withTurnMessages,
} from '../src/mastra/agnost.ts';

const started = new Date();
/** A span as Mastra exports it; ended unless `endTime: undefined` is given. */
function span(fields: Partial<Record<keyof AnyExportedSpan, unknown>> & { id: string }): AnyExportedSpan {
  return {
    traceId: 'trace-1',
    name: fields.id,
    type: 'generic',
    startTime: started,
    endTime: new Date(),
    isEvent: false,
    isRootSpan: !fields.parentSpanId,
    ...fields,
  } as AnyExportedSpan;
}
const open = (fields: Parameters<typeof span>[0]) => span({ ...fields, endTime: undefined });
const text = (content: string) => [{ type: 'text', content }];
const turn = (exported: AnyExportedSpan, key: string): unknown => JSON.parse(String(exported.metadata?.[key] ?? 'null'));
const noCurrentSpan = () => undefined;

describe('joinEnclosingRun', () => {
  // The tool span of a run this exporter exports, as resolveCurrentSpan() returns it while the tool runs.
  const toolSpan = { id: 'tool', traceId: 'trace-a', parent: { id: 'root-a', traceId: 'trace-a' } };

  it("moves a run started inside a span this exporter exports into that span's trace, under it", () => {
    const memory = newTraceMemory();
    joinEnclosingRun(open({ id: 'root-a', traceId: 'trace-a' }), memory, noCurrentSpan);
    joinEnclosingRun(open({ id: 'tool', traceId: 'trace-a', parentSpanId: 'root-a' }), memory, noCurrentSpan);
    const root = joinEnclosingRun(open({ id: 'root-b', traceId: 'trace-b' }), memory, () => toolSpan);
    expect(root).toMatchObject({ traceId: 'trace-a', parentSpanId: 'tool', isRootSpan: false });
    expect(joinEnclosingRun(span({ id: 'child-b', traceId: 'trace-b', parentSpanId: 'root-b' }), memory)).toMatchObject({
      traceId: 'trace-a',
      parentSpanId: 'root-b',
    });
  });

  it("leaves a run started inside another exporter's span (another Mastra instance's) in its own trace", () => {
    const memory = newTraceMemory(); // this exporter never saw trace-a's spans
    const root = joinEnclosingRun(open({ id: 'root-b', traceId: 'trace-b' }), memory, () => toolSpan);
    expect(root).toMatchObject({ traceId: 'trace-b', isRootSpan: true });
    expect(root.parentSpanId).toBeUndefined();
  });

  it('joins under the nearest span it exports when the current one is not (internal or excluded), and never under an ended one', () => {
    const memory = newTraceMemory();
    joinEnclosingRun(open({ id: 'root-a', traceId: 'trace-a' }), memory, noCurrentSpan);
    expect(joinEnclosingRun(open({ id: 'root-b', traceId: 'trace-b' }), memory, () => toolSpan)).toMatchObject({
      traceId: 'trace-a',
      parentSpanId: 'root-a',
    });
    joinEnclosingRun(span({ id: 'root-a', traceId: 'trace-a' }), memory, noCurrentSpan);
    expect(joinEnclosingRun(open({ id: 'root-c', traceId: 'trace-c' }), memory, () => toolSpan)).toMatchObject({
      traceId: 'trace-c',
      isRootSpan: true,
    });
  });

  it("a scorer's run, started after the run it scores, joins that run's trace under the span Mastra names, if this exporter exported it", () => {
    const memory = newTraceMemory();
    joinEnclosingRun(span({ id: 'root-a', traceId: 'trace-a' }), memory, noCurrentSpan);
    const target = { targetTraceId: 'trace-a', targetSpanId: 'root-a' };
    const scorer = joinEnclosingRun(
      open({ id: 'scorer', traceId: 'trace-s', type: 'scorer_run', metadata: target }),
      memory,
      noCurrentSpan,
    );
    expect(scorer).toMatchObject({ traceId: 'trace-a', parentSpanId: 'root-a', isRootSpan: false });
    const unknown = { targetTraceId: 'trace-x', targetSpanId: 'root-x' }; // another exporter's trace, or one long gone
    expect(joinEnclosingRun(open({ id: 'scorer-x', traceId: 'trace-t', metadata: unknown }), memory, noCurrentSpan)).toMatchObject({
      traceId: 'trace-t',
      isRootSpan: true,
    });
  });

  it('a run started inside a joined run joins the outermost trace', () => {
    const memory = newTraceMemory();
    joinEnclosingRun(open({ id: 'root-a', traceId: 'trace-a' }), memory, noCurrentSpan);
    joinEnclosingRun(open({ id: 'root-b', traceId: 'trace-b' }), memory, () => ({ id: 'root-a', traceId: 'trace-a' }));
    const root = joinEnclosingRun(open({ id: 'root-c', traceId: 'trace-c' }), memory, () => ({ id: 'root-b', traceId: 'trace-b' }));
    expect(root).toMatchObject({ traceId: 'trace-a', parentSpanId: 'root-b' });
  });
});

describe('withTraceIds', () => {
  it("spreads the trace's ids to its spans that lack them", () => {
    const memory = newTraceMemory();
    withTraceIds(span({ id: 'root', metadata: { userId: 'u1', conversationId: 'c1', runId: 'r' } }), memory);
    expect(withTraceIds(span({ id: 'child', parentSpanId: 'root' }), memory).metadata).toEqual({ userId: 'u1', conversationId: 'c1' });
    expect(withTraceIds(span({ id: 'other', traceId: 'trace-2' }), memory).metadata).toEqual({});
  });

  it("takes userId and conversationId from the span's RequestContext, under the metadata's", () => {
    const memory = newTraceMemory();
    const fromContext = withTraceIds(
      span({ id: 'root', requestContext: { userId: 'u-rc', conversationId: 'c-rc', plan: 'pro', nested: { userId: 'x' } } }),
      memory,
    );
    expect(fromContext.metadata).toEqual({ userId: 'u-rc', conversationId: 'c-rc' });
    expect(withTraceIds(span({ id: 'child', parentSpanId: 'root' }), memory).metadata).toEqual({ userId: 'u-rc', conversationId: 'c-rc' });
    const both = withTraceIds(
      span({ id: 'r2', traceId: 'trace-2', requestContext: { userId: 'u-rc' }, metadata: { userId: 'u-meta' } }),
      memory,
    );
    expect(both.metadata).toEqual({ userId: 'u-meta' });
    const notIds = withTraceIds(span({ id: 'r3', traceId: 'trace-3', requestContext: { userId: { name: 'Ann' } } }), memory);
    expect(notIds.metadata).toEqual({});
  });

  it("drops the turn's message keys a caller put in its metadata", () => {
    const stray = withTraceIds(span({ id: 'root', metadata: { 'gen_ai.input.messages': 'forged', userId: 'u1' } }), newTraceMemory());
    expect(stray.metadata).toEqual({ userId: 'u1' });
  });
});

describe('withStepInput', () => {
  it('gives a model call that has no input the messages of the step that made it, and only while that step runs', () => {
    const memory = newTraceMemory();
    const messages = [{ role: 'user', content: 'hi' }];
    withStepInput(open({ id: 'step', type: 'model_step', input: messages }), memory);
    expect(withStepInput(span({ id: 'call', type: 'model_inference', parentSpanId: 'step' }), memory).input).toEqual({ messages });
    expect(withStepInput(span({ id: 'own', type: 'model_inference', parentSpanId: 'step', input: 'its own' }), memory).input).toBe(
      'its own',
    );
    withStepInput(span({ id: 'step', type: 'model_step', input: messages }), memory);
    expect(withStepInput(span({ id: 'late', type: 'model_inference', parentSpanId: 'step' }), memory).input).toBeUndefined();
  });
});

describe('withPrivacy', () => {
  const run = span({
    id: 'root',
    type: 'agent_run',
    input: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'earlier' },
    ],
    output: { text: 'answer' },
  });
  const memoryRead = span({ id: 'memory', type: 'memory_operation', input: 'history', output: 'history' });
  const step = span({ id: 'step', type: 'model_step', input: 'history', output: 'answer', metadata: { body: 'raw', userId: 'u1' } });

  it('changes nothing with both switches off', () => {
    expect(withPrivacy(step, { disableInput: false, disableOutput: false })).toBe(step);
  });

  it('disableInput: no input anywhere, and no output of the spans that hold the conversation', () => {
    const off = { disableInput: true, disableOutput: false };
    expect(withPrivacy(run, off)).toMatchObject({ input: undefined, output: { text: 'answer' } });
    expect(withPrivacy(memoryRead, off)).toMatchObject({ input: undefined, output: undefined });
  });

  it("disableOutput: no output anywhere, no input of the spans that carry the history, no raw response; the run keeps the user's messages", () => {
    const off = { disableInput: false, disableOutput: true };
    expect(withPrivacy(run, off)).toMatchObject({ input: [{ role: 'user', content: 'hi' }], output: undefined });
    expect(withPrivacy(step, off)).toMatchObject({ input: undefined, output: undefined, metadata: { userId: 'u1' } });
    expect(withPrivacy(step, off).metadata).not.toHaveProperty('body');
  });
});

describe('withTurnMessages', () => {
  it("puts the turn's new message and answer on the root only", () => {
    const memory = newTraceMemory();
    withTurnMessages(open({ id: 'root', type: 'agent_run' }), memory);
    const nested = withTurnMessages(
      span({ id: 'sub', type: 'agent_run', entityId: 'orders', parentSpanId: 'tool', input: 'ask', output: { text: 'sub answer' } }),
      memory,
    );
    const input = [
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Hi' },
      { role: 'user', content: 'Where is it?' },
    ];
    const root = withTurnMessages(span({ id: 'root', type: 'agent_run', input, output: { text: 'Tomorrow.' } }), memory);
    expect(turn(nested, 'gen_ai.input.messages')).toBeNull();
    expect(turn(nested, 'gen_ai.output.messages')).toBeNull();
    expect(turn(root, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: text('Where is it?') }]);
    expect(turn(root, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: text('Tomorrow.'), finish_reason: 'stop' }]);
  });

  it('a workflow root carries its input and result as text', () => {
    const root = withTurnMessages(
      span({ id: 'flow', type: 'workflow_run', input: { message: 'Hi' }, output: { answer: 'Done.' } }),
      newTraceMemory(),
    );
    expect(turn(root, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: text('Hi') }]);
    expect(turn(root, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: text('Done.'), finish_reason: 'stop' }]);
  });

  it('an answer the caller stopped is what its model had produced, marked stopped', () => {
    const memory = newTraceMemory();
    withTurnMessages(open({ id: 'root', type: 'agent_run' }), memory);
    withTurnMessages(span({ id: 'generation', type: 'model_generation', parentSpanId: 'root', output: { text: 'It ships' } }), memory);
    const root = withTurnMessages(
      span({ id: 'root', type: 'agent_run', input: 'Where?', output: { status: 'aborted', reason: 'abort' } }),
      memory,
    );
    expect(turn(root, 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', parts: text('It ships'), finish_reason: STOPPED_FINISH_REASON },
    ]);
    expect(turn(root, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: text('Where?') }]);
    expect(memory.answers.size).toBe(0); // nothing kept once the run has ended
  });

  it('a run resumed after a suspension carries the answer', () => {
    const memory = newTraceMemory();
    withTurnMessages(open({ id: 'resumed', type: 'agent_run', entityId: 'support', parentSpanId: 'elsewhere' }), memory);
    const resumed = withTurnMessages(
      span({ id: 'resumed', type: 'agent_run', entityId: 'support', parentSpanId: 'elsewhere', output: { text: 'Refunded.' } }),
      memory,
    );
    expect(turn(resumed, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: text('Refunded.'), finish_reason: 'stop' }]);
  });
});

describe('agnostSpanFormatter', () => {
  it('runs the steps in order: ids, then the step input, then the privacy switches, then the turn', () => {
    for (const disableOutput of [false, true]) {
      const format = agnostSpanFormatter({ disableInput: false, disableOutput });
      format(open({ id: 'root', type: 'agent_run', metadata: { userId: 'u1', conversationId: 'c1' } }));
      format(open({ id: 'step', type: 'model_step', parentSpanId: 'root', input: ['history'] }));
      const call = format(span({ id: 'call', type: 'model_inference', parentSpanId: 'step' }));
      const root = format(
        span({ id: 'root', type: 'agent_run', input: 'Hi', output: { text: 'Hello.' }, metadata: { userId: 'u1', conversationId: 'c1' } }),
      );
      expect(call.metadata).toEqual({ userId: 'u1', conversationId: 'c1' });
      expect(call.input).toEqual(disableOutput ? undefined : { messages: ['history'] });
      expect(turn(root, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: text('Hi') }]);
      expect(turn(root, 'gen_ai.output.messages')).toEqual(disableOutput ? null : [expect.objectContaining({ role: 'assistant' })]);
    }
  });
});

describe('settings from OpenTelemetry variables', () => {
  it('OTEL_RESOURCE_ATTRIBUTES, with OTEL_SERVICE_NAME over its service.name, and the option over both', () => {
    const env = {
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=listed,service.version=1.2.0,deployment.environment=prod%2Ceu',
      OTEL_SERVICE_NAME: 'named',
    };
    expect(resolveAgnostSettings({}, env).resourceAttributes).toEqual({
      'service.name': 'named',
      'service.version': '1.2.0',
      'deployment.environment': 'prod,eu',
    });
    expect(resolveAgnostSettings({ resourceAttributes: { 'service.version': '9.9.9' } }, env).resourceAttributes).toMatchObject({
      'service.version': '9.9.9',
    });
    expect(resolveAgnostSettings({}, { OTEL_SERVICE_NAME: '', OTEL_RESOURCE_ATTRIBUTES: '' }).resourceAttributes).toBeUndefined();
  });

  it.each(['service.version', '=1.2.0', 'a=%zz', 'a=1,,b'])('a bad OTEL_RESOURCE_ATTRIBUTES (%s) is one error naming it', (list) => {
    expect(() => otelResourceAttributes(list)).toThrow(/^Invalid OTEL_RESOURCE_ATTRIBUTES: must be key=value pairs/);
  });
});
