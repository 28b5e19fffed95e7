// The Mastra instance: the agent, its storage, and observability (see observability.ts).
import { Mastra } from '@mastra/core/mastra';
import { assistantAgent } from '../agents/assistant-agent.ts';
import { config } from '../settings/config.ts';
import { jwtAuth } from './server/auth.ts';
import { reportExportFailures } from './export-failures.ts';
import { OneLineLogger } from './logger.ts';
import { createObservability, traceDestinations } from './observability.ts';
import { requestGuard } from './server/request-guard.ts';
import { requestIds } from './server/request-ids.ts';
import { storage, traceStore } from './storage.ts';

const localTraces = traceStore !== undefined;
const auth = config.jwtSecret ? await jwtAuth(config.jwtSecret) : undefined;
const AUTH_LINE = auth
  ? 'Auth: on (MASTRA_JWT_SECRET): every API call needs Authorization: Bearer <JWT>; its sub is the user.'
  : 'Auth: off: the API is unauthenticated and trusts x-user-id. Put it behind your own auth, or set MASTRA_JWT_SECRET.';

export const mastra = new Mastra({
  agents: { assistantAgent },
  storage,
  observability: createObservability(config, { localTraces }),
  // PORT is honoured (default 4111). requestGuard (first) refuses malformed and hostile bodies with a 400
  // (request-guard.ts); requestIds threads the caller's ids into traces and memory; with
  // MASTRA_JWT_SECRET set, every API route needs a JWT and its user owns its conversations (auth.ts).
  server: {
    middleware: [requestGuard({ auth, allowedMediaUrlPrefixes: config.allowedMediaUrlPrefixes }), requestIds({ auth })],
    ...(auth ? { auth } : {}),
  },
  // Warnings and errors only, one line each on stderr: stdout stays for the answers (and --json output).
  // A server (npm run dev, npm start) says once where it listens and where its traces go.
  logger: new OneLineLogger({
    level: 'warn',
    serverReady: (apiUrl) =>
      `Mastra server: ${apiUrl.replace(/\/api$/, '')} (API ${apiUrl}). Traces: ${traceDestinations(config, localTraces)}.\n${AUTH_LINE}`,
  }),
});

// Says when traces stop reaching Agnost, and when they reach it again: one line, at most one a minute.
reportExportFailures((line) => mastra.getLogger().warn(line));
