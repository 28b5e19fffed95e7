// End to end on the wire: the server's assembly (on the tests' project) and the real Mastra +
// OtelExporter stack, exporting to a local OTLP receiver that decodes the protobuf body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askAgent } from '../src/ask-agent.ts';
import { createMastra } from '../src/mastra/assembly.ts';
import { parseEnv } from '../src/settings/env.ts';
import { project } from './fixtures/project.ts';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { AGENT_ID, TOOL_ANSWER, TOOL_MESSAGE } from './helpers/agent.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';

const ORG_ID = 'org_test_4f9a';
const ids = { userId: 'user-e2e', conversationId: 'conversation-e2e' };
let receiver: OtlpReceiver;
let traceId: string | undefined;
let text: string;
let traceSpans: ReceivedSpan[];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // Only these settings, so a developer's .env cannot change what is tested.
  const config = parseEnv({ AGNOST_ORG_ID: ORG_ID, AGNOST_OTEL_ENDPOINT: receiver.tracesUrl, MASTRA_STORAGE_URL: ':memory:' });
  const { mastra } = await createMastra(config, { mode: 'server', project });
  ({ text, traceId } = await askAgent(mastra.getAgent(AGENT_ID), TOOL_MESSAGE, ids));
  await mastra.observability?.flush();
  traceSpans = receiver.spans().filter((span) => span.traceId === traceId);
  await mastra.shutdown();
});

afterAll(() => receiver?.close());

describe('traces sent to Agnost', () => {
  it('answers through a tool', () => {
    expect(text).toMatch(TOOL_ANSWER);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('are protobuf POSTs to /v1/traces with the exact org id header', () => {
    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const request of receiver.requests) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/v1/traces');
      expect(request.headers['content-type']).toBe('application/x-protobuf');
      expect(request.headers['x-agnost-org-id']).toBe(ORG_ID);
    }
  });

  it('never go to /v1/logs', () => {
    expect(receiver.requests.filter((request) => request.path.includes('/v1/logs'))).toEqual([]);
  });

  it("carry the app's service.name and service.version", async () => {
    const { default: packageJson } = await import('../package.json', { with: { type: 'json' } });
    expect(traceSpans.length).toBeGreaterThan(3);
    for (const span of traceSpans) {
      expect(span.resource['service.name']).toBe(packageJson.name);
      expect(span.resource['service.version']).toBe(packageJson.version);
    }
  });

  it('include the tool call, named as Agnost classifies tool calls, with its GenAI attributes', () => {
    const toolSpan = traceSpans.find((span) => span.attributes['gen_ai.operation.name'] === 'execute_tool');
    expect(toolSpan?.name).toBe(`tool.${String(toolSpan?.attributes['gen_ai.tool.name'])}`);
    expect(JSON.parse(String(toolSpan?.attributes['gen_ai.tool.call.arguments']))).toEqual(expect.any(Object));
    expect(String(toolSpan?.attributes['gen_ai.tool.call.result'])).not.toBe('');
  });

  it("have userId and conversationId on every span under every grouping key, Agnost's own included", () => {
    for (const span of traceSpans) expect(span.attributes, span.name).toMatchObject(groupingKeys(ids.userId, ids.conversationId));
  });

  it('form one trace with a single root', () => {
    expect(receiver.spans().every((span) => span.traceId === traceId)).toBe(true);
    expect(traceSpans.filter((span) => span.parentSpanId === '')).toHaveLength(1);
  });
});
