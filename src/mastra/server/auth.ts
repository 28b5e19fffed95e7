// Who may call the server: with MASTRA_JWT_SECRET set, every API route needs a JWT signed with it
// (Authorization: Bearer ...), checked by Mastra's own MastraJwtAuth. The token's `sub` is the user:
// Mastra makes it the memory resource (mapUserToResourceId), so a user reaches only their own
// conversations, and request-ids.ts makes it the userId on every span.
import type { MastraJwtAuth } from '@mastra/auth';
import { isValidId } from '../../settings/ids.ts';

/** Loaded only with a secret: a process without auth (the chat) starts without @mastra/auth. */
export async function jwtAuth(secret: string): Promise<MastraJwtAuth> {
  const { MastraJwtAuth } = await import('@mastra/auth');
  return new MastraJwtAuth({
    secret,
    // A token must name its user; the id rule is the one every id in this project follows.
    authorizeUser: (user) => typeof user.sub === 'string' && isValidId(user.sub),
    mapUserToResourceId: (user) => user.sub,
  });
}

/** The user a request's bearer token names, if `auth` accepts the token; undefined otherwise. */
export async function tokenUser(auth: MastraJwtAuth, authorization: string | undefined): Promise<string | undefined> {
  const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) return undefined;
  try {
    const user = await auth.authenticateToken(token);
    return user && (await auth.authorizeUser(user)) ? (user.sub as string) : undefined;
  } catch {
    return undefined; // expired or wrongly signed: the route itself answers 401
  }
}
