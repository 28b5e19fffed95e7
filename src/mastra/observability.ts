// Where the agent's traces go: Mastra's local storage (Mastra Studio) and, with AGNOST_ORG_ID set, Agnost.
// Copy this file into your own app; it needs only the values read in ../env.ts.
import {
  MastraStorageExporter,
  Observability,
  SamplingStrategyType,
  SensitiveDataFilter,
} from '@mastra/observability';
import { OtelExporter } from '@mastra/otel-exporter';
import { config } from '../config.ts';

// Bounds each export attempt, retries included, so a dead or hanging endpoint delays exit by at most
// this long instead of the ~10 s default. Agnost answers a small batch well within it.
export const EXPORT_TIMEOUT_MS = 2_000;

function agnostExporter(orgId: string) {
  return new OtelExporter({
    provider: {
      custom: {
        endpoint: config.agnostEndpoint,
        headers: { 'X-Agnost-Org-ID': orgId },
        protocol: 'http/protobuf',
      },
    },
    // Agnost ingests traces only; without this Mastra's logs would also be posted to /v1/logs.
    signals: { logs: false },
    timeout: EXPORT_TIMEOUT_MS,
    // Otherwise service.version would be @mastra/core's version, not this app's.
    resourceAttributes: { 'service.version': config.serviceVersion },
  });
}

// Local traces for Mastra Studio. libsql stores traces but not metrics: without the override the
// exporter warns on every run and each flush loops over "metrics dropped" events.
function localStorageExporter() {
  return Object.assign(new MastraStorageExporter(), { onMetricEvent: undefined });
}

if (!config.agnostOrgId) {
  process.stderr.write('Agnost export is off: AGNOST_ORG_ID is not set (traces stay in local storage).\n');
}

export const observability = new Observability({
  configs: {
    default: {
      serviceName: config.serviceName,
      sampling: { type: SamplingStrategyType.ALWAYS },
      // HTTP requests: the server's request-ids middleware puts the caller's ids here (see request-ids.ts).
      requestContextKeys: ['userId', 'conversationId'],
      // Redacts values under keys such as apiKey, token, password or authorization before any export.
      spanOutputProcessors: [new SensitiveDataFilter()],
      exporters: [
        localStorageExporter(),
        // No org id, no exporter: a request without the X-Agnost-Org-ID header is never sent.
        ...(config.agnostOrgId ? [agnostExporter(config.agnostOrgId)] : []),
      ],
    },
  },
});
