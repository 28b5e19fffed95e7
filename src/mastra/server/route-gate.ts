// The gate every API request goes through first, in both modes (server-options.ts installs it with
// mastra.setServerMiddleware, which Mastra's server runs before every route, the browser-view routes it
// adds outside its route table included):
// 1. who is calling (caller.ts): with auth on, a valid token or 401;
// 2. with auth on, only the routes in routes.ts (403 with one line for every other, now or in a later
//    Mastra version); without auth every route is open, and request-guard.ts checks their bodies;
// 3. on a listed route, its query and body as its schemas say (400 naming the field otherwise), the
//    conversation it names the caller's own (else 404, as if absent), and what reaches Mastra rebuilt
//    by the server (routes.ts's forward): ids, tracing and memory are the server's.
import { randomUUID } from 'node:crypto';
import { MASTRA_RESOURCE_ID_KEY, MASTRA_THREAD_ID_KEY } from '@mastra/core/request-context';
import type { Middleware } from '@mastra/core/server';
import type { z } from 'zod';
import type { TokenRules } from './auth.ts';
import { carryIds, DEFAULT_USER_ID, identify, type Caller } from './caller.ts';
import { isApiPath, refuse, type MiddlewareContext, type RefusalStatus } from './refusal.ts';
import { BODY_LIMIT_BYTES, readBody } from './request-body.ts';
import { jsonDepth, MAX_BODY_DEPTH, mediaProblem } from './request-guard.ts';
import { describeIssue } from './request-schemas.ts';
import { allowedRoute, isAllowed, type AllowedRoute, type Named, type RunIds } from './routes.ts';
import { ownersOf } from './thread-owner.ts';

/** Mastra's browser-view WebSocket, outside the API prefix: no route of this project's. */
const BROWSER_STREAM_PREFIX = '/browser/';
/** How Hono records Mastra's `app.get('*')` Studio page fallback. */
const PAGE_FALLBACK = new Set(['*', '/*']);
/** The one answer for another user's conversation and one that does not exist. */
export const NO_SUCH_CONVERSATION = 'no such conversation';

export interface GateOptions {
  /** With auth on: how tokens are read. */
  tokenRules?: TokenRules;
  /** Who Studio's turns belong to without auth: the local developer. */
  localUserId: string;
  allowedMediaUrlPrefixes: readonly string[];
}

/** `logged: false` where a log line was written already. */
type Refusal = { status: RefusalStatus; problem: string; logged?: false };
const isRefusal = (value: unknown): value is Refusal => !!value && typeof value === 'object' && 'problem' in value;

/** Whether every handler Hono matched is a listed route: a parameter never stands for a literal route. */
function onlyListedHandlers(c: MiddlewareContext): boolean {
  // Middleware is registered for ALL methods, and GET /* is the Studio page fallback, which hands /api
  // paths on. c.req.matchedRoutes is deprecated for hono/route's helper; hono is Mastra's, not ours.
  const handlers = c.req.matchedRoutes.filter((matched) => matched.method !== 'ALL' && !PAGE_FALLBACK.has(matched.path));
  return handlers.length > 0 && handlers.every((matched) => isAllowed(c.req.method, matched.path));
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
function settleIds(caller: Caller, named: Named, agentId: string, localUserId: string): RunIds | Refusal {
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
  const userId = caller.user ?? bodyUsers[0] ?? (studio ? localUserId : DEFAULT_USER_ID);
  // Studio keeps its threads under the agent's id (it lists them so); its turns are the local developer's.
  const resource = caller.user ?? bodyUsers[0] ?? (studio ? agentId : userId);
  return { userId, conversationId, resource, thread: conversationId };
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

/** Checks a listed route's request and hands Mastra what the server built from it. */
async function admit(c: MiddlewareContext, caller: Caller, allowed: { route: AllowedRoute; params: Record<string, string> }, options: GateOptions) {
  const request = await validated(c.req.raw, allowed.route);
  if (isRefusal(request)) return request;
  const mediaIssue = mediaProblem(request.body, options.allowedMediaUrlPrefixes);
  if (mediaIssue) return { status: 400, problem: mediaIssue } satisfies Refusal;
  const { route } = allowed;
  const mastra = c.get('mastra');

  if (route.ownership === 'own-thread' && caller.verified) {
    const threadId = decodeURIComponent(allowed.params.threadId ?? ''); // Hono decodes path parameters
    const owners = await ownersOf(mastra, [threadId]);
    if (!owners) return { status: 503, problem: 'try again shortly', logged: false } satisfies Refusal;
    if (owners[0] !== caller.user) return { status: 404, problem: NO_SUCH_CONVERSATION } satisfies Refusal;
  }

  let forwarded = route.method === 'POST' || route.method === 'DELETE' ? (request.body as object) : undefined;
  if (route.names && route.forward) {
    const ids = settleIds(caller, route.names(request.body as never), decodeURIComponent(allowed.params.agentId ?? ''), options.localUserId);
    if (isRefusal(ids)) return ids;
    const owners = await ownersOf(mastra, [ids.thread]);
    if (!owners) return { status: 503, problem: 'try again shortly', logged: false } satisfies Refusal;
    if (owners[0] !== undefined && owners[0] !== ids.resource) return { status: 404, problem: NO_SUCH_CONVERSATION } satisfies Refusal;
    const requestContext = c.get('requestContext');
    carryIds(requestContext, ids);
    // Reserved keys, which win over anything else that names memory's resource and thread.
    requestContext.set(MASTRA_RESOURCE_ID_KEY, ids.resource);
    requestContext.set(MASTRA_THREAD_ID_KEY, ids.thread);
    forwarded = route.forward(request.body as never, ids);
  }
  if (route.method !== 'GET') c.req.raw = withBody(c.req.raw, Object.keys(forwarded ?? {}).length > 0 ? forwarded : undefined);
  return undefined;
}

export function routeGate(options: GateOptions): Middleware {
  const { tokenRules } = options;
  return {
    path: '*',
    handler: async (c, next) => {
      const browserStream = c.req.path.startsWith(BROWSER_STREAM_PREFIX);
      if (!isApiPath(c.req.path) && !(tokenRules && browserStream)) return next();
      const caller = await identify(c.req.raw, tokenRules);
      if ('problem' in caller) return refuse(c, caller.status, caller.problem);
      const allowed = browserStream ? undefined : allowedRoute(c.req.method, c.req.path);
      if (tokenRules && (!allowed || !onlyListedHandlers(c))) return refuse(c, 403, 'this route is not offered by this server');
      if (!allowed) {
        // Without auth, a route this project does not list still gets the headers' ids on its spans.
        carryIds(c.get('requestContext'), { userId: caller.user, conversationId: caller.conversation });
        return next();
      }
      if (caller.verified) carryIds(c.get('requestContext'), { userId: caller.user });
      const refusal = await admit(c, caller, allowed, options);
      if (refusal) return refuse(c, refusal.status, refusal.problem, { logged: refusal.logged ?? true });
      return next();
    },
  };
}
