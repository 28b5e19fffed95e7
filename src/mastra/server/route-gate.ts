// Deny by default, with auth on: a request to the API needs a valid token (auth.ts), and reaches only
// the routes in routes.ts, on its own user's data; every other route Mastra registers, now or in a
// later version, answers 403 with one line. Without auth every route is open (docs/server.md).
// Runs first, so every later middleware and Mastra's own auth check see a request it has let through.
import type { Middleware } from '@mastra/core/server';
import { rememberUser, tokenOf, verifyToken } from './auth.ts';
import { isApiPath, refuse } from './refusal.ts';
import { allowedRoute } from './routes.ts';
import { ownerOf } from './thread-owner.ts';

export function routeGate({ jwtSecret }: { jwtSecret?: string }): Middleware {
  return {
    path: '*',
    handler: async (c, next) => {
      if (!jwtSecret || !isApiPath(c.req.path)) return next();
      const carried = tokenOf(c.req.raw);
      if (!carried) return refuse(c, 401, 'send Authorization: Bearer <JWT>');
      if ('problem' in carried) return refuse(c, 401, carried.problem);
      const reading = await verifyToken(carried.token, jwtSecret);
      if ('problem' in reading) return refuse(c, 401, reading.problem);
      rememberUser(c.req.raw, reading.user);

      const allowed = allowedRoute(c.req.method, c.req.path);
      if (!allowed) return refuse(c, 403, 'this route is not offered by this server');
      if (allowed.route.ownership === 'own-thread') {
        let owner: string | undefined;
        try {
          // As the route reads it: Hono decodes path parameters.
          const threadId = decodeURIComponent(allowed.params.threadId ?? '');
          owner = await ownerOf(c.get('mastra'), threadId);
        } catch (error) {
          if (error instanceof URIError) return refuse(c, 404, 'no such conversation');
          c.get('mastra').getLogger().error('Memory storage unavailable', error);
          return refuse(c, 503, 'try again shortly', { logged: false });
        }
        // Another user's conversation reads as no conversation at all: its existence is not disclosed.
        if (owner !== reading.user) return refuse(c, 404, 'no such conversation');
      }
      return next();
    },
  };
}
