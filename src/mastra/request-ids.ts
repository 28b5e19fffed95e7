// Server side of the id threading: an HTTP caller's user and conversation ids reach every span of
// its request and select its memory, exactly like the chat's askAgent() calls.
//
// Ids come from the x-user-id and x-conversation-id headers, else from what the caller already chose
// in the body: tracingOptions.metadata, memory.resource / memory.thread (Mastra clients), top-level
// resourceId / threadId (Mastra Studio), or the request context; else the defaults below. The thread
// and resource a caller chose are never changed: only a header or a default sets them.
import { randomUUID } from 'node:crypto';
import { MASTRA_RESOURCE_ID_KEY, MASTRA_THREAD_ID_KEY } from '@mastra/core/request-context';
import type { Middleware } from '@mastra/core/server';
import { isValidId } from '../ask-agent.ts';

export const USER_ID_HEADER = 'x-user-id';
export const CONVERSATION_ID_HEADER = 'x-conversation-id';
/** Without an id, a request counts as an anonymous user's one-off conversation. */
export const DEFAULT_USER_ID = 'anonymous';

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

async function readBody(request: Request): Promise<AgentRequestBody> {
  if (!request.headers.get('content-type')?.includes('application/json')) return {};
  try {
    // A clone, so the agent route still reads the untouched body.
    const body: unknown = await request.clone().json();
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as AgentRequestBody) : {};
  } catch {
    return {}; // malformed JSON: the agent route answers that itself
  }
}

/** What the caller chose in the body: ids for the spans, and the memory resource and thread. */
function idsInBody(body: AgentRequestBody) {
  const metadata = body.tracingOptions?.metadata ?? {};
  const context = body.requestContext && typeof body.requestContext === 'object' ? body.requestContext : {};
  const resource = firstString(body.memory?.resource, body.resourceId, context[MASTRA_RESOURCE_ID_KEY]);
  const thread = firstString(threadIdOf(body.memory?.thread), body.threadId, context[MASTRA_THREAD_ID_KEY]);
  return {
    userId: firstString(metadata.userId, resource, context.userId),
    conversationId: firstString(metadata.conversationId, thread, context.conversationId),
    resource,
    thread,
  };
}

export const requestIds: Middleware = {
  path: '/api/agents/*',
  handler: async (c, next) => {
    const headers = { userId: c.req.header(USER_ID_HEADER), conversationId: c.req.header(CONVERSATION_ID_HEADER) };
    for (const [name, value] of [
      [USER_ID_HEADER, headers.userId],
      [CONVERSATION_ID_HEADER, headers.conversationId],
    ] as const) {
      if (value !== undefined && !isValidId(value)) {
        return c.json({ error: `Invalid ${name} header: use 1 to 128 printable characters without spaces.` }, 400);
      }
    }
    if (c.req.method !== 'POST') return next();
    const body = idsInBody(await readBody(c.req.raw));
    for (const [name, value] of Object.entries(body)) {
      if (value !== undefined && !isValidId(value)) {
        return c.json({ error: `Invalid ${name} in the request body: use 1 to 128 printable characters without spaces.` }, 400);
      }
    }
    const userId = headers.userId ?? body.userId ?? DEFAULT_USER_ID;
    const conversationId = headers.conversationId ?? body.conversationId ?? randomUUID();

    const requestContext = c.get('requestContext');
    // Read by observability's requestContextKeys: mastra.metadata.userId / conversationId on every span.
    requestContext.set('userId', userId);
    requestContext.set('conversationId', conversationId);
    // Reserved keys, which win over the body: the memory resource and thread are the header's ids, else
    // the ones the caller chose (also where a route ignores them, as generate does top-level ones),
    // else the ids the spans carry.
    requestContext.set(MASTRA_RESOURCE_ID_KEY, headers.userId ?? body.resource ?? userId);
    requestContext.set(MASTRA_THREAD_ID_KEY, headers.conversationId ?? body.thread ?? conversationId);
    await next();
  },
};
