// The routes this project offers, each with what a caller may send (its query and body schemas), who
// may use it on what data (its ownership), and what Mastra receives (forward). Mastra's server
// registers hundreds more (traces of every user, schedules, stored agents, A2A tasks, datasets, ...):
// with auth on, route-gate.ts refuses every route not listed here, including the ones a later Mastra
// version adds; in both modes a listed route takes only what its schemas name (400 naming the field
// otherwise), and its ids, tracing and memory are set by the server from the caller (caller.ts) and
// the conversation it names. Paths are Mastra's (SERVER_ROUTES), without the API prefix.
// What uses them: the chat (generate / stream), Studio and @mastra/client-js (the agent list, chat, its
// conversation list and history), the docs.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import * as field from './request-schemas.ts';

export type Ownership =
  /** The same for every user, read only: the agents and how their memory is set up. */
  | 'shared-read'
  /** An agent call: the conversation it names must be the caller's, or new. */
  | 'own-conversation'
  /** Lists conversations: Mastra lists only the token user's (its mapUserToResourceId). */
  | 'own-conversation-list'
  /** Names a conversation in the path (:threadId): it must be the token user's, else 404. */
  | 'own-thread'
  /** A workflow run: the conversation it names must be the caller's, or new, and so must the run (?runId=). */
  | 'own-run';

/** The ids of a run, as the server settles them (route-gate.ts): the user and the conversation. */
export interface RunIds {
  userId: string;
  conversationId: string;
  /** Memory's resource and thread: the user and conversation, but for Studio's resource without auth. */
  resource: string;
  thread: string;
}

/** The users and conversations a body names, each to be checked against the caller's. */
export interface Named {
  users: (string | undefined)[];
  conversations: (string | undefined)[];
}

export interface AllowedRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** Under `prefix` (API_PREFIX unless it says otherwise). */
  path: string;
  /** Where the route lives: Mastra's API (API_PREFIX), or this project's own routes (WEB_CHAT_API_PREFIX). */
  prefix?: string;
  ownership: Ownership;
  /** Only a verified user (a token or a session), in both modes: the web chat's turns. */
  signedIn?: true;
  /** Its query parameters (each at most once). */
  query: z.ZodType<Record<string, unknown>>;
  /** Its JSON body; a route without one takes none (or `{}`). */
  body: z.ZodType;
  /** The users and conversations the validated body names (own-conversation routes). */
  names?: (body: never) => Named;
  /** What Mastra receives, built from the validated body and the settled ids (own-conversation routes). */
  forward?: (body: never, ids: RunIds) => object;
  /** A turn: it holds its conversation until its answer ends, and a second one meanwhile gets 409. */
  turn?: boolean;
  /** A workflow route that acts on a run that must exist already (?runId=). */
  existingRun?: boolean;
}

/** A route, typed by its body schema so that names and forward read the validated body. */
function route<Body extends z.ZodType>(spec: {
  method: AllowedRoute['method'];
  path: string;
  prefix?: string;
  ownership: Ownership;
  signedIn?: true;
  query?: Record<string, z.ZodType>;
  body?: Body;
  names?: (body: z.output<Body>) => Named;
  forward?: (body: z.output<Body>, ids: RunIds) => object;
  turn?: boolean;
  existingRun?: boolean;
}): AllowedRoute {
  return { ...spec, query: z.strictObject(spec.query ?? {}), body: spec.body ?? field.noBody } as AllowedRoute;
}

/** Memory stores a message under its id, whoever's conversation holds it: the ids are Mastra's to choose. */
function withoutMessageIds(messages: z.output<typeof field.messages>) {
  const strip = (message: (typeof list)[number]) => (typeof message === 'object' ? (({ id: _id, ...rest }) => rest)(message) : message);
  const list = Array.isArray(messages) ? messages : [messages];
  return Array.isArray(messages) ? list.map(strip) : strip(messages);
}

const threadOf = (thread: string | { id: string } | undefined) => (typeof thread === 'object' ? thread.id : thread);
const tracingOf = (ids: RunIds) => ({ metadata: { userId: ids.userId, conversationId: ids.conversationId } });

/** generate and stream: the messages and run settings; the conversation as Mastra clients name it. */
const agentCall = z.strictObject({
  messages: field.messages,
  memory: field.memory.optional(),
  resourceId: field.id.optional(),
  threadId: field.id.optional(),
  tracingOptions: field.tracingOptions.optional(),
  requestContext: field.emptyRequestContext.optional(),
  ...field.runSettings,
});
const agentCallRoute = (path: string) =>
  route({
    method: 'POST',
    path,
    ownership: 'own-conversation',
    turn: true,
    body: agentCall,
    names: (body) => ({
      users: [body.memory?.resource, body.resourceId, body.tracingOptions?.metadata?.userId],
      conversations: [threadOf(body.memory?.thread), body.threadId, body.tracingOptions?.metadata?.conversationId],
    }),
    forward: (body, ids) => ({
      messages: withoutMessageIds(body.messages),
      memory: { resource: ids.resource, thread: ids.thread },
      tracingOptions: tracingOf(ids),
      ...(body.maxSteps ? { maxSteps: body.maxSteps } : {}),
      ...(body.modelSettings ? { modelSettings: body.modelSettings } : {}),
    }),
  });

/** Studio's chat: a message to the thread, which starts a run when the thread is idle. */
const sendMessage = z.strictObject({
  message: field.studioMessage,
  resourceId: field.id,
  threadId: field.id,
  ifIdle: z
    .strictObject({
      streamOptions: z.strictObject({ ...field.runSettings, requestContext: field.emptyRequestContext.optional() }).optional(),
    })
    .optional(),
});
const subscribe = z.strictObject({ resourceId: field.id.optional(), threadId: field.id });

/** A workflow run's start: its input, as the workflow's own schema checks it, and how to run. */
const workflowStart = z.strictObject({
  inputData: z.json().optional(),
  initialState: z.json().optional(),
  resourceId: field.id.optional(),
  tracingOptions: field.tracingOptions.optional(),
  requestContext: field.emptyRequestContext.optional(),
  perStep: z.boolean().optional(),
  closeOnSuspend: z.boolean().optional(),
});
/** A suspended run's resume: the step and the data it waits for. */
const workflowResume = z.strictObject({
  step: z.union([z.string().max(256), z.array(z.string().max(256)).max(20)]).optional(),
  resumeData: z.json().optional(),
  tracingOptions: field.tracingOptions.optional(),
  requestContext: field.emptyRequestContext.optional(),
  perStep: z.boolean().optional(),
  forEachIndex: z.int().min(0).optional(),
});
const namedIn = (body: { resourceId?: string; tracingOptions?: z.output<typeof field.tracingOptions> }): Named => ({
  users: [body.resourceId, body.tracingOptions?.metadata?.userId],
  conversations: [body.tracingOptions?.metadata?.conversationId],
});
/** Only what the workflow's run takes; memory's resource is the server's (the request context's). */
const settingsOf = <T extends object>(body: T, keys: (keyof T)[]) =>
  Object.fromEntries(keys.filter((key) => body[key] !== undefined).map((key) => [key, body[key]]));
const workflowRun = (path: string, runId: 'optional' | 'required', existingRun = false) =>
  route({
    method: 'POST',
    path,
    ownership: 'own-run',
    existingRun,
    query: { runId: runId === 'required' ? field.id : field.id.optional() },
    body: workflowStart,
    names: namedIn,
    forward: (body, ids) => ({
      ...settingsOf(body, ['inputData', 'initialState', 'perStep', 'closeOnSuspend']),
      tracingOptions: tracingOf(ids),
    }),
  });
const workflowResumeRoute = (path: string) =>
  route({
    method: 'POST',
    path,
    ownership: 'own-run',
    existingRun: true,
    query: { runId: field.id },
    body: workflowResume,
    names: namedIn,
    forward: (body, ids) => ({ ...settingsOf(body, ['step', 'resumeData', 'perStep', 'forEachIndex']), tracingOptions: tracingOf(ids) }),
  });

const withContext = { requestContext: field.query.requestContext.optional() };
const threadQuery = { ...withContext, agentId: field.query.agentId.optional(), resourceId: field.query.resourceId.optional() };

export const ALLOWED_ROUTES: readonly AllowedRoute[] = [
  route({ method: 'GET', path: '/agents', ownership: 'shared-read', query: { ...withContext, partial: field.query.flag.optional() } }),
  route({ method: 'GET', path: '/agents/:agentId', ownership: 'shared-read', query: withContext }),
  agentCallRoute('/agents/:agentId/generate'),
  agentCallRoute('/agents/:agentId/stream'),
  // Studio's chat: it sends each message here and follows the thread's answer through subscribe.
  route({
    method: 'POST',
    path: '/agents/:agentId/send-message',
    ownership: 'own-conversation',
    body: sendMessage,
    names: (body) => ({ users: [body.resourceId], conversations: [body.threadId] }),
    forward: (body, ids) => ({
      message: body.message,
      resourceId: ids.resource,
      threadId: ids.thread,
      ifIdle: {
        streamOptions: {
          ...(body.ifIdle?.streamOptions?.maxSteps ? { maxSteps: body.ifIdle.streamOptions.maxSteps } : {}),
          ...(body.ifIdle?.streamOptions?.modelSettings ? { modelSettings: body.ifIdle.streamOptions.modelSettings } : {}),
          tracingOptions: tracingOf(ids),
        },
      },
    }),
  }),
  route({
    method: 'POST',
    path: '/agents/:agentId/threads/subscribe',
    ownership: 'own-conversation',
    body: subscribe,
    names: (body) => ({ users: [body.resourceId], conversations: [body.threadId] }),
    forward: (_body, ids) => ({ resourceId: ids.resource, threadId: ids.thread }),
  }),
  // What Studio reads when it opens and around its chat: this project's own definitions and settings,
  // no user's data (it asks again and again for what it is refused).
  route({ method: 'GET', path: '/agents/providers', ownership: 'shared-read' }),
  route({ method: 'GET', path: '/agents/:agentId/voice/speakers', ownership: 'shared-read', query: withContext }),
  route({ method: 'GET', path: '/editor/builder/settings', ownership: 'shared-read' }),
  route({ method: 'GET', path: '/editor/builder/models/available', ownership: 'shared-read' }),
  route({ method: 'GET', path: '/workflows', ownership: 'shared-read', query: { ...withContext, partial: field.query.flag.optional() } }),
  route({ method: 'GET', path: '/workflows/:workflowId', ownership: 'shared-read', query: withContext }),
  // Running a workflow: each run is its caller's, in the caller's conversation (the ids on every span).
  route({
    method: 'POST',
    path: '/workflows/:workflowId/create-run',
    ownership: 'own-run',
    query: { runId: field.id.optional() },
    body: z.strictObject({ resourceId: field.id.optional(), disableScorers: z.boolean().optional() }),
    names: (body) => ({ users: [body.resourceId], conversations: [] }),
    forward: (body) => settingsOf(body, ['disableScorers']),
  }),
  workflowRun('/workflows/:workflowId/start-async', 'optional'),
  workflowRun('/workflows/:workflowId/stream', 'required'),
  workflowRun('/workflows/:workflowId/start', 'required', true),
  workflowResumeRoute('/workflows/:workflowId/resume'),
  workflowResumeRoute('/workflows/:workflowId/resume-async'),
  route({ method: 'GET', path: '/tools', ownership: 'shared-read', query: withContext }),
  route({ method: 'GET', path: '/processors', ownership: 'shared-read', query: withContext }),
  route({ method: 'GET', path: '/scores/scorers', ownership: 'shared-read', query: withContext }),
  route({
    method: 'GET',
    path: '/mcp/v0/servers',
    ownership: 'shared-read',
    query: { page: field.query.page.optional(), perPage: field.query.perPage.optional() },
  }),
  route({ method: 'GET', path: '/system/packages', ownership: 'shared-read' }),
  route({ method: 'GET', path: '/memory/status', ownership: 'shared-read', query: { ...withContext, agentId: field.query.agentId } }),
  route({ method: 'GET', path: '/memory/config', ownership: 'shared-read', query: { ...withContext, agentId: field.query.agentId } }),
  route({
    method: 'GET',
    path: '/memory/threads',
    ownership: 'own-conversation-list',
    query: {
      ...threadQuery,
      page: field.query.page.optional(),
      perPage: field.query.perPage.optional(),
      orderBy: field.query.threadsOrderBy.optional(),
    },
  }),
  route({ method: 'GET', path: '/memory/threads/:threadId', ownership: 'own-thread', query: threadQuery }),
  route({
    method: 'GET',
    path: '/memory/threads/:threadId/messages',
    ownership: 'own-thread',
    query: {
      ...threadQuery,
      page: field.query.page.optional(),
      perPage: field.query.perPage.optional(),
      orderBy: field.query.messagesOrderBy.optional(),
      includeSystemReminders: field.query.flag.optional(),
    },
  }),
  route({
    method: 'GET',
    path: '/memory/threads/:threadId/working-memory',
    ownership: 'own-thread',
    query: { ...threadQuery, agentId: field.query.agentId },
  }),
  route({
    method: 'DELETE',
    path: '/memory/threads/:threadId',
    ownership: 'own-thread',
    query: { ...threadQuery, agentId: field.query.agentId },
  }),
];

export const API_PREFIX = '/api';
/**
 * The web chat's own routes (server/web-chat.ts): Mastra keeps every path under /api for its routes,
 * so the page's data routes live here, and the gate guards both prefixes alike.
 */
export const WEB_CHAT_API_PREFIX = '/chat/api';
/** Every path the gate guards (refusal.ts's isApiPath): written here once. */
export const API_PREFIXES = [API_PREFIX, WEB_CHAT_API_PREFIX] as const;

/** The new message's text, for a new conversation's title in the page's list. */
const titleOf = (message: z.output<typeof field.uiMessage> | undefined) =>
  (message?.parts.map((part) => (part.type === 'text' ? part.text : '')).join(' ') ?? '').replace(/\s+/g, ' ').trim().slice(0, 80) ||
  'New conversation';

/** useChat's request body: the conversation (its chat id), the messages, why it was sent. */
const webChatTurn = z.strictObject({
  id: field.id,
  messages: z
    .array(field.uiMessage)
    .min(1)
    .max(field.MAX_MESSAGES)
    .refine((messages) => messages.at(-1)?.role === 'user', { message: 'the last message must be the new user message' }),
  trigger: z.literal('submit-message'),
  messageId: z.string().max(128).optional(),
});

/**
 * The web chat's routes, custom routes of this project's (not in Mastra's route table), on the same
 * allow-list: the gate checks them exactly as the routes above.
 */
export const WEB_CHAT_ROUTES: readonly AllowedRoute[] = [
  // One turn of the page's chat (@mastra/ai-sdk's chatRoute on the default agent). Only the new user
  // message reaches the agent, whatever history the client sends: memory holds the conversation, so
  // each turn is counted once, with its own message as the trace's input.
  route({
    method: 'POST',
    path: '/chat',
    prefix: WEB_CHAT_API_PREFIX,
    ownership: 'own-conversation',
    signedIn: true,
    turn: true,
    body: webChatTurn,
    names: (body) => ({ users: [], conversations: [body.id] }),
    forward: (body, ids) => ({
      // A new id: memory stores a message under its id, whoever's conversation holds it.
      messages: body.messages.slice(-1).map((message) => ({ ...message, id: randomUUID() })),
      memory: { resource: ids.resource, thread: { id: ids.thread, title: titleOf(body.messages.at(-1)) } },
      tracingOptions: tracingOf(ids),
    }),
  }),
];

/** Every route the gate lets through: Mastra's offered routes and the web chat's. */
const EVERY_ROUTE = [...ALLOWED_ROUTES, ...WEB_CHAT_ROUTES];
/** The route's path as Mastra registers it: its prefix and its path. */
export const fullPathOf = (allowed: AllowedRoute) => `${allowed.prefix ?? API_PREFIX}${allowed.path}`;

const parameterCount = (path: string) => path.split(':').length - 1;
// Literal paths first: GET /agents/providers is that route, not GET /agents/:agentId.
const MATCHERS = [...EVERY_ROUTE]
  .sort((a, b) => parameterCount(a.path) - parameterCount(b.path))
  .map((allowed) => ({
    route: allowed,
    // A parameter is one path segment, as Hono's router reads it.
    pattern: new RegExp(`^${fullPathOf(allowed).replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`),
  }));

/** Whether a route as Mastra registers it (method, full path) is on the list. */
export function isAllowed(method: string, registeredPath: string): boolean {
  const asMethod = method === 'HEAD' ? 'GET' : method;
  return EVERY_ROUTE.some((allowed) => allowed.method === asMethod && fullPathOf(allowed) === registeredPath);
}

/** The allowed route a request's path names (HEAD reads as GET, as in Hono), with its path parameters. */
export function allowedRoute(method: string, path: string): { route: AllowedRoute; params: Record<string, string> } | undefined {
  const asMethod = method === 'HEAD' ? 'GET' : method;
  for (const { route: allowed, pattern } of MATCHERS) {
    const match = allowed.method === asMethod ? pattern.exec(path) : null;
    if (match) return { route: allowed, params: { ...match.groups } };
  }
  return undefined;
}
