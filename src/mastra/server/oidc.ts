// Tokens from an OpenID Connect provider (Auth0, Clerk, Supabase, Keycloak, ...): signed with the
// provider's private key (RS256 or ES256), checked with the public keys it publishes at MASTRA_JWKS_URL.
// jose's remote key set keeps the keys (up to ten minutes) and fetches them again when a token names a
// key id (kid) it does not have, at most once per cooldown: a provider that rotates its keys is
// followed without a restart, and a flood of made-up kids costs at most one fetch per cooldown.
// Checked: the signature, the algorithm, iss (MASTRA_JWT_ISSUER), aud (MASTRA_JWT_AUDIENCE), exp
// (required, at most MASTRA_JWT_MAX_HOURS ahead), nbf and iat, no unknown critical header; sub is the user.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { ID_RULE, isValidId } from '../../settings/ids.ts';
import { CLOCK_SKEW_SECONDS, timeProblem, type TokenReading } from './auth.ts';

/** The algorithms OIDC providers sign with; HS256 is MASTRA_JWT_SECRET's (auth.ts), never read here. */
export const OIDC_ALGORITHMS = ['RS256', 'ES256'];

export interface OidcRules {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** MASTRA_JWT_MAX_HOURS, as for HS256 tokens. */
  maxLifetimeHours: number;
}

export type OidcVerifier = (token: string) => Promise<TokenReading>;

/** Why jose refused a token, in one line naming no key. */
function problemOf(error: unknown, rules: OidcRules): string {
  const { code, claim } = error as { code?: string; claim?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'the token has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'iss') return `the token's issuer (iss) is not MASTRA_JWT_ISSUER (${rules.issuer})`;
      if (claim === 'aud') return `the token's audience (aud) is not MASTRA_JWT_AUDIENCE (${rules.audience})`;
      if (claim === 'nbf') return 'the token is not valid yet';
      return `the token's ${claim ?? 'claims'} claim is missing or invalid`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return `the token is signed with an algorithm other than ${OIDC_ALGORITHMS.join(' or ')}`;
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return "the token's key (kid) is not among MASTRA_JWKS_URL's keys";
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return "the provider's keys (MASTRA_JWKS_URL) could not be read; try again shortly";
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'the token names a critical extension (crit) or key type this server does not support';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return "the token's signature does not match the provider's key";
    default:
      return code ? 'the token is not a valid JWT' : "the provider's keys (MASTRA_JWKS_URL) could not be fetched; try again shortly";
  }
}

/** Reads OIDC tokens by `rules`; the key set is fetched on the first token, not at start-up. */
export function oidcVerifier(rules: OidcRules): OidcVerifier {
  const keys = createRemoteJWKSet(new URL(rules.jwksUrl));
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: OIDC_ALGORITHMS,
        issuer: rules.issuer,
        audience: rules.audience,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp', 'sub'],
      });
      const timing = timeProblem(payload, rules.maxLifetimeHours, Math.floor(Date.now() / 1000));
      if (timing) return { problem: timing };
      if (typeof payload.sub !== 'string' || !isValidId(payload.sub)) return { problem: `the token needs a sub (the user id, ${ID_RULE})` };
      return { user: payload.sub };
    } catch (error) {
      return { problem: problemOf(error, rules) };
    }
  };
}
