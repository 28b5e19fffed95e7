// Who is calling, decided here for every route in both modes:
// - auth on (MASTRA_JWT_SECRET): the token's user (auth.ts), whatever the request says otherwise;
// - auth off: whoever the x-user-id header names (anyone may claim any id: docs/server.md), else, on
//   an agent call, the user its body names, else Studio's local developer or DEFAULT_USER_ID
//   (route-gate.ts settles those).
// The user and conversation then travel on the request's RequestContext, under the keys observability's
// requestContextKeys copy onto every span (observability.ts).
import type { RequestContext } from '@mastra/core/request-context';
import { ID_RULE, isValidId } from '../../settings/ids.ts';
import { tokenOf, verifyToken, type TokenRules } from './auth.ts';

export const USER_ID_HEADER = 'x-user-id';
export const CONVERSATION_ID_HEADER = 'x-conversation-id';
/** Without an id, a request counts as an anonymous user's. */
export const DEFAULT_USER_ID = 'anonymous';
/** Where the ids travel on the request context (and the span attributes they become). */
export const USER_KEY = 'userId';
export const CONVERSATION_KEY = 'conversationId';

export interface Caller {
  /** The token's user (verified), or the x-user-id header's (claimed), or none yet. */
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

/** Who sends `request`: with token rules, the token's user or a 401; without, what its headers claim. */
export async function identify(request: Request, tokenRules: TokenRules | undefined): Promise<Identification> {
  const conversation = headerId(request, CONVERSATION_ID_HEADER);
  if (typeof conversation === 'object') return { status: 400, ...conversation };
  if (!tokenRules) {
    const claimed = headerId(request, USER_ID_HEADER);
    if (typeof claimed === 'object') return { status: 400, ...claimed };
    return { user: claimed, verified: false, conversation };
  }
  const carried = tokenOf(request);
  if (!carried) return { status: 401, problem: 'send Authorization: Bearer <JWT>' };
  if ('problem' in carried) return { status: 401, problem: carried.problem };
  const reading = await verifyToken(carried.token, tokenRules);
  if ('problem' in reading) return { status: 401, problem: reading.problem };
  return { user: reading.user, verified: true, conversation };
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
