// npm run doctor: "why is nothing showing up in Agnost?" Checks every setting, then sends one real
// traced turn to the configured endpoint and reports what happened on the wire. Exit 0 only if the
// endpoint accepted the spans; 1 if it did not; 2 if a setting is invalid.
import { randomUUID } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import dotenv from 'dotenv';
import { maskSecret } from '../src/settings/secrets.ts';
import { ConfigError, displayStorageUrl, ENV_VARIABLES, parseEnv, type AppConfig, type EnvVariable } from '../src/settings/env.ts';
import type { ExportOutcome } from '../src/mastra/agnost.ts';

process.env.MASTRA_TRACE_FILE ??= 'if-present'; // as in the chat: no DuckDB unless Studio's file exists
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
  AGNOST_DISABLE_INPUT: (c) => (c.agnostDisableInput ? "true: users' messages are kept out of the spans" : "false: users' messages are sent"),
  AGNOST_DISABLE_OUTPUT: (c) => (c.agnostDisableOutput ? 'true: answers are kept out of the spans' : 'false: answers are sent'),
  OTEL_SERVICE_NAME: (c) => c.serviceName,
  MASTRA_STORAGE_URL: (c) => displayStorageUrl(c.storageUrl),
  MASTRA_STORAGE_AUTH_TOKEN: (c) => secret(c.storageAuthToken, 'not set'),
  CHAT_USER_ID: (c) => c.chatUserId ?? 'not set: the chat uses a pseudonymous id',
  ALLOWED_MEDIA_URL_PREFIXES: (c) =>
    c.allowedMediaUrlPrefixes.length ? `the server may fetch media from ${c.allowedMediaUrlPrefixes.join(', ')}` : 'not set: media URLs in messages are refused',
  MASTRA_JWT_SECRET: (c) =>
    c.jwtSecret ? `${secret(c.jwtSecret, '')}: the server API requires a JWT` : 'not set: the server API is open (no auth)',
};
out('Configuration');
let invalid = 0;
const nameWidth = Math.max(...ENV_VARIABLES.map((name) => name.length)) + 2;
for (const name of ENV_VARIABLES) {
  try {
    const effect = EFFECT[name](parseEnv({ [name]: process.env[name] }));
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

const config = parseEnv();
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

// 2. One real traced turn, watched on the wire.
const { tracesUrl, watchTraceDelivery } = await import('../src/cli/trace-delivery.ts');
const { EXPORT_CHANNEL } = await import('../src/mastra/agnost.ts');
const { contentSummary, spanTree } = await import('../src/cli/sent-trace.ts');
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
const { mastra } = await import('../src/mastra/index.ts');
const { OneLineLogger } = await import('../src/mastra/logger.ts');
const { EXPORT_REPORT_LINE } = await import('../src/mastra/export-failures.ts');
// The doctor's report below says what the export did; the server's one-line export report need not.
mastra.setLogger({ logger: new OneLineLogger({ level: 'warn', ignore: EXPORT_REPORT_LINE }) });
const { askAgent } = await import('../src/ask-agent.ts');
const { describeModelError } = await import('../src/cli/errors.ts');
const { TraceFlusher } = await import('../src/cli/trace-flusher.ts');

out(`\nSending one traced turn (${config.openaiApiKey ? config.openaiModel : 'offline demo model'}) to ${url}`);
const ids = { userId: 'agnost-doctor', conversationId: `doctor-${randomUUID()}` };
const message = 'What is 2 + 2?';
let traceId: string | undefined;
let answer = '';
try {
  ({ traceId, text: answer } = await askAgent(mastra.getAgent('assistantAgent'), message, ids));
  out(`  answered  trace ${traceId}, userId ${ids.userId}, conversationId ${ids.conversationId}`);
} catch (error) {
  out(`  ${describeModelError(error)}`);
}
await new TraceFlusher(mastra).close();

const total = tally.spansExported + tally.spansFailed;
out(`  wire      POST ${url}  HTTP ${statuses.length ? [...new Set(statuses)].join(', ') : 'no answer'}  ${total} spans in ${tally.exports} export(s)`);
const traceSpans = sent.filter((span) => span.spanContext().traceId === traceId);
if (traceSpans.length > 0) {
  spanTree(traceSpans).forEach((line, index) => out(`  ${index === 0 ? 'spans     ' : '          '}${line}`));
  out(`  on them   ${contentSummary(traceSpans, ids, message, answer, { disableInput: config.agnostDisableInput, disableOutput: config.agnostDisableOutput })}`);
}
if (tally.spansExported > 0 && !tally.lastFailure) {
  out(`\nResult: OK: the endpoint accepted ${tally.spansExported} spans. Look for trace ${traceId} in Agnost.`);
  process.exit(0);
}
const reason = tally.lastFailure?.reason ?? 'no export finished in time: the endpoint did not answer';
out(`\nResult: FAILED: ${reason}`);
process.exit(1);
