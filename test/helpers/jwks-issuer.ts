// A tiny OIDC-style issuer for tests: an HTTP server on 127.0.0.1 serving a JWKS (the public keys it
// signs with), counting how often it is fetched, and signing RS256 / ES256 tokens with node:crypto,
// independent of the library the server verifies them with.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import { leaveIdleConnectionsToClients } from './idle-connections.ts';
import type { AddressInfo } from 'node:net';

export type SigningAlgorithm = 'RS256' | 'ES256';

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

export function newSigningKey(kid: string, alg: SigningAlgorithm): SigningKey {
  const { privateKey, publicKey } =
    alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, alg, privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT signed with `key` (its kid and alg in the header unless `header` says otherwise). */
export function signWith(key: SigningKey, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const unsigned = `${base64url({ alg: key.alg, typ: 'JWT', kid: key.kid, ...header })}.${base64url({ iat: Math.floor(Date.now() / 1000), ...payload })}`;
  const signature =
    key.alg === 'RS256'
      ? sign('sha256', Buffer.from(unsigned), key.privateKey)
      : sign('sha256', Buffer.from(unsigned), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${unsigned}.${signature.toString('base64url')}`;
}

export interface JwksIssuer {
  jwksUrl: string;
  /** The keys the JWKS serves now: change it to rotate. */
  keys: SigningKey[];
  /** How many times the JWKS was fetched. */
  fetches(): number;
  close(): Promise<void>;
}

export async function startJwksIssuer(keys: SigningKey[]): Promise<JwksIssuer> {
  let fetches = 0;
  const issuer = { keys } as JwksIssuer;
  const server = createServer((request, response) => {
    if (request.url !== '/.well-known/jwks.json') {
      response.writeHead(404).end();
      return;
    }
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: issuer.keys.map((key) => key.publicJwk) }));
  });
  leaveIdleConnectionsToClients(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(issuer, {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => fetches,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
