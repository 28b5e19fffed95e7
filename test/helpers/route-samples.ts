// A request for every route of the allow-list (src/mastra/server/routes.ts) that fills every field its
// schemas take, and the same request with an unknown key put at each depth: what the strict-schema
// tests send.
import { ALLOWED_ROUTES } from '../../src/mastra/server/routes.ts';
import { WORKFLOW_ID } from './agent.ts';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
export const UNKNOWN_KEY = 'unexpected';

export interface Sample {
  /** The path with its parameters filled in, without the API prefix. */
  path: string;
  /** Query parameters: strings, some of them JSON that Mastra decodes. */
  query: Record<string, string>;
  body?: Record<string, unknown>;
}

/** A full request for each allowed route, for `user` on `conversation` with the agent `agentId` and the workflow `workflowId` (the tests' own). */
export function samples(agentId: string, user: string, conversation: string, workflowId = WORKFLOW_ID): Record<string, Sample> {
  const context = JSON.stringify({});
  const settings = { maxSteps: 2, modelSettings: { temperature: 0, topP: 1, maxOutputTokens: 200, maxRetries: 0 } };
  const agentCall: Record<string, unknown> = {
    messages: [
      {
        id: 'm-1',
        role: 'user',
        content: [
          { type: 'text', text: 'what is in this picture?' },
          { type: 'image', image: PNG, mediaType: 'image/png' },
          { type: 'file', data: PNG, mediaType: 'image/png', filename: 'dot.png' },
        ],
      },
      {
        role: 'assistant',
        parts: [
          { type: 'text', text: 'a dot' },
          { type: 'file', url: `data:image/png;base64,${PNG}`, mediaType: 'image/png' },
        ],
      },
    ],
    memory: { thread: { id: conversation }, resource: user },
    resourceId: user,
    threadId: conversation,
    tracingOptions: { metadata: { userId: user, conversationId: conversation } },
    requestContext: {},
    ...settings,
  };
  const threadQuery = { agentId, resourceId: user, requestContext: context };
  // A workflow's input is its own schema's to check: no object in it here, so each unknown key below is the server's to refuse.
  const workflowStart = {
    inputData: 'hi',
    initialState: ['s'],
    resourceId: user,
    tracingOptions: { metadata: { userId: user, conversationId: conversation } },
    requestContext: {},
    perStep: false,
    closeOnSuspend: true,
  };
  const workflowResume = {
    step: ['ask'],
    resumeData: 'yes',
    tracingOptions: { metadata: { userId: user, conversationId: conversation } },
    requestContext: {},
    perStep: false,
    forEachIndex: 0,
  };
  const run = { runId: `run-${conversation}` };
  const all: Record<string, Sample> = {
    'GET /agents': { path: '/agents', query: { requestContext: context, partial: 'true' } },
    'GET /agents/:agentId': { path: `/agents/${agentId}`, query: { requestContext: context } },
    'POST /agents/:agentId/generate': { path: `/agents/${agentId}/generate`, query: {}, body: agentCall },
    'POST /agents/:agentId/stream': { path: `/agents/${agentId}/stream`, query: {}, body: agentCall },
    'POST /agents/:agentId/send-message': {
      path: `/agents/${agentId}/send-message`,
      query: {},
      body: {
        message: {
          contents: [
            { type: 'text', text: 'hi' },
            { type: 'file', data: PNG, mediaType: 'image/png' },
          ],
          metadata: { clientMessageId: 'client-1' },
        },
        resourceId: agentId,
        threadId: conversation,
        ifIdle: { streamOptions: { ...settings, requestContext: {} } },
      },
    },
    'POST /agents/:agentId/threads/subscribe': {
      path: `/agents/${agentId}/threads/subscribe`,
      query: {},
      body: { resourceId: agentId, threadId: conversation },
    },
    'GET /agents/providers': { path: '/agents/providers', query: {} },
    'GET /agents/:agentId/voice/speakers': { path: `/agents/${agentId}/voice/speakers`, query: { requestContext: context } },
    'GET /editor/builder/settings': { path: '/editor/builder/settings', query: {} },
    'GET /editor/builder/models/available': { path: '/editor/builder/models/available', query: {} },
    'GET /workflows': { path: '/workflows', query: { requestContext: context, partial: 'false' } },
    'GET /workflows/:workflowId': { path: `/workflows/${workflowId}`, query: { requestContext: context } },
    'POST /workflows/:workflowId/create-run': {
      path: `/workflows/${workflowId}/create-run`,
      query: run,
      body: { resourceId: user, disableScorers: true },
    },
    'POST /workflows/:workflowId/start-async': { path: `/workflows/${workflowId}/start-async`, query: run, body: workflowStart },
    'POST /workflows/:workflowId/stream': { path: `/workflows/${workflowId}/stream`, query: run, body: workflowStart },
    'POST /workflows/:workflowId/start': { path: `/workflows/${workflowId}/start`, query: run, body: workflowStart },
    'POST /workflows/:workflowId/resume': { path: `/workflows/${workflowId}/resume`, query: run, body: workflowResume },
    'POST /workflows/:workflowId/resume-async': { path: `/workflows/${workflowId}/resume-async`, query: run, body: workflowResume },
    'GET /tools': { path: '/tools', query: { requestContext: context } },
    'GET /processors': { path: '/processors', query: { requestContext: context } },
    'GET /scores/scorers': { path: '/scores/scorers', query: { requestContext: context } },
    'GET /mcp/v0/servers': { path: '/mcp/v0/servers', query: { page: '0', perPage: '10' } },
    'GET /system/packages': { path: '/system/packages', query: {} },
    'GET /memory/status': { path: '/memory/status', query: { agentId, requestContext: context } },
    'GET /memory/config': { path: '/memory/config', query: { agentId, requestContext: context } },
    'GET /memory/threads': {
      path: '/memory/threads',
      query: { ...threadQuery, page: '0', perPage: '20', orderBy: JSON.stringify({ field: 'updatedAt', direction: 'DESC' }) },
    },
    'GET /memory/threads/:threadId': { path: `/memory/threads/${conversation}`, query: threadQuery },
    'GET /memory/threads/:threadId/messages': {
      path: `/memory/threads/${conversation}/messages`,
      query: {
        ...threadQuery,
        page: '0',
        perPage: '40',
        orderBy: JSON.stringify({ field: 'createdAt', direction: 'DESC' }),
        includeSystemReminders: 'true',
      },
    },
    'GET /memory/threads/:threadId/working-memory': { path: `/memory/threads/${conversation}/working-memory`, query: threadQuery },
    'DELETE /memory/threads/:threadId': { path: `/memory/threads/${conversation}`, query: threadQuery, body: {} },
  };
  return all;
}

/** The route's schemas, by its key in samples(). */
export const routeByKey = (key: string) => ALLOWED_ROUTES.find((route) => `${route.method} ${route.path}` === key)!;

/** [where the key went, as the error names it, the mutated value] for every object inside `value`. */
export function withUnknownKeyAtEveryDepth(value: unknown, where = ''): [string, unknown][] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) =>
      withUnknownKeyAtEveryDepth(item, `${where}[${index}]`).map(([at, changed]): [string, unknown] => [
        at,
        value.map((other, i) => (i === index ? changed : other)),
      ]),
    );
  }
  if (!value || typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  const here: [string, unknown] = [where ? `${where}.${UNKNOWN_KEY}` : UNKNOWN_KEY, { ...object, [UNKNOWN_KEY]: 1 }];
  const inside = Object.entries(object).flatMap(([key, item]) =>
    withUnknownKeyAtEveryDepth(item, where ? `${where}.${key}` : key).map(([at, changed]): [string, unknown] => [
      at,
      { ...object, [key]: changed },
    ]),
  );
  return [here, ...inside];
}

/** The same for a query: a new parameter, and a key inside each parameter that is a JSON object. */
export function queriesWithUnknownKey(query: Record<string, string>): [string, Record<string, string>][] {
  const inside = Object.entries(query).flatMap(([key, text]): [string, Record<string, string>][] => {
    const decoded: unknown = text.startsWith('{') ? JSON.parse(text) : undefined;
    return decoded && typeof decoded === 'object'
      ? [[`query.${key}.${UNKNOWN_KEY}`, { ...query, [key]: JSON.stringify({ ...decoded, [UNKNOWN_KEY]: 1 }) }]]
      : [];
  });
  return [[`query.${UNKNOWN_KEY}`, { ...query, [UNKNOWN_KEY]: '1' }], ...inside];
}
