// Where the agent's traces go: Mastra's local storage (Mastra Studio) and Agnost (agnost.ts).
import { SpanType } from '@mastra/core/observability';
import { MastraStorageExporter, Observability, SamplingStrategyType, SensitiveDataFilter } from '@mastra/observability';
import { secretsOf, type AppConfig } from '../settings/env.ts';
import { AgnostExporter } from './agnost.ts';
import { CONVERSATION_KEY, USER_KEY } from './server/caller.ts';
import { SecretValueFilter } from './secret-value-filter.ts';

// Local traces for Mastra Studio, in the Mastra instance's storage, written within a second of each
// run (the default batch waits 5 s). A store without metrics would otherwise warn on every run.
function localStorageExporter() {
  return Object.assign(new MastraStorageExporter({ maxBatchWaitMs: 1_000 }), { onMetricEvent: undefined });
}

// Spans with no analytics value: streamed output chunks, memory's internal processors and its
// reads and writes. Dropping them keeps every conversation, model call, tool call, token count and
// both ids, and makes each trace much smaller (see BENCHMARKS.md).
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

/** The project's observability: spans to Agnost, and to the Mastra instance's storage if `localTraces`. */
export function createObservability(
  settings: AppConfig,
  { excludeSpanTypes = EXCLUDED_SPAN_TYPES, localTraces = true }: ObservabilityOptions = {},
) {
  return new Observability({
    configs: {
      default: {
        serviceName: settings.serviceName,
        sampling: { type: SamplingStrategyType.ALWAYS },
        // HTTP requests: the server's gate puts the caller's ids on the request context (server/caller.ts).
        requestContextKeys: [USER_KEY, CONVERSATION_KEY],
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
          new AgnostExporter({
            orgId: settings.agnostOrgId,
            endpoint: settings.agnostEndpoint,
            disableInput: settings.agnostDisableInput,
            disableOutput: settings.agnostDisableOutput,
            // Otherwise service.version would be @mastra/core's version, not this app's.
            resourceAttributes: { 'service.version': settings.serviceVersion },
          }),
        ],
      },
    },
  });
}
