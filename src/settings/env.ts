// The environment variables: their schema, defaults and validation, as a pure function. Every
// variable is documented in .env.example. config.ts applies this to process.env at start-up.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import packageJson from '../../package.json' with { type: 'json' };
import { AgnostConfigError as ConfigError, isHttpUrl, PLACEHOLDER, resolveAgnostSettings } from '../mastra/agnost.ts';
import { APP_VARIABLES, type AppSettings, type AppVariable } from './app-env.ts';

export const DEFAULT_OPENAI_MODEL = 'gpt-5-mini';

// `mastra dev` and `mastra start` run the server from .mastra/output: look upwards for the project
// folder so the chat, Studio and the server share one database (outside it, use the current folder).
export function projectDir(start = process.cwd()): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'src', 'mastra', 'index.ts'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}
/** mastra.db in the project folder. */
export const defaultStorageUrl = () => `file:${join(projectDir(), 'mastra.db')}`;

export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//.test(url);

/** A storage URL fit to print: the password (and any query, which may hold a token) masked. */
export function displayStorageUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, '$1***@').replace(/\?.*$/, '?…');
}

/** Local traces for Mastra Studio: a DuckDB file beside a local memory database (mastra.db -> mastra.duckdb). */
export function traceStorePath(storageUrl: string): string {
  if (storageUrl === ':memory:') return ':memory:';
  if (storageUrl.startsWith('file:')) return storageUrl.slice('file:'.length).replace(/(\.db)?$/, '.duckdb');
  return join(projectDir(), 'mastra.duckdb'); // remote memory: the traces stay on this machine
}

// One error for every bad setting: AgnostExporter's, "Invalid <VARIABLE>: <problem>; <fix>.", which names
// the variable (`variable`) and the fix.
export { ConfigError };

// The placeholder and URL rules are AgnostExporter's (agnost.ts), so every variable follows the same ones.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

type Check = (value: string) => string | undefined;

const noControlCharacters: Check = (value) =>
  CONTROL_CHARACTER.test(value) ? 'contains a newline or control character (check the quoting in .env)' : undefined;
const noWhitespace: Check = (value) => (/\s/.test(value) ? 'contains whitespace' : undefined);
// "sk-..." is how OpenAI's docs abbreviate a key.
const notPlaceholder: Check = (value) => (PLACEHOLDER.test(value) || value === 'sk-...' ? 'is still a placeholder' : undefined);
const httpUrl: Check = (value) => (isHttpUrl(value) ? undefined : 'must be an http:// or https:// URL');
const atLeast32Characters: Check = (value) =>
  value.length < 32 ? `is ${value.length} characters long; use at least 32 random characters (e.g. openssl rand -hex 32)` : undefined;
// The example secret in Mastra's JWT docs: public, so as good as no secret.
const notTheDocsExample: Check = (value) =>
  value === 'supersecretdevkeythatishs256safe!' ? "is the example from Mastra's docs" : undefined;
const storageUrl: Check = (value) =>
  /^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/|:memory:$|postgres(ql)?:\/\/)/.test(value)
    ? undefined
    : 'must be a libsql URL (file:./mastra.db, libsql://..., http(s)://..., :memory:) or a postgresql:// URL';

/**
 * An optional variable: unset or empty means "use the default" (a copied .env.example has empty values);
 * anything else must pass every check. `fix` tells the user what to do about a bad value.
 */
function optional(fix: string, ...checks: Check[]) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return undefined;
      const problem = (value.trim() === '' ? 'is only whitespace' : undefined) ?? checks.map((check) => check(value)).find(Boolean);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: `${problem}; ${fix}` });
        return z.NEVER;
      }
      return value;
    });
}

/** The rules a product's own variables (app-env.ts) can follow, made of the same checks as the template's. */
export const RULES = {
  url: [noControlCharacters, noWhitespace, httpUrl],
  token: [noControlCharacters, noWhitespace, notPlaceholder],
  text: [noControlCharacters, notPlaceholder],
  integer: [(value: string) => (/^-?\d+$/.test(value) ? undefined : 'must be a whole number')],
} satisfies Record<string, Check[]>;
export type RuleName = keyof typeof RULES;

/** Pure: the product's variables from `source`, defaults applied; throws ConfigError on the first bad one. */
export function parseAppEnv(source: NodeJS.ProcessEnv, variables: readonly AppVariable[] = APP_VARIABLES): AppSettings {
  const schema = z.object(
    Object.fromEntries(variables.map((variable) => [variable.name, optional(variable.fix, ...RULES[variable.rule])])),
  );
  const result = schema.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? 'environment'), issue?.message ?? 'is invalid');
  }
  const values = result.data as Record<string, string | undefined>;
  return Object.fromEntries(variables.map(({ name, default: fallback }) => [name, values[name] ?? fallback])) as AppSettings;
}

const KEY_FIX = 'set a real key, or leave OPENAI_API_KEY empty to use the offline demo model';

export const envSchema = z.object({
  OPENAI_API_KEY: optional(KEY_FIX, noControlCharacters, noWhitespace, notPlaceholder),
  OPENAI_MODEL: optional('name a model, e.g. gpt-5-mini', noControlCharacters, noWhitespace, notPlaceholder),
  OPENAI_BASE_URL: optional('e.g. http://localhost:11434/v1 for Ollama', noControlCharacters, noWhitespace, httpUrl),
  // The AGNOST_* variables are AgnostExporter's own, checked by it (agnost.ts) in parseEnv below.
  AGNOST_ORG_ID: z.string().optional(),
  AGNOST_OTEL_ENDPOINT: z.string().optional(),
  AGNOST_DISABLE_INPUT: z.string().optional(),
  AGNOST_DISABLE_OUTPUT: z.string().optional(),
  OTEL_SERVICE_NAME: optional('use a short name such as my-agent', noControlCharacters, notPlaceholder),
  MASTRA_STORAGE_URL: optional('or leave it empty for the local file', noControlCharacters, storageUrl),
  MASTRA_STORAGE_AUTH_TOKEN: optional('paste the database token, or leave it empty', noControlCharacters, noWhitespace, notPlaceholder),
  CHAT_USER_ID: optional('use a pseudonymous id such as user-123', noControlCharacters, noWhitespace, notPlaceholder),
  ALLOWED_MEDIA_URL_PREFIXES: optional(
    'list http(s) URL prefixes separated by commas, e.g. https://cdn.example.com/uploads/',
    noControlCharacters,
    noWhitespace,
    (value) =>
      value
        .split(',')
        .map((prefix) => httpUrl(prefix) && `has "${prefix}", which is not an http:// or https:// URL`)
        .find(Boolean),
  ),
  MASTRA_JWT_SECRET: optional(
    'set it to the secret your app signs tokens with, or leave it empty to run the server without auth',
    noControlCharacters,
    noWhitespace,
    notPlaceholder,
    notTheDocsExample,
    atLeast32Characters,
  ),
  MASTRA_JWT_MAX_HOURS: optional('give a number of hours, e.g. 24', (value) =>
    /^\d+(\.\d+)?$/.test(value) && Number(value) > 0 ? undefined : 'must be a positive number of hours',
  ),
  MASTRA_JWKS_URL: optional(
    "give your OIDC provider's key set URL, e.g. https://<tenant>.auth0.com/.well-known/jwks.json",
    noControlCharacters,
    noWhitespace,
    notPlaceholder,
    httpUrl,
  ),
  MASTRA_JWT_ISSUER: optional(
    "give the iss your provider's tokens carry, e.g. https://<tenant>.auth0.com/",
    noControlCharacters,
    noWhitespace,
    notPlaceholder,
  ),
  MASTRA_JWT_AUDIENCE: optional(
    "give the aud your provider's tokens carry (your API's identifier)",
    noControlCharacters,
    noWhitespace,
    notPlaceholder,
  ),
  BETTER_AUTH_SECRET: optional(
    'set at least 32 random characters (openssl rand -hex 32), the same on every instance, or leave it empty on your machine',
    noControlCharacters,
    noWhitespace,
    notPlaceholder,
    atLeast32Characters,
  ),
});

/** The OIDC variables, checked together (the doctor reads them as one). */
export const OIDC_VARIABLES = ['MASTRA_JWKS_URL', 'MASTRA_JWT_ISSUER', 'MASTRA_JWT_AUDIENCE'] as const;

/** The OIDC variables go together: a key set URL needs the issuer and audience to check, and they need it. */
function oidcProblem(env: { MASTRA_JWKS_URL?: string; MASTRA_JWT_ISSUER?: string; MASTRA_JWT_AUDIENCE?: string }): ConfigError | undefined {
  const { MASTRA_JWKS_URL: jwks, MASTRA_JWT_ISSUER: issuer, MASTRA_JWT_AUDIENCE: audience } = env;
  if (jwks && !issuer)
    return new ConfigError('MASTRA_JWT_ISSUER', "is required with MASTRA_JWKS_URL; give the iss your provider's tokens carry");
  if (jwks && !audience)
    return new ConfigError('MASTRA_JWT_AUDIENCE', "is required with MASTRA_JWKS_URL; give the aud your provider's tokens carry");
  if (!jwks && (issuer || audience)) {
    return new ConfigError(
      issuer ? 'MASTRA_JWT_ISSUER' : 'MASTRA_JWT_AUDIENCE',
      "is only read with MASTRA_JWKS_URL; set your provider's key set URL too, or leave it empty",
    );
  }
  return undefined;
}

/** How far ahead a token may expire, unless MASTRA_JWT_MAX_HOURS says otherwise. */
export const DEFAULT_JWT_MAX_HOURS = 24;

export interface AppConfig {
  /** Undefined: the agent runs on the built-in offline model. */
  openaiApiKey: string | undefined;
  openaiModel: string;
  openaiBaseUrl: string | undefined;
  /** Undefined: the Agnost exporter is left out, so no request without the header is ever sent. */
  agnostOrgId: string | undefined;
  agnostEndpoint: string;
  /** AGNOST_DISABLE_INPUT / AGNOST_DISABLE_OUTPUT: keep the users' messages / the answers out of the spans. */
  agnostDisableInput: boolean;
  agnostDisableOutput: boolean;
  serviceName: string;
  serviceVersion: string;
  storageUrl: string;
  /** DuckDB file for Studio's local traces, derived from storageUrl. */
  traceStorePath: string;
  storageAuthToken: string | undefined;
  chatUserId: string | undefined;
  /** Undefined: the server API is open (no auth) and trusts x-user-id. */
  jwtSecret: string | undefined;
  /** The longest a token may still be valid for: a longer exp is refused. */
  jwtMaxHours: number;
  /** URL prefixes the server may fetch media in messages from; empty: media URLs are refused. */
  allowedMediaUrlPrefixes: string[];
  /** The product's own variables (app-env.ts), defaults applied. */
  app: AppSettings;
  /** The names of the product's secret variables: their values are kept out of every output. */
  appSecrets: string[];
  /** MASTRA_JWKS_URL and its issuer and audience: OIDC tokens accepted; undefined: none. */
  oidc: { jwksUrl: string; issuer: string; audience: string } | undefined;
  /** Signs the web chat's session cookies; undefined: one generated and kept in the database (auth stays off). */
  betterAuthSecret: string | undefined;
}

/**
 * Pure: validates `source` (process.env by default), the template's variables then the product's
 * (`appVariables`), and throws ConfigError on the first bad variable.
 */
export function parseEnv(source: NodeJS.ProcessEnv = process.env, appVariables: readonly AppVariable[] = APP_VARIABLES): AppConfig {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? 'environment'), issue?.message ?? 'is invalid');
  }
  const env = result.data;
  const oidcIssue = oidcProblem(env);
  if (oidcIssue) throw oidcIssue;
  const agnost = resolveAgnostSettings({}, source); // AgnostExporter's own checks of the AGNOST_* variables
  const app = parseAppEnv(source, appVariables);
  return {
    openaiApiKey: env.OPENAI_API_KEY,
    openaiModel: env.OPENAI_MODEL ?? DEFAULT_OPENAI_MODEL,
    openaiBaseUrl: env.OPENAI_BASE_URL,
    agnostOrgId: agnost.orgId,
    agnostEndpoint: agnost.endpoint,
    agnostDisableInput: agnost.disableInput,
    agnostDisableOutput: agnost.disableOutput,
    serviceName: env.OTEL_SERVICE_NAME ?? packageJson.name,
    serviceVersion: packageJson.version,
    storageUrl: env.MASTRA_STORAGE_URL ?? defaultStorageUrl(),
    traceStorePath: traceStorePath(env.MASTRA_STORAGE_URL ?? defaultStorageUrl()),
    storageAuthToken: env.MASTRA_STORAGE_AUTH_TOKEN,
    chatUserId: env.CHAT_USER_ID,
    jwtSecret: env.MASTRA_JWT_SECRET,
    jwtMaxHours: env.MASTRA_JWT_MAX_HOURS ? Number(env.MASTRA_JWT_MAX_HOURS) : DEFAULT_JWT_MAX_HOURS,
    allowedMediaUrlPrefixes: env.ALLOWED_MEDIA_URL_PREFIXES?.split(',') ?? [],
    app,
    appSecrets: appVariables.flatMap((variable) => (variable.secret ? [variable.name] : [])),
    oidc: env.MASTRA_JWKS_URL
      ? { jwksUrl: env.MASTRA_JWKS_URL, issuer: env.MASTRA_JWT_ISSUER!, audience: env.MASTRA_JWT_AUDIENCE! }
      : undefined,
    betterAuthSecret: env.BETTER_AUTH_SECRET,
  };
}

/**
 * The values that must never be printed, logged or exported: the API key, org id, storage token, the
 * auth secrets, and the product's secret variables.
 */
export function secretsOf(settings: AppConfig): (string | undefined)[] {
  const storagePassword = isPostgresUrl(settings.storageUrl) ? decodeURIComponent(new URL(settings.storageUrl).password) : '';
  const app: Record<string, string | undefined> = settings.app;
  return [
    settings.openaiApiKey,
    settings.agnostOrgId,
    settings.storageAuthToken,
    settings.jwtSecret,
    settings.betterAuthSecret,
    storagePassword || undefined,
    ...settings.appSecrets.map((name) => app[name]),
  ];
}

export type EnvVariable = keyof typeof envSchema.shape;
export const ENV_VARIABLES = Object.keys(envSchema.shape) as EnvVariable[];
