// The one assembly of the project's Mastra instance: the server (src/mastra/index.ts, which `mastra dev`,
// `build` and `start` load, Studio included), the chat and the doctor all take it from here, so an agent
// or workflow registered once is everywhere. It holds, in order: the model chosen once, the agents (each
// built once; sub-agents and workflows share them), the workflows, memory and Studio's local traces,
// observability, the logger, and, for the server only, the HTTP middleware, auth, its start-up lines and
// the report of failing exports.
import { Mastra, type Config } from '@mastra/core/mastra';
import { chooseModel, type ModelChoice } from '../agents/model.ts';
import { secretsOf, type AppConfig } from '../settings/env.ts';
import { localUserId } from '../settings/ids.ts';
import { reportExportFailures } from './export-failures.ts';
import { OneLineLogger } from './logger.ts';
import { createAgents, createWorkflows, defaultAgentId, type AgentFactory, type WorkflowFactory } from './registry.ts';
import { createObservability, traceDestinations } from './observability.ts';
import { createAccess, type Access } from './server/access.ts';
import { firstMiddleware, serverOptions } from './server/server-options.ts';
import { createStorage, type ProjectStorage } from './storage.ts';

/**
 * What a Mastra instance is made of besides the plumbing: its agents and workflows by id (the first agent
 * is the default). The product's are in src/project.ts; the template's tests assemble their own
 * (test/fixtures/project.ts), so they prove the plumbing whatever the product's agents do.
 */
export interface Project {
  agents: Record<string, AgentFactory>;
  workflows: Record<string, WorkflowFactory>;
  /** The model every agent runs on. Default: from the settings (OPENAI_API_KEY, else the offline demo model). */
  chooseModel?: (config: AppConfig) => Promise<ModelChoice>;
}

export interface AssemblyOptions {
  project: Project;
  /**
   * 'server': Studio's trace file, the HTTP middleware and auth, the start-up lines and the export
   * failure report. 'cli': a short-lived process (the chat, the doctor) that reports in its own words.
   */
  mode: 'server' | 'cli';
}

export interface Assembly extends Pick<ProjectStorage, 'traceStore' | 'localTraces'> {
  /** What `new Mastra(...)` is given. */
  options: Config;
  /** What is applied to the instance once it exists (the server's first middleware and failure report). */
  wire(mastra: Mastra): void;
  model: ModelChoice;
}

/** Everything the project's Mastra instance is made of; createMastra() makes it. */
export async function assemble(config: AppConfig, { project, mode }: AssemblyOptions): Promise<Assembly> {
  const server = mode === 'server';
  // Studio's model list (GET /api/agents/providers): Mastra would ask its hosted model gateways on every
  // call, and log a stack trace whenever one is out of reach. This project's models are set in .env.
  if (server) process.env.AUTO_BLOCK_EXTERNAL_PROVIDERS ??= 'true';
  const model = await (project.chooseModel ?? chooseModel)(config);
  const agents = createAgents(model.model, project.agents, config.app);
  const { storage, traceStore, localTraces, turns } = await createStorage(config, { localTraces: server ? 'always' : 'if-present' });
  // Warnings and errors only, one line each on stderr: stdout stays for the answers (and --json output).
  const logger = server
    ? new OneLineLogger({
        level: 'warn',
        secrets: secretsOf(config),
        serverReady: (apiUrl) => serverReadyLines(config, model, localTraces === 'kept', apiUrl, access!),
      })
    : // Model errors are the scripts' to report, in one line with the fix (src/cli/errors.ts).
      new OneLineLogger({ level: 'warn', secrets: secretsOf(config), ignore: /Upstream LLM API error/ });
  // Tokens, OIDC and the web chat's sign-in; with any of them configured, auth on (server/access.ts).
  const access: Access | undefined = server
    ? await createAccess(config, { agentId: defaultAgentId(agents), warn: (line) => logger.warn(line) })
    : undefined;
  const serverSettings = access && {
    ...access,
    apiRoutes: access.webChat?.routes,
    sessionMiddleware: access.webChat?.middleware,
    allowedMediaUrlPrefixes: config.allowedMediaUrlPrefixes,
    localUserId: localUserId(config),
    turns,
  };
  const options: Config = {
    agents,
    workflows: createWorkflows(agents, project.workflows),
    storage,
    observability: createObservability(config, { localTraces: localTraces === 'kept' }),
    logger,
    // PORT is honoured (default 4111). With MASTRA_JWT_SECRET set, every API call needs a JWT, and its
    // user reaches only the routes in server/routes.ts, on its own data; in both modes each listed route
    // takes only what its schema names, and the caller's ids reach traces and memory (server/).
    ...(serverSettings ? { server: serverOptions(serverSettings) } : {}),
  };
  const wire = (mastra: Mastra) => {
    if (!serverSettings) return;
    // Before every route: who calls, and (with auth on) deny by default (server/route-gate.ts).
    mastra.setServerMiddleware(firstMiddleware(serverSettings));
    // Says when traces stop reaching Agnost, and when they reach it again: one line, at most one a minute.
    reportExportFailures((line) => mastra.getLogger().warn(line));
  };
  return { options, wire, model, traceStore, localTraces };
}

/** The project's Mastra instance, assembled (see assemble()), with what the caller may report on. */
export async function createMastra(config: AppConfig, options: AssemblyOptions) {
  const assembly = await assemble(config, options);
  const mastra = new Mastra(assembly.options);
  assembly.wire(mastra);
  return { mastra, model: assembly.model, traceStore: assembly.traceStore, localTraces: assembly.localTraces };
}

/** A server (npm run dev, npm start) says once where it listens, which model answers, where its traces go, whether auth is on, and where the web chat is. */
function serverReadyLines(config: AppConfig, model: ModelChoice, localTraces: boolean, apiUrl: string, access: Access): string {
  const origin = apiUrl.replace(/\/api$/, '');
  return [
    `Mastra server: ${origin} (API ${apiUrl}). Traces: ${traceDestinations(config, localTraces)}.`,
    model.notice ?? `Model: ${model.name}.`,
    ...access.lines(origin),
  ].join('\n');
}
