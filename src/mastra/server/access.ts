// Who may call the server, as the settings say: the readers of HS256 tokens (MASTRA_JWT_SECRET), OIDC
// tokens (MASTRA_JWKS_URL) and web chat sessions (Better Auth, whenever the page is there), whether
// every API call needs one of them (auth on), and the lines that say so at start-up.
//
// Auth is on when any credential is configured: MASTRA_JWT_SECRET, MASTRA_JWKS_URL or BETTER_AUTH_SECRET
// (a deployed web chat sets it: its sessions must be signed with one secret on every instance). Then
// the gate denies by default, whichever way a caller proves who it is. With none set (your machine),
// the API is open as before, and the web chat still signs its users in: its turns need a session.
import type { MastraAuthProvider } from '@mastra/core/server';
import type { AppConfig } from '../../settings/env.ts';
import { mastraAuth, type TokenRules } from './auth.ts';
import { identify, type Identity } from './caller.ts';
import { createWebChat, type WebChat } from './web-chat.ts';

export interface Access {
  identity: Identity;
  /** Mastra's own auth check, asking identify() too; with auth on only. */
  auth: MastraAuthProvider<{ sub: string }> | undefined;
  /** The web chat (its page, sign-in and chat route), unless the project has no web/ folder. */
  webChat: WebChat | undefined;
  /** What the server at `origin` says at start-up about auth and the web chat. */
  lines(origin: string): string[];
}

function authLine(config: AppConfig, identity: Identity): string {
  if (!identity.required) {
    return 'Auth: off: the API is unauthenticated and trusts x-user-id. Put it behind your own auth, or set MASTRA_JWT_SECRET.';
  }
  const set = [
    config.jwtSecret && 'MASTRA_JWT_SECRET',
    config.oidc && 'MASTRA_JWKS_URL',
    config.betterAuthSecret && 'BETTER_AUTH_SECRET',
  ].filter(Boolean);
  const tokens = identity.tokenRules || identity.oidc;
  const needs = tokens ? 'Authorization: Bearer <JWT>' : 'a web chat session';
  return `Auth: on (${set.join(', ')}): every API call needs ${needs}; its ${tokens ? 'sub' : 'user id'} is the user.`;
}

export async function createAccess(
  config: AppConfig,
  { agentId, warn }: { agentId: string; warn: (line: string) => void },
): Promise<Access> {
  const tokenRules: TokenRules | undefined = config.jwtSecret
    ? { secret: config.jwtSecret, maxLifetimeHours: config.jwtMaxHours }
    : undefined;
  const oidc = config.oidc ? (await import('./oidc.ts')).oidcVerifier({ ...config.oidc, maxLifetimeHours: config.jwtMaxHours }) : undefined;
  const webChat = await createWebChat(config, { agentId, warn });
  const identity: Identity = {
    ...(tokenRules ? { tokenRules } : {}),
    ...(oidc ? { oidc } : {}),
    ...(webChat ? { sessions: webChat.sessions } : {}),
    required: Boolean(tokenRules || oidc || (webChat && config.betterAuthSecret)),
  };
  const verifiedUserOf = async (request: Request) => {
    const caller = await identify(request, identity);
    return 'verified' in caller && caller.verified ? caller.user : undefined;
  };
  const auth = identity.required ? await mastraAuth(verifiedUserOf) : undefined;
  return { identity, auth, webChat, lines: (origin) => [authLine(config, identity), ...(webChat ? [webChat.line(origin)] : [])] };
}
