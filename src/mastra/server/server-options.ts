// The Mastra instance's `server` block, and the middleware that goes before every route: what every
// API request goes through, in order.
// 1. routeGate (firstMiddleware, for mastra.setServerMiddleware): who calls; with auth on, a valid token
//    and a route from routes.ts; on a listed route, only what its schemas name, on the caller's own
//    conversations, with the ids, tracing and memory the server sets.
// 2. withoutStackTraces: no stack in any JSON answer (error-responses.ts).
// 3. requestGuard: without auth, the bodies of the routes this project does not list: too large, too
//    deep, too many messages, media URLs or other URLs the server would call (request-guard.ts).
import type { Config } from '@mastra/core/mastra';
import type { ApiRoute, MastraAuthProvider, Middleware } from '@mastra/core/server';
import type { ConversationTurns } from '../conversation-turns.ts';
import type { Identity } from './caller.ts';
import { onError, withoutStackTraces } from './error-responses.ts';
import { BODY_LIMIT_BYTES } from './request-body.ts';
import { requestGuard } from './request-guard.ts';
import { routeGate } from './route-gate.ts';

export interface ServerOptions {
  /** How callers prove who they are (caller.ts), and whether they must (access.ts). */
  identity: Identity;
  /** With auth on, Mastra's own auth check (auth.ts's mastraAuth), asking the same identify(). */
  auth?: MastraAuthProvider<{ sub: string }> | undefined;
  /** This project's own routes: the web chat's page and chat route (web-chat.ts). */
  apiRoutes?: ApiRoute[] | undefined;
  /** The web chat's sign-in endpoints (web-chat.ts), answered before any route. */
  sessionMiddleware?: Middleware | undefined;
  /** ALLOWED_MEDIA_URL_PREFIXES: media the server may fetch. */
  allowedMediaUrlPrefixes: readonly string[];
  /** Who Studio's turns belong to without auth: the local developer (the chat's user id). */
  localUserId: string;
  /** One turn at a time per conversation (storage.ts). */
  turns: ConversationTurns;
}

/** For mastra.setServerMiddleware: Mastra's server installs it before any route, its own extra ones included. */
export function firstMiddleware({ identity, allowedMediaUrlPrefixes, localUserId, turns, sessionMiddleware }: ServerOptions): Middleware[] {
  return [routeGate({ identity, allowedMediaUrlPrefixes, localUserId, turns }), ...(sessionMiddleware ? [sessionMiddleware] : [])];
}

export function serverOptions({ auth, apiRoutes, allowedMediaUrlPrefixes }: ServerOptions): NonNullable<Config['server']> {
  return {
    middleware: [withoutStackTraces(), requestGuard({ allowedMediaUrlPrefixes })],
    bodySizeLimit: BODY_LIMIT_BYTES,
    onError,
    ...(auth ? { auth } : {}),
    ...(apiRoutes?.length ? { apiRoutes } : {}),
  };
}
