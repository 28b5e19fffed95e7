// Who may call the server. With MASTRA_JWT_SECRET set, every API call carries a JWT signed with it,
// read in one place (tokenUser below) for this project's middlewares and for Mastra's own auth check
// alike, so no check can be skipped by how the token is sent:
// - only as `Authorization: Bearer <JWT>`; the other forms Mastra would take (a bare Authorization
//   value, ?apiKey=) are refused with 401 before Mastra sees them (route-gate.ts);
// - HS256 only, `exp` required, `sub` required and a valid id (settings/ids.ts): the token's user.
// Mastra makes `sub` the memory resource (mapUserToResourceId), request-ids.ts makes it the userId on
// every span, and route-gate.ts lets it reach only the routes in routes.ts, on its own data.
import type { IUserProvider, MastraAuthProvider } from '@mastra/core/server';
import type { JwtPayload } from 'jsonwebtoken';
import { ID_RULE, isValidId } from '../../settings/ids.ts';

/** The one signing algorithm accepted: a shared secret, as MASTRA_JWT_SECRET is. */
export const JWT_ALGORITHM = 'HS256';

export type TokenReading = { user: string } | { problem: string };

/** The token's user, or why the token is refused (one line, naming no secret). */
export async function verifyToken(token: string, secret: string): Promise<TokenReading> {
  const { default: jwt } = await import('jsonwebtoken');
  let payload: string | JwtPayload;
  try {
    payload = jwt.verify(token, secret, { algorithms: [JWT_ALGORITHM] });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TokenExpiredError') return { problem: 'the token has expired' };
    if (name === 'NotBeforeError') return { problem: 'the token is not valid yet' };
    return { problem: `the token is not an ${JWT_ALGORITHM} JWT signed with this server's secret` };
  }
  if (typeof payload !== 'object') return { problem: 'the token carries no claims' };
  if (typeof payload.exp !== 'number') return { problem: 'the token has no exp (expiry) claim' };
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

// The user each request's token names, once it has been read (route-gate.ts reads it first).
const users = new WeakMap<Request, string>();

export function rememberUser(request: Request, user: string): void {
  users.set(request, user);
}

/** The token's user for this request, as read by route-gate.ts; undefined without auth. */
export function userOf(request: Request): string | undefined {
  return users.get(request);
}

/** Mastra's server.auth, reading tokens with verifyToken. Loaded only with a secret. */
export async function jwtAuth(secret: string): Promise<MastraAuthProvider<{ sub: string }>> {
  const { MastraAuthProvider } = await import('@mastra/core/server');
  // A user provider too: Studio asks who is signed in (/api/auth/capabilities) before it shows a page.
  class ProjectJwtAuth extends MastraAuthProvider<{ sub: string }> implements IUserProvider {
    async authenticateToken(token: string) {
      const reading = await verifyToken(token, secret);
      return 'user' in reading ? { sub: reading.user } : null;
    }
    authorizeUser(user: { sub: string }) {
      return isValidId(user.sub);
    }
    async getCurrentUser(request: Request) {
      const carried = tokenOf(request);
      const reading = carried && 'token' in carried ? await verifyToken(carried.token, secret) : undefined;
      return reading && 'user' in reading ? { id: reading.user } : null;
    }
    async getUser() {
      return null; // no user directory: a token names its own user
    }
  }
  return new ProjectJwtAuth({ name: 'jwt', mapUserToResourceId: (user) => user.sub });
}
