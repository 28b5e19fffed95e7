// The Mastra instance's `server` block, and the middleware that goes before every route: what every
// API request goes through, in order.
// 1. routeGate (firstMiddleware, for mastra.setServerMiddleware): with auth on, a valid token and a
//    route from routes.ts, on the user's own data.
// 2. withoutStackTraces: no stack in any JSON answer (error-responses.ts).
// 3. requestGuard: bodies too large, too deep, with too many messages, or with media URLs (both modes).
// 4. requestIds: the caller's ids on every span and in memory; nobody else's conversation.
import type { Config } from '@mastra/core/mastra';
import type { MastraAuthProvider, Middleware } from '@mastra/core/server';
import { onError, withoutStackTraces } from './error-responses.ts';
import { BODY_LIMIT_BYTES } from './request-body.ts';
import { requestGuard } from './request-guard.ts';
import { requestIds } from './request-ids.ts';
import { routeGate } from './route-gate.ts';

export interface ServerOptions {
  /** MASTRA_JWT_SECRET, and Mastra's auth provider built from it (auth.ts's jwtAuth); both or neither. */
  jwt?: { secret: string; auth: MastraAuthProvider<{ sub: string }> };
  /** ALLOWED_MEDIA_URL_PREFIXES: media the server may fetch. */
  allowedMediaUrlPrefixes: readonly string[];
  /** Who Studio's turns belong to without auth: the local developer (the chat's user id). */
  localUserId: string;
}

/** For mastra.setServerMiddleware: Mastra's server installs it before any route, its own extra ones included. */
export function firstMiddleware({ jwt }: Pick<ServerOptions, 'jwt'>): Middleware[] {
  return [routeGate({ jwtSecret: jwt?.secret })];
}

export function serverOptions({ jwt, allowedMediaUrlPrefixes, localUserId }: ServerOptions): NonNullable<Config['server']> {
  return {
    middleware: [
      withoutStackTraces(),
      requestGuard({ allowedMediaUrlPrefixes }),
      requestIds({ localUserId }),
    ],
    bodySizeLimit: BODY_LIMIT_BYTES,
    onError,
    ...(jwt ? { auth: jwt.auth } : {}),
  };
}
