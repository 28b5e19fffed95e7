// Server side of the id threading: an HTTP caller's user and conversation ids reach every span of
// its request and select its memory, exactly like the chat's askAgent() calls.
//
// Ids come from the x-user-id and x-conversation-id headers, else from what the caller already chose
// in the body: tracingOptions.metadata, memory.resource / memory.thread (Mastra clients), top-level
// resourceId / threadId (Mastra Studio), or the request context; else the defaults below. The thread
// and resource a caller chose are never changed: only a header or a default sets them.
// With JWT auth on (auth.ts), the token's user is the userId and x-user-id is ignored. Either way a
// conversation that belongs to another user is refused with 403, without naming that user.
import { randomUUID } from 'node:crypto';
import { MASTRA_RESOURCE_ID_KEY, MASTRA_THREAD_ID_KEY } from '@mastra/core/request-context';
import type { MastraJwtAuth } from '@mastra/auth';
import type { Mastra } from '@mastra/core/mastra';
import type { Middleware } from '@mastra/core/server';
import { isValidId } from '../../settings/ids.ts';
import { tokenUser } from './auth.ts';
import { readJsonBody } from './request-body.ts';

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

/** The user that owns a conversation (memory thread), if it exists. */
async function ownerOf(mastra: Mastra, threadId: string): Promise<string | undefined> {
  const memory = await mastra.getStorage()?.getStore('memory');
  return (await memory?.getThreadById({ threadId }))?.resourceId;
}

export function requestIds({ auth }: { auth?: MastraJwtAuth } = {}): Middleware {
  return {
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
      // With auth, only a valid token's user; without one the route itself answers 401.
      const authenticatedUser = auth ? await tokenUser(auth, c.req.header('authorization')) : undefined;
      if (auth && !authenticatedUser) return next();
      const body = idsInBody((await readJsonBody(c.req.raw)).json as AgentRequestBody);
      for (const [name, value] of Object.entries(body)) {
        if (value !== undefined && !isValidId(value)) {
          return c.json({ error: `Invalid ${name} in the request body: use 1 to 128 printable characters without spaces.` }, 400);
        }
      }
      const userId = authenticatedUser ?? headers.userId ?? body.userId ?? DEFAULT_USER_ID;
      const conversationId = headers.conversationId ?? body.conversationId ?? randomUUID();
      // The memory resource and thread: the token's user or the header's ids, else the ones the caller
      // chose (also where a route ignores them, as generate does top-level ones), else the span ids.
      const resource = authenticatedUser ?? headers.userId ?? body.resource ?? userId;
      const thread = headers.conversationId ?? body.thread ?? conversationId;
      let owner: string | undefined;
      try {
        owner = await ownerOf(c.get('mastra'), thread);
      } catch (error) {
        // The database is unreachable (restarting, failing over): a clean answer, and one log line.
        c.get('mastra').getLogger().error('Memory storage unavailable', error);
        return c.json({ error: 'Conversation storage is unavailable: try again shortly.' }, 503);
      }
      if (owner !== undefined && owner !== resource) {
        return c.json({ error: 'This conversation belongs to another user: continue one of your own, or start a new one.' }, 403);
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
