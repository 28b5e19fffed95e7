// The entry point `mastra dev`, `mastra build` and `mastra start` load: the server's Mastra instance,
// assembled here and nowhere else. Each line says what it builds: the settings (exit 2 on a bad
// one), the agents on the model chosen once, memory and Studio's local traces, observability, the HTTP
// middleware and auth, and the report of failing exports. The chat and the doctor assemble their own
// (src/cli/mastra.ts) and import nothing from here.
import { Mastra } from '@mastra/core/mastra';
import { createAgents, defaultAgentId } from '../agents/index.ts';
import { chooseModel } from '../agents/model.ts';
import { loadConfigOrExit } from '../settings/config.ts';
import { secretsOf } from '../settings/env.ts';
import { localUserId } from '../settings/ids.ts';
import { reportExportFailures } from './export-failures.ts';
import { OneLineLogger } from './logger.ts';
import { createObservability, traceDestinations } from './observability.ts';
import { createAccess } from './server/access.ts';
import { firstMiddleware, serverOptions } from './server/server-options.ts';
import { createStorage } from './storage.ts';

const config = loadConfigOrExit();
// Studio's model list (GET /api/agents/providers): Mastra would ask its hosted model gateways on every
// call, and log a stack trace whenever one is out of reach. This project's models are set in .env.
process.env.AUTO_BLOCK_EXTERNAL_PROVIDERS ??= 'true';
const model = await chooseModel(config);
const { storage, localTraces, turns } = await createStorage(config, { localTraces: 'always' });
const agents = createAgents(model.model);
// Warnings and errors only, one line each on stderr: stdout stays for the answers (and --json output).
// A server (npm run dev, npm start) says once where it listens, which model answers, where its
// traces go, whether auth is on, and where the web chat is.
const logger = new OneLineLogger({
  level: 'warn',
  secrets: secretsOf(config),
  serverReady: (apiUrl) =>
    [
      `Mastra server: ${apiUrl.replace(/\/api$/, '')} (API ${apiUrl}). Traces: ${traceDestinations(config, localTraces === 'kept')}.`,
      model.notice ?? `Model: ${model.name}.`,
      ...access.lines(apiUrl.replace(/\/api$/, '')),
    ].join('\n'),
});
// Tokens, OIDC and the web chat's sign-in; with any of them configured, auth on (server/access.ts).
const access = await createAccess(config, { agentId: defaultAgentId(agents), warn: (line) => logger.warn(line) });
const serverSettings = { ...access, apiRoutes: access.webChat?.routes, sessionMiddleware: access.webChat?.middleware, allowedMediaUrlPrefixes: config.allowedMediaUrlPrefixes, localUserId: localUserId(config), turns };

export const mastra = new Mastra({
  agents,
  storage,
  observability: createObservability(config, { localTraces: localTraces === 'kept' }),
  // PORT is honoured (default 4111). With MASTRA_JWT_SECRET set, every API call needs a JWT, and its
  // user reaches only the routes in server/routes.ts, on its own data; hostile bodies are refused in
  // both modes; the caller's ids reach traces and memory (server/server-options.ts).
  server: serverOptions(serverSettings),
  logger,
});

// Before every route: who calls, and (with auth on) deny by default (server/route-gate.ts).
mastra.setServerMiddleware(firstMiddleware(serverSettings));

// Says when traces stop reaching Agnost, and when they reach it again: one line, at most one a minute.
reportExportFailures((line) => mastra.getLogger().warn(line));
