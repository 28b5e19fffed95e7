// Exports each trace as soon as it is complete, instead of after the exporter's 5 s batch delay: when
// an agent run's root span ends, every exporter is flushed. That covers every way a run starts
// (generate, stream, Studio's send-message, whose answer arrives on another request, the chat), and
// a server that is stopped, scaled down or frozen (serverless) right after answering loses nothing.
import type { Mastra } from '@mastra/core/mastra';
import { TracingEventType, type InitExporterOptions, type ObservabilityExporter, type TracingEvent } from '@mastra/core/observability';

/**
 * At most one flush in flight; every trace that ends meanwhile shares the next one. One flush per
 * trace would mean one export per trace, and past the OTLP exporter's limit of concurrent exports
 * (a slow endpoint under load) it drops whole traces.
 */
export function coalesce(flush: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const request = (): Promise<void> => {
    if (!running) {
      running = flush()
        .catch(() => {}) // each exporter reports its own failures
        .finally(() => (running = undefined));
      return running;
    }
    queued ??= running.then(() => {
      queued = undefined;
      return request();
    });
    return queued;
  };
  return request;
}

/** Add it beside the other exporters; it exports nothing itself. */
export class FlushOnTraceEnd implements ObservabilityExporter {
  name = 'flush-on-trace-end';
  #mastra: Mastra | undefined;
  readonly #flush = coalesce(async () => this.#mastra?.observability?.flush());

  init({ mastra }: InitExporterOptions): void {
    this.#mastra = mastra;
  }

  async exportTracingEvent(event: TracingEvent): Promise<void> {
    if (event.type !== TracingEventType.SPAN_ENDED || !event.exportedSpan.isRootSpan) return;
    // Not awaited, and after this handler returns: a flush waits for every event handler in flight.
    setImmediate(() => void this.#flush());
  }

  async flush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
