// OIDC tokens on the server: MASTRA_JWKS_URL points at a local issuer (test/helpers/jwks-issuer.ts)
// serving its public keys. RS256 and ES256 tokens are accepted and their sub is the user on every span;
// a wrong issuer, audience, key, time or header is a 401 naming what is wrong; the keys are fetched once
// and kept. A key rotation (a token naming a key id the keys do not have) makes the verifier fetch them
// again, at most once per cooldown: proven on the server's verifier itself, with the clock moved past
// the cooldown instead of waiting it out.
// MASTRA_JWT_SECRET is set too: HS256 tokens for scripts keep working beside OIDC.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { oidcVerifier } from '../src/mastra/server/oidc.ts';
import { AGENT_ID, TOOL_MESSAGE } from './helpers/agent.ts';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { newSigningKey, signWith, startJwksIssuer, type JwksIssuer } from './helpers/jwks-issuer.ts';
import { signJwt } from './helpers/jwt.ts';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.ts';
import { newWorkDir } from './helpers/run-script.ts';
import { startServer, stopProcessGroup, type BuiltServer } from './helpers/server.ts';

const ISSUER = 'https://issuer.example.test/';
const AUDIENCE = 'https://api.example.test';
const SECRET = 'oidc-test-secret-5c2e8a1f9b3d7046c1e5a9f3b7d2c8e4';
const now = () => Math.floor(Date.now() / 1000);
const rsa = newSigningKey('rsa-1', 'RS256');
const ec = newSigningKey('ec-1', 'ES256');
const claims = (sub: string, extra: Record<string, unknown> = {}) => ({ sub, iss: ISSUER, aud: AUDIENCE, exp: now() + 600, ...extra });
let issuer: JwksIssuer;
let receiver: OtlpReceiver;
let server: BuiltServer;

beforeAll(async () => {
  issuer = await startJwksIssuer([rsa, ec]);
  receiver = await startOtlpReceiver();
  server = await startServer({
    MASTRA_JWKS_URL: issuer.jwksUrl,
    MASTRA_JWT_ISSUER: ISSUER,
    MASTRA_JWT_AUDIENCE: AUDIENCE,
    MASTRA_JWT_SECRET: SECRET,
    AGNOST_ORG_ID: 'org_oidc_test',
    AGNOST_OTEL_ENDPOINT: receiver.tracesUrl,
    MASTRA_STORAGE_URL: `file:${join(newWorkDir(), 'oidc.db')}`,
  });
});

afterAll(async () => {
  await stopProcessGroup(server?.process);
  await receiver?.close();
  await issuer?.close();
});

async function call(token: string, path = '/api/agents', body?: object) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, text: await response.text() };
}

describe('tokens from the OIDC issuer', () => {
  it('says at start-up that OIDC tokens turn auth on', () => {
    expect(server.output()).toContain(
      'Auth: on (MASTRA_JWT_SECRET, MASTRA_JWKS_URL): every API call needs Authorization: Bearer <JWT>; its sub is the user.',
    );
  });

  it('accepts an RS256 token, and its sub is the user on every span of the turn and in memory', async () => {
    const user = 'auth0|alice-5f1c';
    const conversation = 'b1f1f3a2-6a0e-4c55-9d7e-0d3f1e2a9c41';
    const { status, text } = await call(signWith(rsa, claims(user)), `/api/agents/${AGENT_ID}/generate`, {
      messages: TOOL_MESSAGE,
      memory: { thread: conversation },
    });
    expect(status, text).toBe(200);
    const { traceId } = JSON.parse(text) as { traceId: string };
    await expect
      .poll(() => receiver.spans().some((span) => span.traceId === traceId && span.parentSpanId === ''), { timeout: 20_000 })
      .toBe(true);
    for (const span of receiver.spans().filter((span) => span.traceId === traceId))
      expect(span.attributes, span.name).toMatchObject(groupingKeys(user, conversation));
    const listed = await call(signWith(rsa, claims(user)), `/api/memory/threads?agentId=${AGENT_ID}`);
    expect(JSON.parse(listed.text).threads.map((thread: { id: string }) => thread.id)).toEqual([conversation]);
  });

  it('accepts an ES256 token', async () => {
    expect((await call(signWith(ec, claims('user_2NES256')))).status).toBe(200);
  });

  it('keeps the keys: many tokens, one fetch of the key set', async () => {
    for (let index = 0; index < 5; index += 1)
      expect((await call(signWith(index % 2 ? ec : rsa, claims(`user-${index}`)))).status).toBe(200);
    expect(issuer.fetches()).toBe(1);
  });

  it('accepts HS256 tokens signed with MASTRA_JWT_SECRET beside them', async () => {
    expect((await call(signJwt({ sub: 'script-user', exp: now() + 600 }, SECRET))).status).toBe(200);
  });

  const impostor = newSigningKey('rsa-1', 'RS256'); // another key pair under a key id the issuer uses
  it.each([
    [
      'another issuer',
      () => signWith(rsa, claims('mallory', { iss: 'https://evil.example.test/' })),
      /issuer \(iss\) is not MASTRA_JWT_ISSUER/,
    ],
    ['no issuer', () => signWith(rsa, claims('mallory', { iss: undefined })), /issuer \(iss\) is not MASTRA_JWT_ISSUER|iss/],
    [
      'another audience',
      () => signWith(rsa, claims('mallory', { aud: 'https://other-api.example.test' })),
      /audience \(aud\) is not MASTRA_JWT_AUDIENCE/,
    ],
    [
      'an audience list without ours',
      () => signWith(ec, claims('mallory', { aud: ['a', 'b'] })),
      /audience \(aud\) is not MASTRA_JWT_AUDIENCE/,
    ],
    ['another key under a known kid', () => signWith(impostor, claims('mallory')), /signature does not match/],
    ['an expired token', () => signWith(rsa, claims('mallory', { exp: now() - 600 })), /has expired/],
    ['no exp', () => signWith(rsa, claims('mallory', { exp: undefined })), /exp/],
    ['an exp beyond MASTRA_JWT_MAX_HOURS', () => signWith(rsa, claims('mallory', { exp: now() + 48 * 3600 })), /more than 24 hours ahead/],
    ['an iat in the future', () => signWith(rsa, claims('mallory', { iat: now() + 3600 })), /issued in the future/],
    ['no sub', () => signWith(rsa, claims('mallory', { sub: undefined })), /sub/],
    [
      'a critical header extension',
      () => signWith(rsa, claims('mallory'), { crit: ['x-unknown'], 'x-unknown': 1 }),
      /critical extension|crit/,
    ],
    [
      'an RS256 header on an HS256 signature',
      () => signJwt(claims('mallory'), SECRET, { alg: 'RS256', kid: 'rsa-1' }),
      /signature does not match|not a valid JWT/,
    ],
    [
      'a key id the issuer does not publish',
      () => signWith(newSigningKey('made-up', 'RS256'), claims('mallory')),
      /key \(kid\) is not among MASTRA_JWKS_URL's keys/,
    ],
    [
      'an HS256 token with another secret',
      () => signJwt({ sub: 'mallory', exp: now() + 600 }, 'another-secret-0000000000000000000000'),
      /not an HS256 JWT signed with this server's secret/,
    ],
  ])('refuses %s with a 401 naming what is wrong', async (_case, token, says) => {
    const { status, text } = await call(token());
    expect(status).toBe(401);
    expect(JSON.parse(text).error).toMatch(says);
    expect(text).not.toContain('mallory');
  });
});

describe('a key rotation at the issuer', () => {
  afterEach(() => vi.useRealTimers());

  it('is followed: a token with a new kid fetches the keys again, at most once per 30 s cooldown', async () => {
    const rotating = await startJwksIssuer([rsa]);
    try {
      const verify = oidcVerifier({ jwksUrl: rotating.jwksUrl, issuer: ISSUER, audience: AUDIENCE, maxLifetimeHours: 24 });
      // Only Date is moved: jose times its cooldown with it; the fetches are real.
      vi.useFakeTimers({ toFake: ['Date'] });
      expect(await verify(signWith(rsa, claims('before-rotation')))).toEqual({ user: 'before-rotation' });
      expect(rotating.fetches()).toBe(1);
      const rotated = newSigningKey('rsa-2', 'RS256');
      rotating.keys = [rotated, ec];
      const unknownKey = { problem: "the token's key (kid) is not among MASTRA_JWKS_URL's keys" };
      // Within the cooldown after the last fetch, a new kid is refused and costs no fetch.
      expect(await verify(signWith(rotated, claims('too-soon')))).toEqual(unknownKey);
      expect(rotating.fetches()).toBe(1);
      vi.setSystemTime(Date.now() + 31_000);
      expect(await verify(signWith(rotated, claims('after-rotation')))).toEqual({ user: 'after-rotation' });
      expect(rotating.fetches()).toBe(2);
      // The keys fetched are kept: the other published key needs no fetch; a made-up kid now is refused
      // and costs no fetch within the new cooldown.
      expect(await verify(signWith(ec, claims('ec-after-rotation')))).toEqual({ user: 'ec-after-rotation' });
      expect(await verify(signWith(newSigningKey('made-up', 'RS256'), claims('mallory')))).toEqual(unknownKey);
      expect(rotating.fetches()).toBe(2);
    } finally {
      await rotating.close();
    }
  });
});
