// Mastra apps of every shape people build, each with AgnostExporter as its only exporter, an
// OpenAI-compatible fake model that calls tools, and a local OTLP receiver. Each shape runs one user
// turn (or two) with the ids given once, by the caller, as src/ask-agent.ts does; the test reads what
// Agnost would receive.
import { join } from 'node:path';
import { newWorkDir } from './run-script.ts';
import { createOpenAI } from '@ai-sdk/openai';
import { Agent } from '@mastra/core/agent';
import { createScorer } from '@mastra/core/evals';
import { Mastra } from '@mastra/core/mastra';
import { RequestContext } from '@mastra/core/request-context';
import { createTool } from '@mastra/core/tools';
import { createStep, createWorkflow } from '@mastra/core/workflows';
import { LibSQLStore } from '@mastra/libsql';
import { Memory } from '@mastra/memory';
import { Observability } from '@mastra/observability';
import { z } from 'zod';
import { AgnostExporter } from '../../src/mastra/agnost.ts';
import { sampleOf, startFakeOpenAI, type ChatRequest, type ChatReply, type FakeOpenAI } from './fake-openai.ts';
import type { OtlpReceiver, ReceivedSpan } from './otlp-receiver.ts';

export const IDS = { userId: 'user-shape', conversationId: 'conversation-shape' };
const tracingOptions = { metadata: IDS };
const memory = { resource: IDS.userId, thread: IDS.conversationId };
export const USER_MESSAGE = 'Where is my order ORDER-4471?';
export const ANSWER = 'It ships tomorrow.';
export const [ORG_ID, OTHER_ORG_ID] = ['org_shapes', 'org_other_shapes'];

/**
 * The fake model's policy: an agent whose instructions say `CALL <tool>` calls the offered tool whose
 * name contains <tool> (arguments that fit its schema) until a tool result is in the conversation,
 * then answers; a request for JSON gets JSON that fits the schema; anything else gets ANSWER.
 */
export function respond(request: ChatRequest): ChatReply {
  const schema = request.response_format?.json_schema?.schema;
  // network(): the routing agent picks the agent named in its instructions (`ROUTE <agent id>`).
  const route = String(request.messages.find((message) => message.role === 'system')?.content ?? '').match(/ROUTE (\S+)/)?.[1];
  if (schema?.properties?.primitiveId && route)
    return JSON.stringify({ ...(sampleOf(schema, ANSWER) as object), primitiveId: route, primitiveType: 'agent' });
  if (schema) return JSON.stringify(sampleOf(schema, ANSWER));
  const system = String(request.messages.find((message) => message.role === 'system')?.content ?? '');
  const wanted = system.match(/CALL (\S+)/)?.[1];
  const lastUser = request.messages.findLastIndex((message) => message.role === 'user');
  const toolAnswered = request.messages.slice(lastUser).some((message) => message.role === 'tool');
  const tool = request.tools?.find(({ function: { name } }) => wanted && name.includes(wanted));
  if (tool && !toolAnswered)
    return { toolCalls: [{ name: tool.function.name, arguments: sampleOf(tool.function.parameters, 'ORDER-4471') as object }] };
  return ANSWER;
}

export async function startToolCallingModel(): Promise<FakeOpenAI> {
  return startFakeOpenAI({ respond });
}

export interface ShapeContext {
  model: ReturnType<ReturnType<typeof createOpenAI>['chat']>;
  receiver: OtlpReceiver;
}

/** A Mastra instance with AgnostExporter only, exporting to the receiver. */
export function appWith(
  context: ShapeContext,
  parts: Pick<NonNullable<ConstructorParameters<typeof Mastra>[0]>, 'agents' | 'workflows'>,
  storageUrl = ':memory:',
  orgId = ORG_ID,
) {
  return new Mastra({
    ...parts,
    storage: new LibSQLStore({ id: 'shapes', url: storageUrl }),
    observability: new Observability({
      configs: { default: { serviceName: 'shapes-app', exporters: [new AgnostExporter({ orgId, endpoint: context.receiver.tracesUrl })] } },
    }),
  });
}

export const modelOf = (server: FakeOpenAI) => createOpenAI({ apiKey: 'sk-shapes-0123456789', baseURL: server.baseUrl }).chat('fake-model');

const lookupTool = createTool({
  id: 'lookup-order',
  description: 'Looks up an order',
  inputSchema: z.object({ orderId: z.string() }),
  outputSchema: z.object({ status: z.string() }),
  execute: async ({ orderId }) => ({ status: `${orderId} ships tomorrow` }),
});

const agent = (
  id: string,
  context: ShapeContext,
  extra: Omit<Partial<ConstructorParameters<typeof Agent>[0]>, 'instructions'> & { instructions?: string } = {},
) =>
  new Agent({
    id,
    name: id,
    model: context.model,
    memory: new Memory(),
    ...extra,
    instructions: `You help with orders. ${extra.instructions ?? ''}`,
  });

const approveStep = createStep({
  id: 'approve',
  inputSchema: z.object({ message: z.string() }),
  outputSchema: z.object({ answer: z.string() }),
  resumeSchema: z.object({ approved: z.boolean() }),
  execute: async ({ inputData, resumeData, suspend }) =>
    (resumeData?.approved ? { answer: `${ANSWER} (${inputData.message})` } : await suspend({})) as { answer: string },
});

type Shape = (context: ShapeContext) => Promise<void>;

/** Each shape: builds its app, runs one user turn with the ids, and waits for its export. */
export const SHAPES: Record<string, Shape> = {
  'a tool loop': async (context) => {
    const mastra = appWith(context, {
      agents: { support: agent('support', context, { instructions: 'CALL lookup-order', tools: { 'lookup-order': lookupTool } }) },
    });
    await mastra.getAgent('support').generate(USER_MESSAGE, { tracingOptions, memory });
    await done(mastra);
  },
  'stream()': async (context) => {
    const mastra = appWith(context, {
      agents: { support: agent('support', context, { instructions: 'CALL lookup-order', tools: { 'lookup-order': lookupTool } }) },
    });
    const stream = await mastra.getAgent('support').stream(USER_MESSAGE, { tracingOptions, memory });
    await stream.text;
    await done(mastra);
  },
  structuredOutput: async (context) => {
    const mastra = appWith(context, { agents: { support: agent('support', context) } });
    await mastra
      .getAgent('support')
      .generate(USER_MESSAGE, { tracingOptions, memory, structuredOutput: { schema: z.object({ answer: z.string() }) } });
    await done(mastra);
  },
  'sub-agents (agents: {})': async (context) => {
    const orders = agent('orders', context, { instructions: 'CALL lookup-order', tools: { 'lookup-order': lookupTool } });
    const supervisor = agent('supervisor', context, { instructions: 'CALL orders', agents: { orders } });
    const mastra = appWith(context, { agents: { supervisor, orders } });
    await mastra.getAgent('supervisor').generate(USER_MESSAGE, { tracingOptions, memory });
    await done(mastra);
  },
  'a tool that imports another agent and calls generate plainly': async (context) => {
    const orders = agent('orders', context, { instructions: 'CALL lookup-order', tools: { 'lookup-order': lookupTool } });
    const askOrders = createTool({
      id: 'ask-orders',
      description: 'Asks the orders agent',
      inputSchema: z.object({ question: z.string() }),
      execute: async ({ question }) => ({ answer: (await orders.generate(question)).text }),
    });
    const mastra = appWith(context, {
      agents: { support: agent('support', context, { instructions: 'CALL ask-orders', tools: { 'ask-orders': askOrders } }), orders },
    });
    await mastra.getAgent('support').generate(USER_MESSAGE, { tracingOptions, memory });
    await done(mastra);
  },
  'a tool that calls another agent through mastra.getAgent with the tracingContext': async (context) => {
    const askOrders = createTool({
      id: 'ask-orders',
      description: 'Asks the orders agent',
      inputSchema: z.object({ question: z.string() }),
      execute: async ({ question }, { mastra, tracingContext }) => ({
        answer: (await mastra!.getAgent('orders').generate(question, { tracingContext })).text,
      }),
    });
    const orders = agent('orders', context, { instructions: 'CALL lookup-order', tools: { 'lookup-order': lookupTool } });
    const mastra = appWith(context, {
      agents: { support: agent('support', context, { instructions: 'CALL ask-orders', tools: { 'ask-orders': askOrders } }), orders },
    });
    await mastra.getAgent('support').generate(USER_MESSAGE, { tracingOptions, memory });
    await done(mastra);
  },
  'a workflow step that imports an agent and calls generate plainly': async (context) => {
    const orders = agent('orders', context, { instructions: 'CALL lookup-order', tools: { 'lookup-order': lookupTool } });
    const step = createStep({
      id: 'ask',
      inputSchema: z.object({ message: z.string() }),
      outputSchema: z.object({ answer: z.string() }),
      execute: async ({ inputData }) => ({ answer: (await orders.generate(inputData.message)).text }),
    });
    const workflow = createWorkflow({
      id: 'support-flow',
      inputSchema: z.object({ message: z.string() }),
      outputSchema: z.object({ answer: z.string() }),
    })
      .then(step)
      .commit();
    const mastra = appWith(context, { agents: { orders }, workflows: { workflow } });
    const run = await mastra.getWorkflow('workflow').createRun();
    await run.start({ inputData: { message: USER_MESSAGE }, tracingOptions });
    await done(mastra);
  },
  'a workflow of createStep(agent)': async (context) => {
    const orders = agent('orders', context, { instructions: 'CALL lookup-order', tools: { 'lookup-order': lookupTool } });
    const toPrompt = createStep({
      id: 'to-prompt',
      inputSchema: z.object({ message: z.string() }),
      outputSchema: z.object({ prompt: z.string() }),
      execute: async ({ inputData }) => ({ prompt: inputData.message }),
    });
    const workflow = createWorkflow({
      id: 'agent-flow',
      inputSchema: z.object({ message: z.string() }),
      outputSchema: z.object({ text: z.string() }),
    })
      .then(toPrompt)
      .then(createStep(orders))
      .commit();
    const mastra = appWith(context, { agents: { orders }, workflows: { workflow } });
    const run = await mastra.getWorkflow('workflow').createRun();
    await run.start({ inputData: { message: USER_MESSAGE }, tracingOptions });
    await done(mastra);
  },
  'a workflow used as a tool': async (context) => {
    const step = createStep({
      id: 'lookup',
      inputSchema: z.object({ orderId: z.string() }),
      outputSchema: z.object({ status: z.string() }),
      execute: async ({ inputData }) => ({ status: `${inputData.orderId} ships tomorrow` }),
    });
    const workflow = createWorkflow({
      id: 'lookup-flow',
      description: 'Looks up an order',
      inputSchema: z.object({ orderId: z.string() }),
      outputSchema: z.object({ status: z.string() }),
    })
      .then(step)
      .commit();
    const support = agent('support', context, { instructions: 'CALL lookup-flow', workflows: { 'lookup-flow': workflow } });
    const mastra = appWith(context, { agents: { support }, workflows: { 'lookup-flow': workflow } });
    await mastra.getAgent('support').generate(USER_MESSAGE, { tracingOptions, memory });
    await done(mastra);
  },
  'agent.network()': async (context) => {
    const orders = agent('orders', context, { instructions: 'CALL lookup-order', tools: { 'lookup-order': lookupTool } });
    const router = agent('router', context, { instructions: 'ROUTE orders', agents: { orders } });
    const mastra = appWith(context, { agents: { router, orders } });
    // network() takes no tracingOptions (its type has none): the ids come from its memory.
    const stream = await mastra.getAgent('router').network(USER_MESSAGE, { memory });
    for await (const _chunk of stream);
    await done(mastra);
  },
  'tool approval (approveToolCallGenerate)': async (context) => {
    const refund = createTool({ ...lookupTool, id: 'refund-order', description: 'Refunds an order', requireApproval: true });
    const mastra = appWith(context, {
      agents: { support: agent('support', context, { instructions: 'CALL refund-order', tools: { 'refund-order': refund } }) },
    });
    const support = mastra.getAgent('support');
    const first = await support.generate(USER_MESSAGE, { tracingOptions, memory });
    if (first.finishReason !== 'suspended') throw new Error(`expected a suspended run, got ${first.finishReason}`);
    // Resumed without the ids: they come from the run it resumes.
    await support.approveToolCallGenerate({
      runId: first.runId!,
      toolCallId: (first.suspendPayload as { toolCallId: string }).toolCallId,
      memory,
    });
    await done(mastra);
  },
  'tool approval, approved by another process that passes the ids again': async (context) => {
    const storage = `file:${join(newWorkDir(), 'mastra.db')}`;
    const refund = createTool({ ...lookupTool, id: 'refund-order', description: 'Refunds an order', requireApproval: true });
    const support = () => agent('support', context, { instructions: 'CALL refund-order', tools: { 'refund-order': refund } });
    const asking = appWith(context, { agents: { support: support() } }, storage);
    const first = await asking.getAgent('support').generate(USER_MESSAGE, { tracingOptions, memory });
    await done(asking);
    const sentBefore = context.receiver.spans().length;
    // A fresh Mastra (and exporter) on the same storage, as a server that handles the approval would be:
    const approving = appWith(context, { agents: { support: support() } }, storage);
    await approving.getAgent('support').approveToolCallGenerate({
      runId: first.runId!,
      toolCallId: (first.suspendPayload as { toolCallId: string }).toolCallId,
      memory: { resource: IDS.userId, thread: IDS.conversationId },
      tracingOptions: { metadata: { userId: IDS.userId, conversationId: IDS.conversationId } },
    });
    await exportedWithoutFlush(context, sentBefore);
    await done(approving);
  },
  'workflow resume': async (context) => {
    const workflow = createWorkflow({
      id: 'approval-flow',
      inputSchema: z.object({ message: z.string() }),
      outputSchema: z.object({ answer: z.string() }),
    })
      .then(approveStep)
      .commit();
    const mastra = appWith(context, { workflows: { workflow } });
    const run = await mastra.getWorkflow('workflow').createRun();
    const first = await run.start({ inputData: { message: USER_MESSAGE }, tracingOptions });
    if (first.status !== 'suspended') throw new Error(`expected a suspended run, got ${first.status}`);
    await run.resume({ step: 'approve', resumeData: { approved: true } });
    await done(mastra);
  },
  'workflow resumed by another process that passes the ids again': async (context) => {
    const storage = `file:${join(newWorkDir(), 'mastra.db')}`;
    const workflow = () =>
      createWorkflow({
        id: 'approval-flow',
        inputSchema: z.object({ message: z.string() }),
        outputSchema: z.object({ answer: z.string() }),
      })
        .then(approveStep)
        .commit();
    const starting = appWith(context, { workflows: { workflow: workflow() } }, storage);
    const run = await starting.getWorkflow('workflow').createRun();
    await run.start({ inputData: { message: USER_MESSAGE }, tracingOptions });
    await done(starting);
    const sentBefore = context.receiver.spans().length;
    const resuming = appWith(context, { workflows: { workflow: workflow() } }, storage);
    const sameRun = await resuming.getWorkflow('workflow').createRun({ runId: run.runId });
    await sameRun.resume({
      step: 'approve',
      resumeData: { approved: true },
      tracingOptions: { metadata: { userId: IDS.userId, conversationId: IDS.conversationId } },
    });
    await exportedWithoutFlush(context, sentBefore);
    await done(resuming);
  },
  "a caller sending Mastra's stored message form": async (context) => {
    const mastra = appWith(context, { agents: { support: agent('support', context) } });
    const stored = {
      id: 'message-1',
      role: 'user' as const,
      createdAt: new Date(),
      content: { format: 2 as const, parts: [{ type: 'text' as const, text: USER_MESSAGE }] },
    };
    await mastra.getAgent('support').generate([stored], { tracingOptions, memory });
    await done(mastra);
  },
  'two turns where the client resends the history': async (context) => {
    const mastra = appWith(context, { agents: { support: agent('support', context) } });
    const support = mastra.getAgent('support');
    await support.generate('Hello, I need help', { tracingOptions });
    await support.generate(
      [
        { role: 'user', content: 'Hello, I need help' },
        { role: 'assistant', content: ANSWER },
        { role: 'user', content: USER_MESSAGE },
      ],
      { tracingOptions },
    );
    await done(mastra);
  },
};

/** The resumed run's spans arrive as its run ends, with no flush: its root has a parent from the other process. */
async function exportedWithoutFlush(context: ShapeContext, sentBefore: number) {
  await context.receiver.waitForSpans(sentBefore + 1, 2_000);
}

async function done(mastra: Mastra) {
  await mastra.observability?.flush();
  await mastra.shutdown();
}

export const roots = (spans: ReceivedSpan[]) => spans.filter((span) => span.parentSpanId === '');

/** What Agnost received, each span with the org id it was sent with. */
export const sentByOrg = (receiver: OtlpReceiver) =>
  receiver.requests.flatMap((request) => request.spans.map((span) => ({ ...span, org: String(request.headers['x-agnost-org-id']) })));

export const STOPPED_REPLY = 'It ships tomorrow from the warehouse in Leeds by courier before noon.';
export const SCORERS = ['answer-length', 'helpfulness'];
/** Spans that end after their root arrive within this, with no flush: under the exporter's 5 s batch. */
export const LATE_SPANS_WITHIN_MS = 4_000;
export const RESOURCE_ENV = {
  OTEL_SERVICE_NAME: 'shapes-service',
  OTEL_RESOURCE_ATTRIBUTES: 'service.version=3.1.4,deployment.environment=staging',
};

/**
 * The last edges of an app's shape, each run once like SHAPES; what each returns is for its test.
 * `shown`: the text a caller read before stopping the answer.
 */
export const EDGES: Record<string, (context: ShapeContext) => Promise<{ shown?: string } | void>> = {
  "two Mastra instances, each with its exporter: a tool of one calls the other's agent plainly": async (context) => {
    const ordersApp = appWith(
      context,
      { agents: { orders: agent('orders', context, { instructions: 'CALL lookup-order', tools: { 'lookup-order': lookupTool } }) } },
      ':memory:',
      OTHER_ORG_ID,
    );
    const askOrders = createTool({
      id: 'ask-orders',
      description: 'Asks the orders agent',
      inputSchema: z.object({ question: z.string() }),
      execute: async ({ question }) => ({ answer: (await ordersApp.getAgent('orders').generate(question)).text }),
    });
    const supportApp = appWith(context, {
      agents: { support: agent('support', context, { instructions: 'CALL ask-orders', tools: { 'ask-orders': askOrders } }) },
    });
    await supportApp.getAgent('support').generate(USER_MESSAGE, { tracingOptions, memory });
    await Promise.all([done(supportApp), done(ordersApp)]);
  },
  // appWith's config is the README's: no requestContextKeys.
  'ids given only through RequestContext, as a server middleware does': async (context) => {
    const mastra = appWith(context, {
      agents: { support: agent('support', context, { instructions: 'CALL lookup-order', tools: { 'lookup-order': lookupTool } }) },
    });
    const requestContext = new RequestContext();
    requestContext.set('userId', IDS.userId);
    requestContext.set('conversationId', IDS.conversationId);
    await mastra.getAgent('support').generate(USER_MESSAGE, { requestContext });
    await done(mastra);
  },
  'a streamed answer stopped by the caller after part of it was shown': async (context) => {
    const slowModel = await startFakeOpenAI({ reply: STOPPED_REPLY, chunkDelayMs: 50 });
    const slow = { ...context, model: modelOf(slowModel) };
    try {
      const mastra = appWith(slow, { agents: { support: agent('support', slow) } });
      const stop = new AbortController();
      const stream = await mastra.getAgent('support').stream(USER_MESSAGE, { tracingOptions, memory, abortSignal: stop.signal });
      let shown = '';
      for await (const chunk of stream.textStream) {
        shown += chunk;
        if (shown.split(' ').length > 3) stop.abort();
      }
      await done(mastra);
      return { shown };
    } finally {
      await slowModel.close();
    }
  },
  'scorers on an agent (a code scorer, an LLM judge), which end after the answer': async (context) => {
    const length = createScorer({ id: SCORERS[0]!, description: 'Scores a short answer 1', type: 'agent' }).generateScore(({ run }) =>
      JSON.stringify(run.output).length < 500 ? 1 : 0,
    );
    const judge = createScorer({
      id: SCORERS[1]!,
      description: 'Judges helpfulness',
      type: 'agent',
      judge: { model: context.model, instructions: 'You judge answers.', jsonPromptInjection: false },
    }).generateScore({
      description: 'Score how helpful the answer is, from 0 to 1',
      createPrompt: ({ run }) => `How helpful is this answer? ${JSON.stringify(run.output)}`,
    });
    const scorers = { [SCORERS[0]!]: { scorer: length }, [SCORERS[1]!]: { scorer: judge } };
    const mastra = appWith(context, { agents: { support: agent('support', context, { scorers }) } });
    await mastra.getAgent('support').generate(USER_MESSAGE, { tracingOptions, memory });
    // No flush: a process that stops right after answering has only what was exported by itself.
    await waitUntil(
      () => scorerRuns(context.receiver.spans()).length === SCORERS.length,
      LATE_SPANS_WITHIN_MS,
      "both scorers' spans (no flush)",
    );
    await done(mastra);
  },
  "OpenTelemetry's own variables, OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES": async (context) => {
    const saved = { ...process.env };
    Object.assign(process.env, RESOURCE_ENV); // read as the exporter is constructed
    const mastra = appWith(context, { agents: { support: agent('support', context) } });
    for (const name of Object.keys(RESOURCE_ENV)) if (saved[name] === undefined) delete process.env[name];
    Object.assign(process.env, saved);
    await mastra.getAgent('support').generate(USER_MESSAGE, { tracingOptions, memory });
    await done(mastra);
  },
};

export const scorerRuns = (spans: ReceivedSpan[]) => spans.filter((span) => span.attributes['mastra.span.type'] === 'scorer_run');

async function waitUntil(check: () => boolean, timeoutMs: number, what: string) {
  for (const started = performance.now(); !check(); await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (performance.now() - started > timeoutMs) throw new Error(`expected ${what} within ${timeoutMs} ms`);
  }
}
