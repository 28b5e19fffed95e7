// HS256 tokens (MASTRA_JWT_SECRET), and Mastra's auth provider. A JWT signed with the secret is read in
// one place (verifyToken below; caller.ts picks the reader, oidc.ts reads RS256/ES256 tokens) for this
// project's gate and for Mastra's own auth check alike, so no check can be skipped by how it is sent:
// - only as `Authorization: Bearer <JWT>`; the other forms Mastra would take (a bare Authorization
//   value, ?apiKey=) are refused with 401 before Mastra sees them (route-gate.ts);
// - HS256 only, no critical header extension (`crit`), `exp` required and at most MASTRA_JWT_MAX_HOURS
//   ahead, `iat` and `nbf` not in the future (beyond CLOCK_SKEW_SECONDS), `sub` required and a valid id
//   (settings/ids.ts): the token's user.
// Mastra makes `sub` the memory resource (mapUserToResourceId), caller.ts makes it the user on every
// span, and route-gate.ts lets it reach only the routes in routes.ts, on its own data.
import type { IUserProvider, MastraAuthProvider } from '@mastra/core/server';
import type { JwtPayload } from 'jsonwebtoken';
import { ID_RULE, isValidId } from '../../settings/ids.ts';

/** The one signing algorithm accepted: a shared secret, as MASTRA_JWT_SECRET is. */
export const JWT_ALGORITHM = 'HS256';

/** How far apart the issuer's clock and this server's may be. */
export const CLOCK_SKEW_SECONDS = 60;

export interface TokenRules {
  secret: string;
  /** MASTRA_JWT_MAX_HOURS: how far ahead a token's exp may be. */
  maxLifetimeHours: number;
}

export type TokenReading = { user: string } | { problem: string };

/** The token's header, if it is a JSON object. */
export function headerOf(token: string): Record<string, unknown> | undefined {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
    return header && typeof header === 'object' && !Array.isArray(header) ? (header as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** What is wrong with the token's times, judged at `now` (seconds): HS256 and OIDC tokens alike. */
export function timeProblem(payload: Pick<JwtPayload, 'exp' | 'iat' | 'nbf'>, maxLifetimeHours: number, now: number): string | undefined {
  if (typeof payload.exp !== 'number') return 'the token has no exp (expiry) claim';
  for (const claim of ['iat', 'nbf'] as const) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'number') return `the token's ${claim} must be a number of seconds`;
  }
  if (payload.exp > now + maxLifetimeHours * 3600 + CLOCK_SKEW_SECONDS) {
    return `the token expires more than ${maxLifetimeHours} hours ahead (MASTRA_JWT_MAX_HOURS); issue shorter-lived tokens`;
  }
  if (typeof payload.iat === 'number' && payload.iat > now + CLOCK_SKEW_SECONDS) return 'the token is issued in the future (iat)';
  return undefined;
}

/** The token's user, or why the token is refused (one line, naming no secret). */
export async function verifyToken(token: string, { secret, maxLifetimeHours }: TokenRules): Promise<TokenReading> {
  const { default: jwt } = await import('jsonwebtoken');
  // RFC 7515: a token naming a critical extension the reader does not understand must be refused; this
  // server understands none.
  if (headerOf(token)?.crit !== undefined) return { problem: 'the token names a critical extension (crit) this server does not support' };
  let payload: string | JwtPayload;
  try {
    payload = jwt.verify(token, secret, { algorithms: [JWT_ALGORITHM], clockTolerance: CLOCK_SKEW_SECONDS });
  } catch (error) {
    const { name, message } = error as Error;
    if (name === 'TokenExpiredError') return { problem: 'the token has expired' };
    if (name === 'NotBeforeError') return { problem: 'the token is not valid yet' };
    const claim = /^invalid (exp|nbf) value/.exec(message)?.[1];
    if (claim) return { problem: `the token's ${claim} must be a number of seconds` };
    return { problem: `the token is not an ${JWT_ALGORITHM} JWT signed with this server's secret` };
  }
  if (typeof payload !== 'object') return { problem: 'the token carries no claims' };
  const timing = timeProblem(payload, maxLifetimeHours, Math.floor(Date.now() / 1000));
  if (timing) return { problem: timing };
  if (typeof payload.sub !== 'string' || !isValidId(payload.sub)) {
    return { problem: `the token needs a sub (the user id, ${ID_RULE})` };
  }
  return { user: payload.sub };
}

/** How a request carries its token: the one accepted form, or the problem with what it sent. */
export function tokenOf(request: Request): { token: string } | { problem: string } | undefined {
  const authorization = request.headers.get('authorization');
  if (new URL(request.url).searchParams.has('apiKey')) {
    return { problem: 'send the token as Authorization: Bearer <JWT>, not as ?apiKey=' };
  }
  if (authorization === null) return undefined;
  // Exactly what Mastra's own check reads (it strips "Bearer "), so both read the same token.
  const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(authorization)?.[1];
  return token ? { token } : { problem: 'send the token as Authorization: Bearer <JWT>' };
}

/** The verified user of a request, as caller.ts's identify() settles it (token or session), else undefined. */
export type VerifiedUserOf = (request: Request) => Promise<string | undefined>;

/** Mastra's request as its auth check hands it over: the Request itself, or a wrapper holding it. */
function rawRequestOf(request: unknown): Request | undefined {
  if (request instanceof Request) return request;
  const raw = (request as { raw?: unknown } | undefined)?.raw;
  return raw instanceof Request ? raw : undefined;
}

/**
 * Mastra's server.auth with auth on: its own check asks the same one place (identify) this project's
 * gate asks, so a token or a session is read the same way by both. Loaded only with auth on.
 */
export async function mastraAuth(verifiedUserOf: VerifiedUserOf): Promise<MastraAuthProvider<{ sub: string }>> {
  const { MastraAuthProvider } = await import('@mastra/core/server');
  const userOf = async (request: unknown) => {
    const raw = rawRequestOf(request);
    return raw ? verifiedUserOf(raw) : undefined;
  };
  // A user provider too: Studio asks who is signed in (/api/auth/capabilities) before it shows a page.
  class ProjectAuth extends MastraAuthProvider<{ sub: string }> implements IUserProvider {
    async authenticateToken(_token: string, request: unknown) {
      const user = await userOf(request);
      return user ? { sub: user } : null;
    }
    authorizeUser(user: { sub: string }) {
      return isValidId(user.sub);
    }
    async getCurrentUser(request: Request) {
      const user = await userOf(request);
      return user ? { id: user } : null;
    }
    async getUser() {
      return null; // no user directory: a token or a session names its own user
    }
  }
  return new ProjectAuth({ name: 'project', mapUserToResourceId: (user) => user.sub });
}
