// Sign-in for the web chat, with Better Auth (https://better-auth.com): email and password, users and
// sessions kept in the project's own database (the libsql file by default, PostgreSQL when
// MASTRA_STORAGE_URL says so), in tables of their own (auth_user, auth_session, auth_account,
// auth_verification), created at start-up. Passwords are hashed (scrypt); a session lasts
// SESSION_DAYS, is renewed while used, and ends at sign-out. The user is Better Auth's random user id,
// never the email.
//
// Only the endpoints the page uses are reachable (SESSION_ENDPOINTS); caller.ts reads the session
// cookie on every API request, so a signed-in browser is a verified user like a token's.
import { randomBytes } from 'node:crypto';
import type { betterAuth } from 'better-auth';
import { Kysely, PostgresDialect } from 'kysely';
import { isPostgresUrl, type AppConfig } from '../../settings/env.ts';
import { isValidId } from '../../settings/ids.ts';

/** Where the page reaches Better Auth: outside the API paths, since signing in needs no credential. */
export const SESSION_BASE_PATH = '/chat/auth';
/** The header the server sets to the client's address (web-chat.ts), for Better Auth's rate limits. */
export const CLIENT_ADDRESS_HEADER = 'x-chat-client-address';
/** The endpoints offered, under SESSION_BASE_PATH; every other one of Better Auth's answers 404. */
export const SESSION_ENDPOINTS = ['POST /sign-up/email', 'POST /sign-in/email', 'POST /sign-out', 'GET /get-session'] as const;
export const SESSION_DAYS = 7;
const DAY_SECONDS = 24 * 3600;
const TABLE_PREFIX = 'auth_';
/** Where a generated secret is kept when BETTER_AUTH_SECRET is not set: every instance reads the same. */
const SECRET_TABLE = `${TABLE_PREFIX}server_secret`;

export interface Sessions {
  /** The signed-in user's id, from the request's session cookie; undefined without a live session. */
  userOf(request: Request): Promise<string | undefined>;
  /** Better Auth's answer to a request under SESSION_BASE_PATH (404 for an endpoint not offered). */
  handle(request: Request): Promise<Response>;
}

interface SecretTable {
  [SECRET_TABLE]: { id: string; secret: string };
}

async function databaseOf(config: Pick<AppConfig, 'storageUrl' | 'storageAuthToken'>) {
  if (isPostgresUrl(config.storageUrl)) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: config.storageUrl, connectionTimeoutMillis: 5_000, max: 4 });
    pool.on('error', () => {}); // a dropped idle connection: the next query opens another (postgres.ts says so once)
    return { db: new Kysely<SecretTable>({ dialect: new PostgresDialect({ pool }) }), type: 'postgres' as const };
  }
  const { createClient } = await import('@libsql/client');
  const { LibsqlDialect } = await import('./libsql-dialect.ts');
  const client = createClient({ url: config.storageUrl, ...(config.storageAuthToken ? { authToken: config.storageAuthToken } : {}) });
  return { db: new Kysely<SecretTable>({ dialect: new LibsqlDialect(client) }), type: 'sqlite' as const };
}

/** BETTER_AUTH_SECRET, or one generated on the first start and kept in the database for the next ones. */
async function secretOf(db: Kysely<SecretTable>, given: string | undefined): Promise<string> {
  if (given) return given;
  try {
    await db.schema
      .createTable(SECRET_TABLE)
      .ifNotExists()
      .addColumn('id', 'varchar(16)', (column) => column.primaryKey())
      .addColumn('secret', 'text', (column) => column.notNull())
      .execute();
  } catch (error) {
    // PostgreSQL: another instance creating it at the same moment. The select below says if it is there.
    if (
      !(await db
        .selectFrom(SECRET_TABLE)
        .select('id')
        .limit(1)
        .execute()
        .then(
          () => true,
          () => false,
        ))
    )
      throw error;
  }
  const generated = randomBytes(32).toString('base64url');
  await db
    .insertInto(SECRET_TABLE)
    .values({ id: 'default', secret: generated })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
  const row = await db.selectFrom(SECRET_TABLE).select('secret').where('id', '=', 'default').executeTakeFirstOrThrow();
  return row.secret;
}

export interface SessionsOptions {
  /** Better Auth's warnings and errors, one line each. */
  warn: (line: string) => void;
}

export async function createSessions(
  config: Pick<AppConfig, 'storageUrl' | 'storageAuthToken' | 'betterAuthSecret'>,
  { warn }: SessionsOptions,
): Promise<Sessions> {
  const database = await databaseOf(config);
  const { betterAuth: createAuth } = await import('better-auth');
  const options = {
    appName: 'Chat',
    basePath: SESSION_BASE_PATH,
    secret: await secretOf(database.db, config.betterAuthSecret),
    database: { db: database.db as Kysely<unknown>, type: database.type },
    emailAndPassword: { enabled: true, autoSignIn: true, minPasswordLength: 8 },
    session: { expiresIn: SESSION_DAYS * DAY_SECONDS, updateAge: DAY_SECONDS, modelName: `${TABLE_PREFIX}session` },
    user: { modelName: `${TABLE_PREFIX}user` },
    account: { modelName: `${TABLE_PREFIX}account` },
    verification: { modelName: `${TABLE_PREFIX}verification` },
    // The page is served by this same server: its origin is the one the request came to.
    trustedOrigins: (request?: Request) => (request ? [new URL(request.url).origin] : []),
    telemetry: { enabled: false },
    // Sign-in attempts are rate-limited per client (under npm run dev and npm start); the address is
    // the connection's, set by the server over anything the client sent.
    advanced: { ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] } },
    logger: {
      level: 'warn' as const,
      // The origin is the request's on purpose (trustedOrigins above): Better Auth's warning about it says nothing new.
      log: (level: string, message: string) => {
        if (!message.includes('Base URL is not set')) warn(`Sign-in ${level}: ${message.split('\n')[0]}`);
      },
    },
  } satisfies Parameters<typeof betterAuth>[0];
  const { getMigrations } = await import('better-auth/db/migration');
  try {
    await (await getMigrations(options)).runMigrations();
  } catch (error) {
    // Another instance creating the same tables at the same moment: fine if nothing is left to do.
    const left = await getMigrations(options);
    if (left.toBeCreated.length > 0 || left.toBeAdded.length > 0) throw error;
  }
  const auth = createAuth(options);
  const offered = new Set<string>(SESSION_ENDPOINTS);

  return {
    async userOf(request) {
      if (!request.headers.get('cookie')) return undefined;
      const session = await auth.api.getSession({ headers: request.headers });
      const id = session?.user.id;
      return typeof id === 'string' && isValidId(id) ? id : undefined;
    },
    async handle(request) {
      const endpoint = `${request.method} ${new URL(request.url).pathname.slice(SESSION_BASE_PATH.length)}`;
      if (!offered.has(endpoint)) return Response.json({ error: 'Not found.' }, { status: 404 });
      return withoutSessionToken(await auth.handler(request));
    },
  };
}

/**
 * Better Auth's answer without the session token in its body: the cookie (HttpOnly) carries it, and
 * a script on the page has no use for it.
 */
async function withoutSessionToken(response: Response): Promise<Response> {
  if (!response.headers.get('content-type')?.includes('application/json')) return response;
  const body = (await response.json()) as { token?: unknown; session?: { token?: unknown } } | null;
  if (body && typeof body === 'object') {
    delete body.token;
    if (body.session && typeof body.session === 'object') delete body.session.token;
  }
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(JSON.stringify(body), { status: response.status, statusText: response.statusText, headers });
}
