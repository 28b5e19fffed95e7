// Server side of the id threading: an HTTP caller's user and conversation ids reach every span of
// its request and select its memory, exactly like the chat's askAgent() calls.
//
// Ids come from the x-user-id and x-conversation-id headers, else from the body a Mastra client
// sends (tracingOptions.metadata, or memory.resource / memory.thread), else the defaults below.
import { randomUUID } from 'node:crypto';
import { MASTRA_RESOURCE_ID_KEY, MASTRA_THREAD_ID_KEY } from '@mastra/core/request-context';
import type { Middleware } from '@mastra/core/server';
import { isValidId } from '../ask-agent.ts';

export const USER_ID_HEADER = 'x-user-id';
export const CONVERSATION_ID_HEADER = 'x-conversation-id';
/** Without an id, a request counts as an anonymous user's one-off conversation. */
export const DEFAULT_USER_ID = 'anonymous';

interface AgentRequestBody {
  tracingOptions?: { metadata?: { userId?: unknown; conversationId?: unknown } };
  // Mastra clients send the thread as an id or as { id, ... }.
  memory?: { resource?: unknown; thread?: unknown };
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
    return body && typeof body === 'object' ? (body as AgentRequestBody) : {};
  } catch {
    return {}; // malformed JSON: the agent route answers that itself
  }
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
    const body = c.req.method === 'POST' ? await readBody(c.req.raw) : {};
    const userId =
      headers.userId ?? firstString(body.tracingOptions?.metadata?.userId, body.memory?.resource) ?? DEFAULT_USER_ID;
    const conversationId =
      headers.conversationId ??
      firstString(body.tracingOptions?.metadata?.conversationId, threadIdOf(body.memory?.thread)) ??
      randomUUID();
    if (!isValidId(userId) || !isValidId(conversationId)) {
      return c.json({ error: 'Invalid userId or conversationId in the request body: use 1 to 128 printable characters without spaces.' }, 400);
    }

    const requestContext = c.get('requestContext');
    // Read by observability's requestContextKeys: mastra.metadata.userId / conversationId on every span.
    requestContext.set('userId', userId);
    requestContext.set('conversationId', conversationId);
    // Reserved keys: the same ids select the memory resource and thread, whatever the body says.
    requestContext.set(MASTRA_RESOURCE_ID_KEY, userId);
    requestContext.set(MASTRA_THREAD_ID_KEY, conversationId);
    await next();
  },
};
