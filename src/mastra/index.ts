// The Mastra instance: the agent, its storage, and observability (see observability.ts).
import { Mastra } from '@mastra/core/mastra';
import { assistantAgent } from '../agents/assistant-agent.ts';
import { config } from '../settings/config.ts';
import { defaultUserId } from '../cli/chat-args.ts';
import { jwtAuth } from './server/auth.ts';
import { reportExportFailures } from './export-failures.ts';
import { OneLineLogger } from './logger.ts';
import { createObservability, traceDestinations } from './observability.ts';
import { serverOptions } from './server/server-options.ts';
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
  // PORT is honoured (default 4111). With MASTRA_JWT_SECRET set, every API call needs a JWT, and its
  // user reaches only the routes in server/routes.ts, on its own data; hostile bodies are refused in
  // both modes; the caller's ids reach traces and memory (server/server-options.ts).
  server: serverOptions({
    ...(auth && config.jwtSecret ? { jwt: { secret: config.jwtSecret, auth } } : {}),
    allowedMediaUrlPrefixes: config.allowedMediaUrlPrefixes,
    localUserId: config.chatUserId ?? defaultUserId(),
  }),
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
