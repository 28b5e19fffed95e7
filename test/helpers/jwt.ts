// HS256 JSON Web Tokens for tests, signed with node:crypto: independent of the library the server
// verifies them with.
import { createHmac } from 'node:crypto';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `header`: more header fields, such as crit. */
export function signJwt(payload: Record<string, unknown>, secret: string, header: Record<string, unknown> = {}): string {
  const unsigned = `${base64url({ alg: 'HS256', typ: 'JWT', ...header })}.${base64url({ iat: Math.floor(Date.now() / 1000), ...payload })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
