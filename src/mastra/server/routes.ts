// The routes this project offers when auth is on (MASTRA_JWT_SECRET), each with who may use it on
// what data. Mastra's server registers hundreds more (traces of every user, schedules, stored agents,
// the shared model, A2A tasks, datasets, ...); route-gate.ts refuses every route not listed here,
// including the ones a later Mastra version adds. What uses them: the chat (generate / stream),
// Studio and @mastra/client-js (the agent list, chat, its conversation list and history), the docs.
// Paths are Mastra's (SERVER_ROUTES), without the /api prefix.

export type Ownership =
  /** The same for every user, read only: the agents and how their memory is set up. */
  | 'shared-read'
  /** An agent call: the conversation it continues must be the token user's (request-ids.ts). */
  | 'own-conversation'
  /** Lists conversations: Mastra lists only the token user's (its mapUserToResourceId). */
  | 'own-conversation-list'
  /** Names a conversation in the path (:threadId): it must be the token user's, else 404. */
  | 'own-thread';

export interface AllowedRoute {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  ownership: Ownership;
}

export const ALLOWED_ROUTES: readonly AllowedRoute[] = [
  { method: 'GET', path: '/agents', ownership: 'shared-read' },
  { method: 'GET', path: '/agents/:agentId', ownership: 'shared-read' },
  { method: 'POST', path: '/agents/:agentId/generate', ownership: 'own-conversation' },
  { method: 'POST', path: '/agents/:agentId/stream', ownership: 'own-conversation' },
  // Studio's chat: it sends each message here and follows the thread's answer through subscribe.
  { method: 'POST', path: '/agents/:agentId/send-message', ownership: 'own-conversation' },
  { method: 'POST', path: '/agents/:agentId/threads/subscribe', ownership: 'own-conversation' },
  // What Studio reads when it opens and around its chat: this project's own definitions and settings,
  // no user's data (it asks again and again for what it is refused).
  { method: 'GET', path: '/agents/providers', ownership: 'shared-read' },
  { method: 'GET', path: '/agents/:agentId/voice/speakers', ownership: 'shared-read' },
  { method: 'GET', path: '/editor/builder/settings', ownership: 'shared-read' },
  { method: 'GET', path: '/editor/builder/models/available', ownership: 'shared-read' },
  { method: 'GET', path: '/workflows', ownership: 'shared-read' },
  { method: 'GET', path: '/tools', ownership: 'shared-read' },
  { method: 'GET', path: '/processors', ownership: 'shared-read' },
  { method: 'GET', path: '/scores/scorers', ownership: 'shared-read' },
  { method: 'GET', path: '/mcp/v0/servers', ownership: 'shared-read' },
  { method: 'GET', path: '/system/packages', ownership: 'shared-read' },
  { method: 'GET', path: '/memory/status', ownership: 'shared-read' },
  { method: 'GET', path: '/memory/config', ownership: 'shared-read' },
  { method: 'GET', path: '/memory/threads', ownership: 'own-conversation-list' },
  { method: 'GET', path: '/memory/threads/:threadId', ownership: 'own-thread' },
  { method: 'GET', path: '/memory/threads/:threadId/messages', ownership: 'own-thread' },
  { method: 'GET', path: '/memory/threads/:threadId/working-memory', ownership: 'own-thread' },
  { method: 'DELETE', path: '/memory/threads/:threadId', ownership: 'own-thread' },
];

export const API_PREFIX = '/api';

const MATCHERS = ALLOWED_ROUTES.map((route) => ({
  route,
  // A parameter is one path segment, as Hono's router reads it.
  pattern: new RegExp(`^${API_PREFIX}${route.path.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`),
}));

/** Whether a route as Mastra registers it (method, path with the /api prefix) is on the list. */
export function isAllowed(method: string, registeredPath: string): boolean {
  const asMethod = method === 'HEAD' ? 'GET' : method;
  return ALLOWED_ROUTES.some((route) => route.method === asMethod && `${API_PREFIX}${route.path}` === registeredPath);
}

/** The allowed route a request's path names (HEAD reads as GET, as in Hono), with its path parameters. */
export function allowedRoute(method: string, path: string): { route: AllowedRoute; params: Record<string, string> } | undefined {
  const asMethod = method === 'HEAD' ? 'GET' : method;
  for (const { route, pattern } of MATCHERS) {
    const match = route.method === asMethod ? pattern.exec(path) : null;
    if (match) return { route, params: { ...match.groups } };
  }
  return undefined;
}
