// Where the agent's traces go: Mastra's local storage (Mastra Studio) and, with AGNOST_ORG_ID set, Agnost.
// Copy this file into your own app; it needs only the values read in ../config.ts.
import { SpanType } from '@mastra/core/observability';
import {
  MastraStorageExporter,
  Observability,
  SamplingStrategyType,
  SensitiveDataFilter,
} from '@mastra/observability';
import { OtelExporter } from '@mastra/otel-exporter';
import { config } from '../config.ts';
import { secretsOf, type AppConfig } from '../env.ts';
import { AgnostSpanExporter } from './agnost-span-exporter.ts';
import { FlushOnTraceEnd } from './flush-on-trace-end.ts';
import { SecretValueFilter } from './secret-value-filter.ts';

// Bounds each export attempt, retries included, so a dead or hanging endpoint delays exit by at most
// this long instead of the ~10 s default. Agnost answers a small batch well within it.
export const EXPORT_TIMEOUT_MS = 2_000;

function agnostExporter(orgId: string, endpoint: string) {
  return new OtelExporter({
    provider: {
      custom: {
        endpoint,
        headers: { 'X-Agnost-Org-ID': orgId },
        protocol: 'http/protobuf',
      },
    },
    // What we add (agnost-span-exporter.ts): the same OTLP/protobuf export to the same endpoint with the
    // same header, plus Agnost's own grouping keys on every span and a report of each export's outcome.
    exporter: new AgnostSpanExporter({ endpoint, headers: { 'X-Agnost-Org-ID': orgId }, timeoutMillis: EXPORT_TIMEOUT_MS }),
    // Agnost ingests traces only; without this Mastra's logs would also be posted to /v1/logs.
    signals: { logs: false },
    timeout: EXPORT_TIMEOUT_MS,
    // Otherwise service.version would be @mastra/core's version, not this app's.
    resourceAttributes: { 'service.version': config.serviceVersion },
  });
}

// Local traces for Mastra Studio, in the Mastra instance's storage. A store without metrics (libsql,
// in an app that copies this file) would otherwise warn on every run and loop over "metrics dropped".
function localStorageExporter() {
  return Object.assign(new MastraStorageExporter(), { onMetricEvent: undefined });
}

if (!config.agnostOrgId) {
  process.stderr.write('Agnost export is off: AGNOST_ORG_ID is not set.\n');
}

// Spans with no analytics value: streamed output chunks, memory's internal processors and its
// reads and writes. Dropping them keeps every conversation, model call, tool call, token count and
// both ids, and makes each trace about 40% smaller (see BENCHMARKS.md).
export const EXCLUDED_SPAN_TYPES = [SpanType.MODEL_CHUNK, SpanType.PROCESSOR_RUN, SpanType.MEMORY_OPERATION];

export interface ObservabilityOptions {
  excludeSpanTypes?: SpanType[];
  /** Keep traces in the Mastra instance's storage for Studio (off where the storage has no trace store). */
  localTraces?: boolean;
}

/** Where traces go, for start-up lines: "Agnost (<endpoint>) and local storage". */
export function traceDestinations(settings: AppConfig, localTraces: boolean): string {
  const local = localTraces ? 'local storage (Studio)' : '';
  if (!settings.agnostOrgId) return `${local || 'nowhere'} only (set AGNOST_ORG_ID to send them to Agnost)`;
  return `Agnost (${settings.agnostEndpoint})${local ? ` and ${local}` : ''}`;
}

/** The project's observability; `settings` defaults to the validated environment. */
export function createObservability(
  settings: AppConfig = config,
  { excludeSpanTypes = EXCLUDED_SPAN_TYPES, localTraces = true }: ObservabilityOptions = {},
) {
  return new Observability({
    configs: {
      default: {
        serviceName: settings.serviceName,
        sampling: { type: SamplingStrategyType.ALWAYS },
        // HTTP requests: the server's request-ids middleware puts the caller's ids here (see request-ids.ts).
        requestContextKeys: ['userId', 'conversationId'],
        excludeSpanTypes,
        spanOutputProcessors: [
          // Redacts values under keys such as apiKey, token, password or authorization.
          new SensitiveDataFilter(),
          // Redacts this app's own secrets wherever they appear, e.g. quoted in an upstream error.
          new SecretValueFilter(secretsOf(settings)),
        ],
        // Keep Mastra's log lines out of trace storage: libsql cannot store them, and an error log can
        // quote whatever an upstream API echoed back.
        logging: { enabled: false },
        exporters: [
          ...(localTraces ? [localStorageExporter()] : []),
          // No org id, no exporter: a request without the X-Agnost-Org-ID header is never sent.
          ...(settings.agnostOrgId ? [agnostExporter(settings.agnostOrgId, settings.agnostEndpoint)] : []),
          // Exports each trace when its agent run ends, not 5 s later (see flush-on-trace-end.ts).
          new FlushOnTraceEnd(),
        ],
      },
    },
  });
}
