// The doctor (npm run doctor): "why is nothing showing up in Agnost?" Checks every setting, then sends one real
// traced turn from each agent and workflow to the configured endpoint and reports what happened on the wire. Exit 0 only if the
// endpoint accepted the spans; 1 if it did not; 2 if a setting is invalid.
// scripts/doctor.ts runs it on the product (src/project.ts); the template's tests run it on their fixtures.
import { randomUUID } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import dotenv from 'dotenv';
import { maskSecret } from '../settings/secrets.ts';
import { loadConfig } from '../settings/config.ts';
import { ConfigError, displayStorageUrl, OIDC_VARIABLES, parseEnv, secretsOf, type AppConfig, type EnvVariable } from '../settings/env.ts';
import type { ExportOutcome } from '../mastra/agnost.ts';
import { APP_VARIABLES, type AppVariable } from '../settings/app-env.ts';
import type { Project } from '../mastra/assembly.ts';

/** The doctor on the project `loadProject` gives; exits the process with its result. */
export async function runDoctor(loadProject: () => Promise<Project>): Promise<void> {
  dotenv.config({ quiet: true });
  const out = (line = '') => process.stdout.write(`${line}\n`);

  // 1. Every setting on its own: what it does now, or why it is invalid and how to fix it.
  const secret = (value: string | undefined, unset: string) => (value ? `set (${maskSecret(value)})` : unset);
  const EFFECT: Record<EnvVariable, (config: AppConfig) => string> = {
    OPENAI_API_KEY: (c) => secret(c.openaiApiKey, 'not set: the offline demo model answers'),
    OPENAI_MODEL: (c) => c.openaiModel,
    OPENAI_BASE_URL: (c) => c.openaiBaseUrl ?? "OpenAI's API",
    AGNOST_ORG_ID: (c) => secret(c.agnostOrgId, 'not set: nothing is sent to Agnost'),
    AGNOST_OTEL_ENDPOINT: (c) => c.agnostEndpoint,
    AGNOST_DISABLE_INPUT: (c) =>
      c.agnostDisableInput ? "true: users' messages are kept out of the spans" : "false: users' messages are sent",
    AGNOST_DISABLE_OUTPUT: (c) => (c.agnostDisableOutput ? 'true: answers are kept out of the spans' : 'false: answers are sent'),
    OTEL_SERVICE_NAME: (c) => c.serviceName,
    MASTRA_STORAGE_URL: (c) => displayStorageUrl(c.storageUrl),
    MASTRA_STORAGE_AUTH_TOKEN: (c) => secret(c.storageAuthToken, 'not set'),
    CHAT_USER_ID: (c) => c.chatUserId ?? 'not set: the chat uses a pseudonymous id',
    ALLOWED_MEDIA_URL_PREFIXES: (c) =>
      c.allowedMediaUrlPrefixes.length
        ? `the server may fetch media from ${c.allowedMediaUrlPrefixes.join(', ')}`
        : 'not set: media URLs in messages are refused',
    MASTRA_JWT_SECRET: (c) =>
      c.jwtSecret ? `${secret(c.jwtSecret, '')}: the server API requires a JWT` : 'not set: the server API is open (no auth)',
    MASTRA_JWT_MAX_HOURS: (c) => `${c.jwtMaxHours}: tokens that expire further ahead are refused`,
    MASTRA_JWKS_URL: (c) => (c.oidc ? `${c.oidc.jwksUrl}: OIDC tokens (RS256, ES256) are accepted` : 'not set: no OIDC tokens'),
    MASTRA_JWT_ISSUER: (c) => c.oidc?.issuer ?? 'not set',
    MASTRA_JWT_AUDIENCE: (c) => c.oidc?.audience ?? 'not set',
    BETTER_AUTH_SECRET: (c) => secret(c.betterAuthSecret, 'not set: web chat sessions are signed with a secret kept in the database'),
  };
  // The product's own variables (src/settings/app-env.ts): the value, masked if secret.
  const APP_EFFECT = Object.fromEntries(
    APP_VARIABLES.map((variable: AppVariable) => [
      variable.name,
      (c: AppConfig) => {
        const value = (c.app as Record<string, string | undefined>)[variable.name];
        return value === undefined ? 'not set' : variable.secret ? secret(value, '') : value;
      },
    ]),
  );
  const effects: Record<string, (config: AppConfig) => string> = { ...EFFECT, ...APP_EFFECT };
  // The OIDC variables are valid only together: each is read with the other two.
  const withGroup = (name: string) =>
    (OIDC_VARIABLES as readonly string[]).includes(name)
      ? Object.fromEntries(OIDC_VARIABLES.map((other) => [other, process.env[other]]))
      : {};
  out('Configuration');
  let invalid = 0;
  const nameWidth = Math.max(...Object.keys(effects).map((name) => name.length)) + 2;
  for (const [name, effectOf] of Object.entries(effects)) {
    try {
      const effect = effectOf(parseEnv({ ...withGroup(name), [name]: process.env[name] }));
      out(`  ${(process.env[name] ? 'ok' : 'default').padEnd(9)}${name.padEnd(nameWidth)}${effect}`);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      invalid += 1;
      out(`  INVALID  ${name.padEnd(nameWidth)}${error.message.replace(/^Invalid \S+: /, '')}`);
    }
  }
  if (invalid > 0) {
    out('\nResult: FAILED: fix the invalid settings above (in .env or the environment).');
    process.exit(2);
  }

  const config = loadConfig();
  if (!config.agnostOrgId) {
    out('\nResult: FAILED: AGNOST_ORG_ID is not set, so nothing is sent to Agnost.');
    out('  Fix: set AGNOST_ORG_ID in .env to the organization id from your Agnost settings.');
    process.exit(1);
  }
  const proto = await import('@opentelemetry/exporter-trace-otlp-proto').then(
    () => true,
    () => false,
  );
  if (!proto) {
    out('\nResult: FAILED: @opentelemetry/exporter-trace-otlp-proto is not installed, so tracing is off.');
    out('  Fix: npm install @opentelemetry/exporter-trace-otlp-proto');
    process.exit(1);
  }

  // 2. One real traced turn per agent, watched on the wire.
  const { tracesUrl, watchTraceDelivery } = await import('./trace-delivery.ts');
  const { EXPORT_CHANNEL } = await import('../mastra/agnost.ts');
  const { contentSummary, spanTree } = await import('./sent-trace.ts');
  const url = tracesUrl(config.agnostEndpoint);
  const target = new URL(url);
  const statuses: number[] = [];
  subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    if (request.host === target.hostname && request.path === target.pathname && response.statusCode) {
      statuses.push(response.statusCode);
    }
  });
  const tally = watchTraceDelivery();
  // What Agnost was sent: the spans of every export, as they went on the wire.
  const sent: ExportOutcome['sent'][number][] = [];
  subscribe(EXPORT_CHANNEL, (outcome) => sent.push(...(outcome as ExportOutcome).sent));
  const { createMastra } = await import('../mastra/assembly.ts');
  const { askAgent } = await import('../ask-agent.ts');
  const { runWorkflow } = await import('../run-workflow.ts');
  const { describeModelError, describeWorkflowError } = await import('./errors.ts');
  const { TraceFlusher } = await import('./trace-flusher.ts');
  const { mastra, model } = await createMastra(config, { mode: 'cli', project: await loadProject() });

  const agents = Object.keys(mastra.listAgents());
  const workflows = Object.keys(mastra.listWorkflows());
  const runs = [...agents.map((id) => `agent ${id}`), ...workflows.map((id) => `workflow ${id}`)];
  out(`\nSending one traced turn to each agent and workflow (${runs.join(', ')}; ${model.name}) to ${url}`);
  const message = 'What is 2 + 2?';
  const userId = 'agnost-doctor';
  const turns: { name: string; conversationId: string; traceId?: string; answer: string }[] = [];
  async function traced(
    name: string,
    run: (conversationId: string) => Promise<{ traceId?: string; text: string }>,
    describe: (error: unknown) => string,
  ) {
    const turn = { name, conversationId: `doctor-${randomUUID()}`, traceId: undefined as string | undefined, answer: '' };
    try {
      ({ traceId: turn.traceId, text: turn.answer } = await run(turn.conversationId));
    } catch (error) {
      out(`  ${name}: ${describe(error)}`);
    }
    turns.push(turn);
  }
  for (const agentId of agents) {
    await traced(
      `agent ${agentId}`,
      (conversationId) => askAgent(mastra.getAgent(agentId), message, { userId, conversationId }),
      (error) => describeModelError(error, secretsOf(config)),
    );
  }
  // Each workflow with `{ message }`, its ids in the run's requestContext as the server gives them.
  for (const workflowId of workflows) {
    await traced(
      `workflow ${workflowId}`,
      async (conversationId) => {
        const { result, traceId } = await runWorkflow(mastra.getWorkflow(workflowId), { message }, { userId, conversationId });
        const text = (result as { text?: unknown } | undefined)?.text;
        return { traceId, text: typeof text === 'string' ? text : JSON.stringify(result) };
      },
      (error) => describeWorkflowError(workflowId, error, secretsOf(config)),
    );
  }
  await new TraceFlusher(mastra).close();

  const total = tally.spansExported + tally.spansFailed;
  out(
    `  wire      POST ${url}  HTTP ${statuses.length ? [...new Set(statuses)].join(', ') : 'no answer'}  ${total} spans in ${tally.exports} export(s)`,
  );
  for (const { name, conversationId, traceId, answer } of turns) {
    if (!traceId) continue;
    out(`  ${name}`);
    out(`    answered  trace ${traceId}, userId ${userId}, conversationId ${conversationId}`);
    const traceSpans = sent.filter((span) => span.spanContext().traceId === traceId);
    spanTree(traceSpans).forEach((line, index) => out(`    ${index === 0 ? 'spans     ' : '          '}${line}`));
    const switches = { disableInput: config.agnostDisableInput, disableOutput: config.agnostDisableOutput };
    if (traceSpans.length > 0) out(`    on them   ${contentSummary(traceSpans, { userId, conversationId }, message, answer, switches)}`);
  }
  const traceIds = turns.flatMap((turn) => (turn.traceId ? [turn.traceId] : []));
  if (tally.spansExported > 0 && !tally.lastFailure) {
    out(`\nResult: OK: the endpoint accepted ${tally.spansExported} spans. Look for trace ${traceIds.join(', ')} in Agnost.`);
    process.exit(0);
  }
  const reason = tally.lastFailure?.reason ?? 'no export finished in time: the endpoint did not answer';
  out(`\nResult: FAILED: ${reason}`);
  process.exit(1);
}
