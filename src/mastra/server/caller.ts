// Who is calling, decided here for every route in both modes, from the first of:
// 1. a token (Authorization: Bearer): HS256 signed with MASTRA_JWT_SECRET (auth.ts), or RS256/ES256
//    from the OIDC provider at MASTRA_JWKS_URL (oidc.ts); its sub is the user. A bad token is a 401.
// 2. the web chat's session cookie (sessions.ts, Better Auth): its user id.
// Either one is a verified user, whatever the request says otherwise. Without one:
// - auth on (any of MASTRA_JWT_SECRET, MASTRA_JWKS_URL, BETTER_AUTH_SECRET set): 401;
// - auth off: whoever the x-user-id header names (anyone may claim any id: docs/server.md), else, on
//   an agent call, the user its body names, else Studio's local developer or DEFAULT_USER_ID
//   (route-gate.ts settles those).
// The user and conversation then travel on the request's RequestContext, under the keys observability's
// requestContextKeys copy onto every span (observability.ts).
import type { RequestContext } from '@mastra/core/request-context';
import { ID_RULE, isValidId } from '../../settings/ids.ts';
import { headerOf, tokenOf, verifyToken, type TokenReading, type TokenRules } from './auth.ts';
import { OIDC_ALGORITHMS, type OidcVerifier } from './oidc.ts';
import type { Sessions } from './sessions.ts';

export const USER_ID_HEADER = 'x-user-id';
export const CONVERSATION_ID_HEADER = 'x-conversation-id';
/** Without an id, a request counts as an anonymous user's. */
export const DEFAULT_USER_ID = 'anonymous';
/** Where the ids travel on the request context (and the span attributes they become). */
export const USER_KEY = 'userId';
export const CONVERSATION_KEY = 'conversationId';

/** How callers prove who they are (the readers left out are off). */
export interface Identity {
  /** MASTRA_JWT_SECRET: HS256 tokens (scripts, `npm run token`, your own back end). */
  tokenRules?: TokenRules;
  /** MASTRA_JWKS_URL: an OIDC provider's RS256 and ES256 tokens. */
  oidc?: OidcVerifier;
  /** The web chat's sign-in: a Better Auth session cookie. */
  sessions?: Pick<Sessions, 'userOf'>;
  /** Auth on: every API request needs a token or a session (deny by default, route-gate.ts). */
  required: boolean;
}

export interface Caller {
  /** The token's or session's user (verified), or the x-user-id header's (claimed), or none yet. */
  user: string | undefined;
  verified: boolean;
  /** The x-user-id header's conversation, if any. */
  conversation: string | undefined;
}

export type Identification = Caller | { status: 400 | 401; problem: string };

function headerId(request: Request, name: string): string | undefined | { problem: string } {
  const value = request.headers.get(name) ?? undefined;
  return value === undefined || isValidId(value) ? value : { problem: `the ${name} header: use ${ID_RULE}` };
}

/** The token's user, read by the reader its algorithm belongs to. */
function readToken(token: string, { tokenRules, oidc }: Identity): Promise<TokenReading> {
  const algorithm = headerOf(token)?.alg;
  if (oidc && (!tokenRules || OIDC_ALGORITHMS.includes(String(algorithm)))) return oidc(token);
  return verifyToken(token, tokenRules!);
}

/** Who sends `request`: a token's or a session's user (verified), else a 401 with auth on, else what its headers claim. */
export async function identify(request: Request, identity: Identity): Promise<Identification> {
  const conversation = headerId(request, CONVERSATION_ID_HEADER);
  if (typeof conversation === 'object') return { status: 400, ...conversation };
  const readsTokens = identity.tokenRules !== undefined || identity.oidc !== undefined;
  const carried = readsTokens ? tokenOf(request) : undefined;
  if (carried && 'problem' in carried) return { status: 401, problem: carried.problem };
  if (carried) {
    const reading = await readToken(carried.token, identity);
    if ('problem' in reading) return { status: 401, problem: reading.problem };
    return { user: reading.user, verified: true, conversation };
  }
  const signedIn = await identity.sessions?.userOf(request);
  if (signedIn) return { user: signedIn, verified: true, conversation };
  if (identity.required) {
    const how = [readsTokens ? 'send Authorization: Bearer <JWT>' : '', identity.sessions ? 'sign in' : ''].filter(Boolean).join(', or ');
    return { status: 401, problem: how };
  }
  const claimed = headerId(request, USER_ID_HEADER);
  if (typeof claimed === 'object') return { status: 400, ...claimed };
  return { user: claimed, verified: false, conversation };
}

/** Puts the ids on the request context, for every span of the request's runs. */
export function carryIds(requestContext: RequestContext, ids: { userId?: string; conversationId?: string }): void {
  if (ids.userId !== undefined) requestContext.set(USER_KEY, ids.userId);
  if (ids.conversationId !== undefined) requestContext.set(CONVERSATION_KEY, ids.conversationId);
}

/** The user the gate settled for this request; undefined where none was named (open mode). */
export function userOf(requestContext: RequestContext): string | undefined {
  const user = requestContext.get(USER_KEY);
  return typeof user === 'string' ? user : undefined;
}
