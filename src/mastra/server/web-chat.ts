// The web chat, served by this server at /chat (npm run dev, npm start): the page built from web/
// (Vite + React, AI SDK UI's useChat), its sign-in (sessions.ts, Better Auth), and its chat route
// (@mastra/ai-sdk's chatRoute on the default agent). Custom routes of Mastra's server:
// - GET /chat, GET /chat/assets/*: the built page (web/dist), public;
// - /chat/auth/*: Better Auth's sign-up, sign-in, sign-out and session, public (signing in needs no
//   credential): answered by a middleware (sessionMiddleware) rather than a route, since only a
//   middleware sees the connection's address, which sign-in's rate limits count by;
// - POST /chat/api/chat: one turn, streamed; behind the gate like every API route (routes.ts's
//   WEB_CHAT_ROUTES: its schema, a signed-in user, the conversation the user's own or new, and the
//   ids, memory and tracing the server sets).
// The page lists, reopens and deletes conversations through Mastra's memory routes (/api/memory/threads).
// No web/ folder (a product without the page): no routes, no sign-in; tokens still work.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { ApiRoute, Middleware } from '@mastra/core/server';
import { projectDir, type AppConfig } from '../../settings/env.ts';
import { WEB_CHAT_API_PREFIX, WEB_CHAT_ROUTES } from './routes.ts';
import type { MiddlewareContext } from './refusal.ts';
import { scriptCommand } from '../../settings/script-command.ts';
import { CLIENT_ADDRESS_HEADER, createSessions, SESSION_BASE_PATH, type Sessions } from './sessions.ts';

export const WEB_CHAT_PATH = '/chat';
const ASSETS_PATH = `${WEB_CHAT_PATH}/assets`;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** The page talks to this server only; nothing inline, no frames. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The folder the page is built from, and the one it is built into. */
export const webFolder = () => join(projectDir(), 'web');
export const webBuildFolder = () => join(webFolder(), 'dist');
/** Whether the project has the page's sources (package.json's scripts ask the same): a deleted web/ may leave its git-ignored build. */
export const hasWebChat = (folder = webFolder()) => existsSync(join(folder, 'index.html'));

export interface WebChat {
  sessions: Sessions;
  routes: ApiRoute[];
  /** Answers /chat/auth/* (for mastra.setServerMiddleware). */
  middleware: Middleware;
  /** For the start-up lines: where the page is on the server at `origin`, or why it is not there. */
  line(origin: string): string;
}

/** Where the page reads which agent it talks to (web/index.html). */
const AGENT_META = '<meta name="chat-agent" content="" />';
const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The built page's files, read once: index.html (naming `agentId`) and the hashed assets Vite wrote. */
function builtPage(agentId: string): { index: string; assets: Map<string, Buffer> } | undefined {
  const folder = webBuildFolder();
  if (!existsSync(join(folder, 'index.html'))) return undefined;
  const assetsFolder = join(folder, 'assets');
  const names = existsSync(assetsFolder) ? readdirSync(assetsFolder).filter((name) => CONTENT_TYPES[extname(name)]) : [];
  const index = readFileSync(join(folder, 'index.html'), 'utf8').replace(
    AGENT_META,
    AGENT_META.replace('content=""', `content="${escapeAttribute(agentId)}"`),
  );
  return { index, assets: new Map(names.map((name) => [name, readFileSync(join(assetsFolder, name))])) };
}

async function pageRoutes(page: NonNullable<ReturnType<typeof builtPage>>): Promise<ApiRoute[]> {
  const { registerApiRoute } = await import('@mastra/core/server');
  return [
    registerApiRoute(WEB_CHAT_PATH, {
      method: 'GET',
      requiresAuth: false,
      handler: () =>
        new Response(page.index, { headers: { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' } }),
    }),
    registerApiRoute(`${ASSETS_PATH}/:name`, {
      method: 'GET',
      requiresAuth: false,
      handler: (c: { req: { param(name: string): string } }) => {
        const name = c.req.param('name');
        const body = page.assets.get(name);
        if (!body) return new Response('Not found', { status: 404 });
        // Vite names each asset by its content's hash: a new build is a new name.
        return new Response(new Uint8Array(body), {
          headers: {
            ...PAGE_HEADERS,
            'content-type': CONTENT_TYPES[extname(name)]!,
            'cache-control': 'public, max-age=31536000, immutable',
          },
        });
      },
    }),
  ];
}

/** The connection's address, as Hono's Node server hands it over (no header a client could set). */
function clientAddress(c: MiddlewareContext): string | undefined {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress;
}

/** Better Auth's endpoints, with the client's address in CLIENT_ADDRESS_HEADER, whatever the client sent there. */
function sessionMiddleware(sessions: Sessions): Middleware {
  return {
    path: `${SESSION_BASE_PATH}/*`,
    handler: async (c) => {
      const request = c.req.raw;
      const headers = new Headers(request.headers);
      headers.delete(CLIENT_ADDRESS_HEADER);
      const address = clientAddress(c);
      if (address) headers.set(CLIENT_ADDRESS_HEADER, address);
      const hasBody = !['GET', 'HEAD'].includes(request.method);
      return sessions.handle(
        new Request(request.url, { method: request.method, headers, ...(hasBody ? { body: await request.arrayBuffer() } : {}) }),
      );
    },
  };
}

/**
 * The web chat's routes and sign-in, on `agentId` (the default agent); undefined without the page's sources
 * (web/ deleted). Without a build (web/dist), sign-in and the chat route still run, and /chat says how to build.
 */
export async function createWebChat(
  config: Pick<AppConfig, 'storageUrl' | 'storageAuthToken' | 'betterAuthSecret'>,
  { agentId, warn }: { agentId: string; warn: (line: string) => void },
): Promise<WebChat | undefined> {
  if (!hasWebChat()) return undefined;
  const sessions = await createSessions(config, { warn });
  const { registerApiRoute } = await import('@mastra/core/server');
  const { chatRoute } = await import('@mastra/ai-sdk');
  const [turn] = WEB_CHAT_ROUTES;
  const page = builtPage(agentId);
  const routes: ApiRoute[] = [
    ...(page
      ? await pageRoutes(page)
      : [
          registerApiRoute(WEB_CHAT_PATH, {
            method: 'GET',
            requiresAuth: false,
            handler: () =>
              new Response(`The chat page is not built: run ${scriptCommand('build')} (${scriptCommand('dev')} builds it too).\n`, {
                status: 503,
              }),
          }),
        ]),
    chatRoute({
      path: `${WEB_CHAT_API_PREFIX}${turn!.path}`,
      agent: agentId,
      version: 'v7',
      // A readable line on the page; the cause goes to the server's log (one line, secrets masked).
      onError: (error) => {
        warn(`Web chat: the model failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        return 'The assistant could not answer just now. Try again in a moment.';
      },
    }),
  ];
  return {
    sessions,
    routes,
    middleware: sessionMiddleware(sessions),
    line: (origin) => (page ? `Web chat: ${origin}${WEB_CHAT_PATH}` : `Web chat: not built (${scriptCommand('build')})`),
  };
}
