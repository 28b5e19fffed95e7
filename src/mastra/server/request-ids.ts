// Server side of the id threading: an HTTP caller's user and conversation ids reach every span of
// its request and select its memory, exactly like the chat's askAgent() calls.
//
// Ids come from the x-user-id and x-conversation-id headers, else from what the caller already chose
// in the body: tracingOptions.metadata, memory.resource / memory.thread (Mastra clients), top-level
// resourceId / threadId (Mastra Studio), or the request context; else the defaults below. The thread
// and resource a caller chose are never changed: only a header or a default sets them.
// Studio names the agent as its resource: its turns are attributed to the local developer (the chat's
// user id, CHAT_USER_ID or this machine's pseudonymous id), not to a user named after the agent.
// With JWT auth on (auth.ts), the token's user is the only user: it is the userId and the memory
// resource; x-user-id and Studio's top-level resourceId (the agent's id) are replaced by it, and any
// other id in the body that names someone else (tracingOptions.metadata, memory.resource, a top-level
// resourceId, the request context) is refused with 403. Either way a conversation that belongs to another user is refused with 403,
// without naming that user.
import { randomUUID } from 'node:crypto';
import { MASTRA_RESOURCE_ID_KEY, MASTRA_THREAD_ID_KEY } from '@mastra/core/request-context';
import type { Middleware } from '@mastra/core/server';
import { ID_RULE, isValidId } from '../../settings/ids.ts';
import { userOf } from './auth.ts';
import { refuse } from './refusal.ts';
import { readBody } from './request-body.ts';
import { ownersOf } from './thread-owner.ts';

export const USER_ID_HEADER = 'x-user-id';
export const CONVERSATION_ID_HEADER = 'x-conversation-id';
/** Without an id, a request counts as an anonymous user's one-off conversation. */
export const DEFAULT_USER_ID = 'anonymous';
const AGENT_CALL = /^\/api\/agents\/([^/]+)\/./;

interface AgentRequestBody {
  tracingOptions?: { metadata?: Record<string, unknown> };
  // Mastra clients send the thread as an id or as { id, ... }.
  memory?: { resource?: unknown; thread?: unknown };
  resourceId?: unknown;
  threadId?: unknown;
  requestContext?: Record<string, unknown>;
}

function threadIdOf(thread: unknown): unknown {
  return thread && typeof thread === 'object' ? (thread as { id?: unknown }).id : thread;
}

function firstString(...candidates: unknown[]): string | undefined {
  return candidates.find((candidate): candidate is string => typeof candidate === 'string' && candidate !== '');
}

function objectOr(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** What the caller chose in the body: ids for the spans, and the memory resource and thread. */
function idsInBody(body: AgentRequestBody) {
  const metadata = objectOr(objectOr(body.tracingOptions).metadata);
  const context = objectOr(body.requestContext);
  const memory = objectOr(body.memory);
  const resource = firstString(memory.resource, body.resourceId, context[MASTRA_RESOURCE_ID_KEY]);
  const thread = firstString(threadIdOf(memory.thread), body.threadId, context[MASTRA_THREAD_ID_KEY]);
  return {
    ids: {
      userId: firstString(metadata.userId, resource, context.userId),
      conversationId: firstString(metadata.conversationId, thread, context.conversationId),
      resource,
      thread,
    },
    /** Every id in the body that names a user, but the top-level resourceId (Studio names the agent there). */
    namedUsers: [metadata.userId, metadata.resourceId, memory.resource, context[MASTRA_RESOURCE_ID_KEY], context.userId],
    /** Every id in the body that names a conversation: each must be the caller's own, or new. */
    namedConversations: [metadata.conversationId, metadata.threadId, threadIdOf(memory.thread), body.threadId, context[MASTRA_THREAD_ID_KEY], context.conversationId],
  };
}

export function requestIds({ localUserId }: { localUserId: string }): Middleware {
  return {
    path: '/api/agents/*',
    handler: async (c, next) => {
      const headers = { userId: c.req.header(USER_ID_HEADER), conversationId: c.req.header(CONVERSATION_ID_HEADER) };
      for (const [name, value] of [
        [USER_ID_HEADER, headers.userId],
        [CONVERSATION_ID_HEADER, headers.conversationId],
      ] as const) {
        if (value !== undefined && !isValidId(value)) return refuse(c, 400, `the ${name} header: use ${ID_RULE}`);
      }
      const agentId = AGENT_CALL.exec(c.req.path)?.[1];
      if (c.req.method !== 'POST' || agentId === undefined) return next();
      const read = await readBody(c.req.raw);
      if (read.tooLarge) return next(); // request-guard.ts has refused it already
      const { ids: body, namedUsers, namedConversations } = idsInBody(read.json as AgentRequestBody);
      for (const [name, value] of Object.entries(body)) {
        if (value !== undefined && !isValidId(value)) return refuse(c, 400, `${name} in the request body: use ${ID_RULE}`);
      }
      // With auth on, route-gate.ts has read the token's user; without, there is none.
      const tokenUser = userOf(c.req.raw);
      // Studio's top-level resourceId is the agent's id (replaced below); any other names a user.
      const topLevelResource = read.json.resourceId === agentId ? undefined : read.json.resourceId;
      if (tokenUser !== undefined && [...namedUsers, topLevelResource].some((named) => named !== undefined && named !== tokenUser)) {
        return refuse(c, 403, 'the request names another user; leave the user out, it is the token\'s');
      }
      // Studio's resource is the agent's id: its turns are the local developer's.
      const studioResource = body.resource === agentId && body.resource === firstString(read.json.resourceId);
      const bodyUserId = studioResource && body.userId === body.resource ? localUserId : body.userId;
      const userId = tokenUser ?? headers.userId ?? bodyUserId ?? DEFAULT_USER_ID;
      const conversationId = headers.conversationId ?? body.conversationId ?? randomUUID();
      // The memory resource and thread: the token's user or the header's ids, else the ones the caller
      // chose (also where a route ignores them, as generate does top-level ones), else the span ids.
      const resource = tokenUser ?? headers.userId ?? body.resource ?? userId;
      const thread = headers.conversationId ?? body.thread ?? conversationId;
      const conversations = new Set([thread, conversationId, ...namedConversations.filter((id): id is string => typeof id === 'string' && id !== '')]);
      const owners = await ownersOf(c.get('mastra'), conversations);
      if (!owners) return refuse(c, 503, 'try again shortly', { logged: false });
      if (owners.some((owner) => owner !== undefined && owner !== resource)) {
        return refuse(c, 403, 'this conversation belongs to another user: continue one of your own, or start a new one');
      }

      const requestContext = c.get('requestContext');
      // Read by observability's requestContextKeys: mastra.metadata.userId / conversationId on every span.
      requestContext.set('userId', userId);
      requestContext.set('conversationId', conversationId);
      // Reserved keys, which win over the body.
      requestContext.set(MASTRA_RESOURCE_ID_KEY, resource);
      requestContext.set(MASTRA_THREAD_ID_KEY, thread);
      await next();
    },
  };
}
