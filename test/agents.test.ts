// The agent registry (src/mastra/registry.ts), the offline demo model on tools a fork might write, and
// docs/make-it-yours.md's example agents (test/fixtures/src/) as a fork lists them.
import { Agent } from '@mastra/core/agent';
import { Mastra } from '@mastra/core/mastra';
import { createTool } from '@mastra/core/tools';
import { LibSQLStore } from '@mastra/libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAgents, createWorkflows, defaultAgentId, type AgentFactory, type WorkflowParts } from '../src/mastra/registry.ts';
import { createWorkflow } from '@mastra/core/workflows';
import { project } from './fixtures/project.ts';
import { createOfflineModel, fillFromMessage } from '../src/agents/offline-model.ts';
import { askAgent } from '../src/ask-agent.ts';
import { createObservability } from '../src/mastra/observability.ts';
import { parseEnv } from '../src/settings/env.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBillingAgent } from './fixtures/src/agents/billing-agent.ts';
import { createConciergeAgent } from './fixtures/src/agents/concierge-agent.ts';
import { createTriageAgent } from './fixtures/src/agents/triage-agent.ts';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.ts';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

// Tools a fork might write, none of which the offline model knows about.
const calls: { tool: string; input: unknown }[] = [];
const orderStatus = createTool({
  id: 'orderStatus',
  description: 'The status of an order.',
  inputSchema: z.object({ orderId: z.string().regex(/ORD-\d+/) }),
  execute: async (input) => (calls.push({ tool: 'orderStatus', input }), { orderId: input.orderId, status: 'shipped' }),
});
const refund = createTool({
  id: 'refund',
  description: 'Refunds an amount for a reason.',
  inputSchema: z.object({ amount: z.number(), reason: z.enum(['late', 'damaged', 'other']), note: z.string().optional() }),
  execute: async (input) => (calls.push({ tool: 'refund', input }), { refunded: input.amount }),
});
const lookup = createTool({
  id: 'lookup',
  description: 'Looks a question up.',
  inputSchema: z.object({ question: z.string() }),
  execute: async ({ question }) => ({ found: question.length }),
});

function supportAgent(tools: Record<string, ReturnType<typeof createTool>>) {
  return new Agent<string>({ id: 'support', name: 'Support', instructions: 'Help customers.', model: createOfflineModel(), tools });
}

describe('the offline demo model', () => {
  it("calls each tool whose input the message fills, with the input taken from the tool's schema, and answers from their results", async () => {
    calls.length = 0;
    const agent = supportAgent({ orderStatus, refund });
    const { text } = await agent.generate('Order ORD-1234 came damaged: refund 25 please');
    expect(calls).toEqual([
      { tool: 'orderStatus', input: { orderId: 'ORD-1234' } },
      { tool: 'refund', input: { amount: 25, reason: 'damaged' } },
    ]);
    expect(text.split('\n')).toEqual(['orderStatus returned {"orderId":"ORD-1234","status":"shipped"}', 'refund returned {"refunded":25}']);
  });

  it('leaves out a tool whose required input is not in the message, and echoes when no tool fits', async () => {
    calls.length = 0;
    const { text } = await supportAgent({ orderStatus, refund }).generate('hello there');
    expect(calls).toEqual([]);
    expect(text).toContain('you said "hello there"');
    expect(text).toContain('my tools (orderStatus, refund)');
  });

  it('passes the whole message to a string input without a pattern', async () => {
    const { text } = await supportAgent({ lookup }).generate('what are your opening hours?');
    expect(text).toBe('lookup returned {"found":28}');
  });

  it('fills inputs from a JSON schema', () => {
    const schema = {
      type: 'object' as const,
      properties: {
        id: { type: 'string' as const, pattern: '[A-Z]-\\d+' },
        count: { type: 'integer' as const },
        flag: { type: 'boolean' as const },
      },
      required: ['id', 'count', 'flag'],
    };
    expect(fillFromMessage(schema, 'send 3.7 of B-12')).toEqual({ id: 'B-12', count: 3, flag: false });
    expect(fillFromMessage(schema, 'send 3 of nothing')).toBeUndefined();
    expect(fillFromMessage({ type: 'object', properties: {} }, 'anything')).toEqual({});
  });
});

// The docs' example agents, as a fork lists them; cast because the fixtures' settings type is a fork's
// (with WEATHER_API_URL declared), which this template's AppSettings is not.
const FIXTURES = { billing: createBillingAgent } as unknown as Record<string, AgentFactory>;
const TRAVEL = { triage: createTriageAgent, concierge: createConciergeAgent } as unknown as Record<string, AgentFactory>;
const WEATHER_VARIABLE = {
  name: 'WEATHER_API_URL',
  rule: 'url',
  default: 'https://weather.invalid/v1',
  fix: 'e.g. https://api.example.com/weather',
} as const;

describe("docs/make-it-yours.md's travel example: a tool on its own variable, a sub-agent", () => {
  it("calls the API at the product's WEATHER_API_URL, and the sub-agent is the concierge itself, with the conversation's session on every span", async () => {
    const asked: string[] = [];
    const weather = createServer((request, response) => {
      asked.push(request.url ?? '');
      response.setHeader('content-type', 'application/json').end(JSON.stringify({ forecast: 'sunny' }));
    });
    await new Promise<void>((resolve) => weather.listen(0, '127.0.0.1', resolve));
    try {
      const apiUrl = `http://127.0.0.1:${(weather.address() as AddressInfo).port}/weather`;
      const settings = parseEnv({ WEATHER_API_URL: apiUrl, AGNOST_ORG_ID: 'org_travel', AGNOST_OTEL_ENDPOINT: receiver.tracesUrl }, [
        WEATHER_VARIABLE,
      ]);
      const agents = createAgents(createOfflineModel(), TRAVEL, settings.app);
      expect((await agents.triage!.listAgents()).concierge).toBe(agents.concierge);
      const mastra = new Mastra({
        agents,
        storage: new LibSQLStore({ id: 'travel-test', url: ':memory:' }),
        observability: createObservability(settings, { localTraces: false }),
      });

      const { text } = await askAgent(mastra.getAgent('concierge'), 'Lisbon', { userId: 'user-t', conversationId: 'conv-weather' });
      expect(text).toBe('weatherLookup returned {"city":"Lisbon","forecast":"sunny"}');
      expect(asked).toEqual(['/weather?city=Lisbon']);

      const ids = { userId: 'user-t', conversationId: 'conv-triage' };
      const { traceId } = await askAgent(mastra.getAgent('triage'), 'Lisbon in May', ids);
      await mastra.observability?.flush();
      const spans = receiver.spans().filter((span) => span.traceId === traceId);
      expect(spans.some((span) => span.name === 'invoke_agent Concierge')).toBe(true);
      for (const span of spans)
        expect(span.attributes, span.name).toMatchObject({ 'agnost.session_id': ids.conversationId, 'agnost.user_id': ids.userId });
      // The sub-agent keeps its own memory thread inside the conversation: <conversation>-<uuid>.
      const subAgentThreads = spans.map((span) => span.attributes['gen_ai.conversation.id']).filter((id) => id !== ids.conversationId);
      expect(subAgentThreads.length).toBeGreaterThan(0);
      for (const thread of subAgentThreads) expect(thread).toMatch(new RegExp(`^${ids.conversationId}-[0-9a-f-]{36}$`));
      await mastra.shutdown();
    } finally {
      weather.close();
    }
  });
});

describe("docs/make-it-yours.md's example: a billing agent with an orderStatus tool", () => {
  it('runs on the offline model unchanged and calls its tool with the id from the message', async () => {
    const [agent] = Object.values(createAgents(createOfflineModel(), FIXTURES));
    const mastra = new Mastra({ agents: { billing: agent! }, storage: new LibSQLStore({ id: 'billing-test', url: ':memory:' }) });
    const { text } = await askAgent(mastra.getAgent('billing'), 'Where is my order ORD-1234?', {
      userId: 'user-b',
      conversationId: 'conv-b',
    });
    expect(text).toBe('orderStatus returned {"orderId":"ORD-1234","status":"shipped"}');
  });
});

describe('the agent registry (src/agents/index.ts)', () => {
  it('keys every agent by its id, the default first', () => {
    const agents = createAgents(createOfflineModel(), project.agents);
    expect(Object.keys(agents).length).toBeGreaterThan(0);
    for (const [key, agent] of Object.entries(agents)) expect(agent.id).toBe(key);
    expect(defaultAgentId(agents)).toBe(Object.keys(agents)[0]);
  });

  it('builds each agent once: a sub-agent is the same instance as the agent listed under its id', async () => {
    let built = 0;
    // The offline model's own type, not the factory's MastraModelConfig: tsc takes seconds per agent on that union.
    const model = createOfflineModel();
    const concierge: AgentFactory = () => (
      built++,
      new Agent<string>({ id: 'concierge', name: 'Concierge', instructions: 'Plan trips.', model })
    );
    const triage: AgentFactory = ({ agent }) =>
      new Agent<string>({
        id: 'triage',
        name: 'Triage',
        instructions: 'Route requests.',
        model,
        agents: { concierge: agent('concierge') },
      });
    // triage first: the default, listed before the sub-agent it uses.
    const agents = createAgents(createOfflineModel(), { triage, concierge });
    expect(Object.keys(agents)).toEqual(['triage', 'concierge']);
    expect(built).toBe(1);
    expect((await agents.triage!.listAgents()).concierge).toBe(agents.concierge);
  });

  it('says which line of the registry to fix: a key that is not the id, an unknown sub-agent, a cycle', () => {
    const model = createOfflineModel();
    const named =
      (id: string): AgentFactory =>
      () =>
        new Agent<string>({ id, name: id, instructions: '-', model });
    expect(() => createAgents(model, { helper: named('assistant') })).toThrow(
      'src/agents/index.ts lists the agent "assistant" as "helper": use its id as the key',
    );
    const usesMissing: AgentFactory = ({ agent }) =>
      new Agent<string>({ id: 'a', name: 'a', instructions: '-', model, agents: { b: agent('b') } });
    expect(() => createAgents(model, { a: usesMissing })).toThrow('No agent "b" in src/agents/index.ts: add it to AGENTS, or use one of a');
    const a: AgentFactory = ({ agent }) => new Agent<string>({ id: 'a', name: 'a', instructions: '-', model, agents: { b: agent('b') } });
    const b: AgentFactory = ({ agent }) => new Agent<string>({ id: 'b', name: 'b', instructions: '-', model, agents: { a: agent('a') } });
    expect(() => createAgents(model, { a, b })).toThrow("Agents a -> b -> a are each other's sub-agents: break the cycle");
  });

  it("gives a workflow's factory the agents themselves, by id, and names the ids for an unknown one", () => {
    const model = createOfflineModel();
    const agents = createAgents(model, {
      triage: () => new Agent<string>({ id: 'triage', name: 'Triage', instructions: '-', model }),
      concierge: () => new Agent<string>({ id: 'concierge', name: 'Concierge', instructions: '-', model }),
    });
    const given: WorkflowParts[] = [];
    const workflow = (id: string) => createWorkflow({ id, inputSchema: z.object({}), outputSchema: z.object({}) }).commit();
    createWorkflows(agents, { planTrip: (parts) => (given.push(parts), workflow('planTrip')) });
    expect(given[0]!.agent('concierge')).toBe(agents.concierge);
    expect(given[0]!.defaultAgent).toBe(agents.triage);
    expect(() => createWorkflows(agents, { planTrip: ({ agent }) => (agent('guide'), workflow('planTrip')) })).toThrow(
      'No agent "guide" in src/agents/index.ts for a workflow: use one of triage, concierge',
    );
  });
});
