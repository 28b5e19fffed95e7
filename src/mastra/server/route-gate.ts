// Deny by default, with auth on: a request to the API needs a valid token (auth.ts), and reaches only
// the routes in routes.ts, on its own user's data; every other route Mastra registers, now or in a
// later version, answers 403 with one line. Without auth every route is open (docs/server.md).
// Runs first, so every later middleware and Mastra's own auth check see a request it has let through:
// index.ts registers it with mastra.setServerMiddleware, which Mastra's server installs before the
// routes it adds outside its route table (the browser-view routes, whose WebSocket is /browser/...).
import type { Middleware } from '@mastra/core/server';
import { rememberUser, tokenOf, verifyToken } from './auth.ts';
import { isApiPath, refuse } from './refusal.ts';
import { allowedRoute, isAllowed } from './routes.ts';
import { readBody } from './request-body.ts';
import { ownersOf } from './thread-owner.ts';

/** Mastra's browser-view WebSocket, outside the API prefix: no route of this project's. */
const BROWSER_STREAM_PREFIX = '/browser/';

/** How Hono records Mastra's `app.get('*')` Studio page fallback. */
const PAGE_FALLBACK = new Set(['*', '/*']);

/** The conversations a thread route names: its path's, and any threadId in its query or body. */
async function threadsNamed(request: Request, pathThreadId: string): Promise<string[]> {
  const body = await readBody(request);
  const named = [pathThreadId, new URL(request.url).searchParams.get('threadId'), body.tooLarge ? undefined : body.json.threadId];
  return [...new Set(named.filter((id): id is string => typeof id === 'string' && id !== ''))];
}

export function routeGate({ jwtSecret }: { jwtSecret?: string }): Middleware {
  return {
    path: '*',
    handler: async (c, next) => {
      if (!jwtSecret || !(isApiPath(c.req.path) || c.req.path.startsWith(BROWSER_STREAM_PREFIX))) return next();
      const carried = tokenOf(c.req.raw);
      if (!carried) return refuse(c, 401, 'send Authorization: Bearer <JWT>');
      if ('problem' in carried) return refuse(c, 401, carried.problem);
      const reading = await verifyToken(carried.token, jwtSecret);
      if ('problem' in reading) return refuse(c, 401, reading.problem);
      rememberUser(c.req.raw, reading.user);

      // The routes that will answer, as Hono matched them (middleware is registered for ALL methods,
      // and GET /* is the Studio page fallback, which hands /api paths on): each must be on the list by
      // its registered path, so a parameter such as :agentId can never stand for a literal route
      // beside it (GET /agents/providers is not GET /agents/:agentId).
      // c.req.matchedRoutes is deprecated for hono/route's helper; hono is Mastra's, not a dependency here.
      const handlers = c.req.matchedRoutes.filter((route) => route.method !== 'ALL' && !PAGE_FALLBACK.has(route.path));
      const allowed = allowedRoute(c.req.method, c.req.path);
      if (!allowed || handlers.length === 0 || !handlers.every((route) => isAllowed(c.req.method, route.path))) {
        return refuse(c, 403, 'this route is not offered by this server');
      }
      if (allowed.route.ownership === 'own-thread') {
        // Mastra's handler may take the thread from the query or the body instead of the path: each
        // conversation the request names must be the user's.
        let threadIds: string[];
        try {
          threadIds = await threadsNamed(c.req.raw, decodeURIComponent(allowed.params.threadId ?? '')); // Hono decodes path parameters
        } catch {
          return refuse(c, 404, 'no such conversation');
        }
        const owners = await ownersOf(c.get('mastra'), threadIds);
        if (!owners) return refuse(c, 503, 'try again shortly', { logged: false });
        // Another user's conversation reads as no conversation at all: its existence is not disclosed.
        if (owners.some((owner) => owner !== reading.user)) return refuse(c, 404, 'no such conversation');
      }
      return next();
    },
  };
}
