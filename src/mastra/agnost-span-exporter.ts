// What this project adds to Agnost's snippet, handed to OtelExporter through its `exporter` option:
// the same OTLP/protobuf exporter Agnost's config builds, wrapped to
// - write the ids under the keys Agnost groups by first (agnost.user_id, agnost.session_id), and the
//   OpenTelemetry conventions other backends use (user.id, session.id), beside Mastra's own
//   mastra.metadata.userId / conversationId: grouping works whichever rule Agnost applies;
// - report every export's outcome on a diagnostics channel, so failures can be seen (the exporter
//   itself reports them to nobody). Subscribe with `subscribe(EXPORT_CHANNEL, ...)` from node:diagnostics_channel.
import { channel } from 'node:diagnostics_channel';
import type { OtelExporterConfig } from '@mastra/otel-exporter';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';

type SpanExporter = NonNullable<OtelExporterConfig['exporter']>;
type ReadableSpan = Parameters<SpanExporter['export']>[0][number];
type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];

export const EXPORT_CHANNEL = 'agnost:trace-export';

/** What is published on EXPORT_CHANNEL after each export. */
export interface ExportOutcome {
  url: string;
  spans: number;
  /** Undefined when the endpoint accepted the spans. */
  error: unknown;
}

/** The URL OtelExporter derives from an endpoint: the base, then /v1/traces. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '').replace(/\/v1\/(traces|logs)$/, '')}/v1/traces`;
}

/** The grouping keys, from the ids Mastra put on the span (tracingOptions.metadata, memory). */
function withGroupingKeys(span: ReadableSpan): ReadableSpan {
  const attributes = span.attributes;
  const userId = attributes['mastra.metadata.userId'];
  const sessionId =
    attributes['mastra.metadata.conversationId'] ?? attributes['mastra.metadata.threadId'] ?? attributes['gen_ai.conversation.id'];
  if (userId === undefined && sessionId === undefined) return span;
  return {
    ...span,
    attributes: {
      ...attributes,
      ...(userId !== undefined ? { 'agnost.user_id': userId, 'user.id': userId } : {}),
      ...(sessionId !== undefined ? { 'agnost.session_id': sessionId, 'session.id': sessionId } : {}),
    },
  };
}

export interface AgnostSpanExporterOptions {
  endpoint: string;
  headers: Record<string, string>;
  timeoutMillis: number;
}

export class AgnostSpanExporter implements SpanExporter {
  readonly #inner: OTLPTraceExporter;
  readonly #url: string;
  readonly #outcomes = channel(EXPORT_CHANNEL);

  constructor({ endpoint, headers, timeoutMillis }: AgnostSpanExporterOptions) {
    this.#url = tracesUrl(endpoint);
    this.#inner = new OTLPTraceExporter({ url: this.#url, headers, timeoutMillis });
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.#inner.export(spans.map(withGroupingKeys), (result) => {
      const failed = result.error !== undefined || result.code !== 0; /* ExportResultCode.SUCCESS */
      const outcome: ExportOutcome = { url: this.#url, spans: spans.length, error: failed ? (result.error ?? new Error('export failed')) : undefined };
      if (this.#outcomes.hasSubscribers) this.#outcomes.publish(outcome);
      resultCallback(result);
    });
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }
}
