// Removes the app's own secrets (API key, org id, storage token) from every span before export.
// SensitiveDataFilter redacts by key name ("apiKey", "authorization"), but a secret can also arrive as
// a value: an upstream error such as "Incorrect API key provided: sk-..." lands in the span's error.
import type { AnySpan, SpanOutputProcessor } from '@mastra/core/observability';
import { redactSecrets } from '../settings/secrets.ts';

const MAX_DEPTH = 16;

export class SecretValueFilter implements SpanOutputProcessor {
  name = 'secret-value-filter';
  readonly #secrets: string[];

  constructor(secrets: (string | undefined)[]) {
    this.#secrets = secrets.filter((secret): secret is string => secret !== undefined && secret.length >= 8);
  }

  process(span?: AnySpan): AnySpan | undefined {
    if (!span || this.#secrets.length === 0) return span;
    // In place, as the SpanOutputProcessor contract asks.
    span.attributes = this.#clean(span.attributes, 0) as typeof span.attributes;
    span.metadata = this.#clean(span.metadata, 0) as typeof span.metadata;
    span.input = this.#clean(span.input, 0);
    span.output = this.#clean(span.output, 0);
    span.errorInfo = this.#clean(span.errorInfo, 0) as typeof span.errorInfo;
    return span;
  }

  #clean(value: unknown, depth: number): unknown {
    if (typeof value === 'string') {
      return this.#secrets.some((secret) => value.includes(secret)) ? redactSecrets(this.#secrets, value) : value;
    }
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
    const container = value as Record<string, unknown>;
    for (const key of Object.keys(container)) container[key] = this.#clean(container[key], depth + 1);
    return value;
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
