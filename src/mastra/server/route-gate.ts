// The gate every API request goes through first, in both modes (server-options.ts installs it with
// mastra.setServerMiddleware, which Mastra's server runs before every route, the browser-view routes it
// adds outside its route table included):
// 1. who is calling (caller.ts): with auth on, a valid token or session, or 401;
// 2. with auth on, only the routes in routes.ts (403 with one line for every other, now or in a later
//    Mastra version); without auth every route is open, and request-guard.ts checks their bodies; the
//    web chat's turns need a signed-in user in both modes;
// 3. on a listed route, its query and body as its schemas say (400 naming the field otherwise), the
//    conversation it names the caller's own (else 404, as if absent), and what reaches Mastra rebuilt
//    by the server (routes.ts's forward): ids, tracing and memory are the server's.
import { randomUUID } from 'node:crypto';
import { MASTRA_RESOURCE_ID_KEY, MASTRA_THREAD_ID_KEY } from '@mastra/core/request-context';
import type { Middleware } from '@mastra/core/server';
import type { z } from 'zod';
import type { ConversationTurns, EndTurn } from '../conversation-turns.ts';
import { carryIds, DEFAULT_USER_ID, identify, type Caller, type Identity } from './caller.ts';
import { isApiPath, refuse, type MiddlewareContext, type RefusalStatus } from './refusal.ts';
import { BODY_LIMIT_BYTES, readBody } from './request-body.ts';
import { jsonDepth, MAX_BODY_DEPTH, mediaProblem } from './request-guard.ts';
import { capsProblem, describeIssue } from './request-schemas.ts';
import { allowedRoute, fullPathOf, isAllowed, type AllowedRoute, type Named, type RunIds } from './routes.ts';
import { ownersOf, runOwner } from './thread-owner.ts';

/** Mastra's browser-view WebSocket, outside the API prefix: no route of this project's. */
const BROWSER_STREAM_PREFIX = '/browser/';
/** How Hono records Mastra's `app.get('*')` Studio page fallback. */
const PAGE_FALLBACK = new Set(['*', '/*']);
/** How Studio says a request is its own. */
const STUDIO_CLIENT_HEADER = 'x-mastra-client-type';
/** The one answer for another user's conversation and one that does not exist. */
export const NO_SUCH_CONVERSATION = 'no such conversation';
export const NO_SUCH_RUN = 'no such workflow run';

/**
 * Where Mastra's server keeps a copy of a request's body for its custom routes (the web chat's), read
 * instead of the request this gate rebuilt: the gate puts the rebuilt one there too.
 */
const CUSTOM_ROUTE_BODY_KEY = '__mastraPristineRequest';

export interface GateOptions {
  /** How callers prove who they are, and whether they must (auth on). */
  identity: Identity;
  /** Who Studio's turns belong to without auth: the local developer. */
  localUserId: string;
  allowedMediaUrlPrefixes: readonly string[];
  /** One turn at a time per conversation (storage.ts). */
  turns: ConversationTurns;
}

/** `logged: false` where a log line was written already. */
type Refusal = { status: RefusalStatus; problem: string; logged?: false };
const isRefusal = (value: unknown): value is Refusal => !!value && typeof value === 'object' && 'problem' in value;

/** The routes that will answer, as Hono matched them (registered paths). */
function handlersOf(c: MiddlewareContext): string[] {
  // Middleware is registered for ALL methods, and GET /* is the Studio page fallback, which hands /api
  // paths on. c.req.matchedRoutes is deprecated for hono/route's helper; hono is Mastra's, not ours.
  return c.req.matchedRoutes
    .filter((matched) => matched.method !== 'ALL' && !PAGE_FALLBACK.has(matched.path))
    .map((matched) => matched.path);
}

function firstIssue(result: z.ZodSafeParseResult<unknown>, input: unknown, where: string): Refusal | undefined {
  return result.success ? undefined : { status: 400, problem: describeIssue(result.error.issues[0]!, input, where) };
}

/** The query parameters and body, as the route's schemas read them. */
async function validated(request: Request, allowed: AllowedRoute): Promise<{ query: Record<string, unknown>; body: unknown } | Refusal> {
  const params = new URL(request.url).searchParams;
  const repeated = [...params.keys()].find((key, index, keys) => keys.indexOf(key) !== index);
  if (repeated) return { status: 400, problem: `${repeated}: given more than once` };
  const given = Object.fromEntries(params);
  const query = allowed.query.safeParse(given);
  const queryProblem = firstIssue(query, given, 'query');
  if (queryProblem) return queryProblem;

  // Read, not copied: admit() hands Mastra the body the server builds, never this one.
  const read = await readBody(request, { consume: true });
  if (read.tooLarge) return { status: 413, problem: `the body is larger than ${BODY_LIMIT_BYTES} bytes` };
  if (read.malformed) return { status: 400, problem: 'the body is not valid JSON' };
  if (jsonDepth(read.text) > MAX_BODY_DEPTH) return { status: 400, problem: `the body is nested deeper than ${MAX_BODY_DEPTH} levels` };
  const value = read.value ?? {};
  const body = allowed.body.safeParse(value);
  return firstIssue(body, value, '') ?? { query: query.data as Record<string, unknown>, body: body.data };
}

/** The run's ids: the caller's user, and the one conversation the request names (or a new one). */
/** `studioClient`: Studio sent it (its turns without a named user are the local developer's). */
function settleIds(caller: Caller, named: Named, agentId: string, studioClient: boolean, localUserId: string): RunIds | Refusal {
  const given = (ids: (string | undefined)[]) => [...new Set(ids.filter((id): id is string => id !== undefined))];
  // Studio names the agent as its memory resource: not a user.
  const users = given(named.users);
  const bodyUsers = users.filter((user) => user !== agentId);
  const conversations = given([caller.conversation, ...named.conversations]);
  if (conversations.length > 1) return { status: 400, problem: 'the request names more than one conversation; name one' };
  const conversationId = conversations[0] ?? randomUUID();
  if (caller.verified) {
    if (bodyUsers.some((user) => user !== caller.user)) {
      return { status: 403, problem: "the request names another user; leave the user out, it is the token's" };
    }
    return { userId: caller.user!, conversationId, resource: caller.user!, thread: conversationId };
  }
  if (bodyUsers.length > 1) return { status: 400, problem: 'the request names more than one user; name one' };
  const studio = users.includes(agentId) && bodyUsers.length === 0;
  const userId = caller.user ?? bodyUsers[0] ?? (studio || studioClient ? localUserId : DEFAULT_USER_ID);
  // Studio keeps its threads under the agent's id (it lists them so); its turns are the local developer's.
  const resource = caller.user ?? bodyUsers[0] ?? (studio ? agentId : userId);
  return { userId, conversationId, resource, thread: conversationId };
}

function decodedParam(param: string): string | undefined {
  try {
    return decodeURIComponent(param);
  } catch {
    return undefined;
  }
}

/** The request Mastra's route reads: the same, with the body the server built (or none). */
function withBody(request: Request, body: object | undefined): Request {
  const headers = new Headers(request.headers);
  for (const name of ['content-length', 'transfer-encoding', 'content-type']) headers.delete(name);
  if (body === undefined) return new Request(request.url, { method: request.method, headers, signal: request.signal });
  const text = JSON.stringify(body);
  headers.set('content-type', 'application/json');
  // Its length given, as a client gives it: Mastra's body limit then reads the header instead of
  // reading the whole body into yet another copy.
  headers.set('content-length', String(Buffer.byteLength(text)));
  return new Request(request.url, { method: request.method, headers, signal: request.signal, body: text });
}

/**
 * The answer as Mastra sends it, ending the turn once its body has been sent or dropped. A turn whose end
 * cannot be written (the database is down) keeps its conversation until its lease lapses.
 */
function endingTurn(response: Response, endTurn: EndTurn): Response {
  const end = () => endTurn().catch(() => undefined);
  const reader = response.body?.getReader();
  if (!reader) {
    void end();
    return response;
  }
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        await end();
        throw error;
      }
      if (!chunk.done) return controller.enqueue(chunk.value);
      controller.close();
      await end();
    },
    async cancel(reason) {
      await reader.cancel(reason);
      await end();
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** Checks a listed route's request and hands Mastra what the server built from it; a turn's end, if it began one. */
async function admit(
  c: MiddlewareContext,
  caller: Caller,
  allowed: { route: AllowedRoute; params: Record<string, string> },
  options: GateOptions,
): Promise<Refusal | { endTurn?: EndTurn }> {
  const request = await validated(c.req.raw, allowed.route);
  if (isRefusal(request)) return request;
  const problem = capsProblem(request.body) ?? mediaProblem(request.body, options.allowedMediaUrlPrefixes);
  if (problem) return { status: 400, problem } satisfies Refusal;
  const { route } = allowed;
  const mastra = c.get('mastra');
  // Hono decodes path parameters as it routes them: the ids read the same way, or not at all.
  const [threadId, agentId, workflowId] = [allowed.params.threadId, allowed.params.agentId, allowed.params.workflowId].map((param) =>
    param === undefined ? '' : decodedParam(param),
  );
  if (threadId === undefined || agentId === undefined || workflowId === undefined)
    return { status: 400, problem: 'the path is not valid percent-encoding' };

  if (route.ownership === 'own-thread' && caller.verified) {
    const owners = await ownersOf(mastra, [threadId]);
    if (!owners) return { status: 503, problem: 'try again shortly', logged: false } satisfies Refusal;
    if (owners[0] !== caller.user) return { status: 404, problem: NO_SUCH_CONVERSATION } satisfies Refusal;
  }

  let endTurn: EndTurn | undefined;
  let forwarded = route.method === 'POST' || route.method === 'DELETE' ? (request.body as object) : undefined;
  if (route.names && route.forward) {
    const studioClient = c.req.header(STUDIO_CLIENT_HEADER) === 'studio';
    const ids = settleIds(caller, route.names(request.body as never), agentId, studioClient, options.localUserId);
    if (isRefusal(ids)) return ids;
    const owners = await ownersOf(mastra, [ids.thread]);
    if (!owners) return { status: 503, problem: 'try again shortly', logged: false } satisfies Refusal;
    if (owners[0] !== undefined && owners[0] !== ids.resource) return { status: 404, problem: NO_SUCH_CONVERSATION } satisfies Refusal;
    const runId = request.query.runId;
    if (route.ownership === 'own-run' && typeof runId === 'string') {
      const run = await runOwner(mastra, workflowId, runId);
      if (run === 'unavailable') return { status: 503, problem: 'try again shortly', logged: false } satisfies Refusal;
      // Another user's run reads as no run at all; a new run id starts one (unless the route needs one).
      if (run === 'absent' ? route.existingRun : run.resourceId !== ids.resource)
        return { status: 404, problem: NO_SUCH_RUN } satisfies Refusal;
    }
    if (route.turn) {
      try {
        endTurn = await options.turns.begin(ids.thread);
      } catch (error) {
        mastra.getLogger().error('Memory storage unavailable', error);
        return { status: 503, problem: 'try again shortly', logged: false } satisfies Refusal;
      }
      if (!endTurn)
        return { status: 409, problem: 'a turn is already running in this conversation; send this message once it has answered' };
    }
    const requestContext = c.get('requestContext');
    carryIds(requestContext, ids);
    // Reserved keys, which win over anything else that names memory's resource and thread.
    requestContext.set(MASTRA_RESOURCE_ID_KEY, ids.resource);
    requestContext.set(MASTRA_THREAD_ID_KEY, ids.thread);
    forwarded = route.forward(request.body as never, ids);
  }
  if (route.method !== 'GET') {
    c.req.raw = withBody(c.req.raw, Object.keys(forwarded ?? {}).length > 0 ? forwarded : undefined);
    // Hono's typed context names only Mastra's public keys; this one is its custom-route bridge's.
    const context = c as unknown as { get(key: string): unknown; set(key: string, value: unknown): void };
    if (context.get(CUSTOM_ROUTE_BODY_KEY)) context.set(CUSTOM_ROUTE_BODY_KEY, c.req.raw.clone());
  }
  return { endTurn };
}

export function routeGate(options: GateOptions): Middleware {
  const { identity } = options;
  const authOn = identity.required;
  return {
    path: '*',
    handler: async (c, next) => {
      const browserStream = c.req.path.startsWith(BROWSER_STREAM_PREFIX);
      if (!isApiPath(c.req.path) && !(authOn && browserStream)) return next();
      const caller = await identify(c.req.raw, identity);
      if ('problem' in caller) return refuse(c, caller.status, caller.problem);
      const allowed = browserStream ? undefined : allowedRoute(c.req.method, c.req.path);
      const handlers = handlersOf(c);
      const listed = handlers.filter((path) => isAllowed(c.req.method, path));
      // With auth on, every handler must be a listed route: a parameter never stands for a literal route.
      if (authOn && (!allowed || handlers.length === 0 || listed.length !== handlers.length)) {
        return refuse(c, 403, 'this route is not offered by this server');
      }
      // The first handler answers: when it is a listed route, the path must read as that route, so its
      // schema is the one that applies.
      const answering = handlers[0];
      if (answering && isAllowed(c.req.method, answering) && answering !== (allowed && fullPathOf(allowed.route))) {
        return refuse(c, 400, 'the path does not name one route plainly');
      }
      if (allowed?.route.signedIn && !caller.verified) return refuse(c, 401, 'sign in first');
      if (!allowed) {
        // Without auth, a route this project does not list still gets the headers' ids on its spans.
        const studio = c.req.header(STUDIO_CLIENT_HEADER) === 'studio';
        carryIds(c.get('requestContext'), {
          userId: caller.user ?? (studio ? options.localUserId : DEFAULT_USER_ID),
          conversationId: caller.conversation,
        });
        return next();
      }
      if (caller.verified) {
        carryIds(c.get('requestContext'), { userId: caller.user });
        // Mastra's memory routes list and read the conversations of this resource, in both modes.
        c.get('requestContext').set(MASTRA_RESOURCE_ID_KEY, caller.user);
      }
      const admitted = await admit(c, caller, allowed, options);
      if (isRefusal(admitted)) return refuse(c, admitted.status, admitted.problem, { logged: admitted.logged ?? true });
      if (!admitted.endTurn) return next();
      try {
        await next();
      } catch (error) {
        await admitted.endTurn().catch(() => undefined);
        throw error;
      }
      c.res = endingTurn(c.res, admitted.endTurn);
    },
  };
}
