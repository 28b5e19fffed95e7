// How every middleware of this folder refuses a request: a one-line JSON error for the caller, and one
// line in the server's log, naming the route and the reason but no user and no secret.
import type { Middleware } from '@mastra/core/server';
import { API_PREFIXES } from './routes.ts';

export type RefusalStatus = 400 | 401 | 403 | 404 | 409 | 413 | 503;

const WHAT: Record<RefusalStatus, string> = {
  400: 'Invalid request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Request body too large',
  503: 'Conversation storage is unavailable',
};

const MAX_PROBLEM_LENGTH = 300;

/** Whether a path is the API's (Mastra's routes, the web chat's data routes) rather than a page. */
export function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** A path as it may appear in a log line: printable, bounded. */
function printable(path: string): string {
  return path.replace(/[^\x21-\x7e]/g, '?').slice(0, 200);
}

/** The context a server.middleware handler receives. */
export type MiddlewareContext = Parameters<Extract<Middleware, { path: string }>['handler']>[0];

/** The answer, and the log line (`logged: false` where the caller has logged its own one line). */
export function refuse(c: MiddlewareContext, status: RefusalStatus, fullProblem: string, { logged = true } = {}): Response {
  // A caller's input may be quoted in the problem (a key's name): bounded, in the answer and the log.
  const problem = fullProblem.length > MAX_PROBLEM_LENGTH ? `${fullProblem.slice(0, MAX_PROBLEM_LENGTH)}…` : fullProblem;
  if (logged)
    c.get('mastra')
      .getLogger()
      .warn(`Refused ${c.req.method} ${printable(c.req.path)} (${status}): ${problem.replace(/[\u0000-\u001f\u007f]/g, '?')}`);
  return c.json({ error: `${WHAT[status]}: ${problem}.` }, status);
}
