// No stack trace or internal message reaches a caller: Mastra's dev server puts the stack in its error
// answers, its A2A route puts it in a JSON-RPC error's data, and a route that fails answers 500 with the
// failure's message (a download's, a database's). Errors thrown by a route answer one line (onError),
// any JSON answer that still carries a `stack` loses it, and a JSON 5xx says only that the server failed
// (withoutStackTraces); the server's log has the cause.
import type { Config } from '@mastra/core/mastra';
import type { Middleware } from '@mastra/core/server';
import { isApiPath } from './refusal.ts';

type OnError = NonNullable<NonNullable<Config['server']>['onError']>;

const SERVER_FAULT = 'Internal Server Error';

/** server.onError: a 4xx keeps its message (one line), anything else is the server's fault. */
export const onError: OnError = (error, c) => {
  const status = (error as { status?: unknown }).status;
  const clientError = typeof status === 'number' && status >= 400 && status < 500;
  c.get('mastra')
    ?.getLogger()
    .error(`${c.req.method} ${c.req.path.slice(0, 200)} failed`, error);
  const message = clientError ? error.message.split('\n')[0]!.slice(0, 300) : SERVER_FAULT;
  return c.json({ error: message }, clientError ? (status as 400) : 500);
};

function withoutStacks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutStacks);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'stack')
      .map(([key, item]) => [key, withoutStacks(item)]),
  );
}

export function withoutStackTraces(): Middleware {
  return {
    path: '*',
    handler: async (c, next) => {
      await next();
      if (!isApiPath(c.req.path) || !c.res.headers.get('content-type')?.includes('application/json')) return;
      if (c.res.status >= 500) {
        c.res = c.json({ error: SERVER_FAULT }, c.res.status as 500);
        return;
      }
      const text = await c.res.clone().text();
      if (!text.includes('"stack"')) return;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return;
      }
      const headers = new Headers(c.res.headers);
      headers.delete('content-length');
      c.res = new Response(JSON.stringify(withoutStacks(json)), { status: c.res.status, headers });
    },
  };
}
