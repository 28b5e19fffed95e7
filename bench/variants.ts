// The set-ups the benchmark compares, each a fresh Mastra instance around the project's own agent.
import type { LanguageModelV4 } from '@ai-sdk/provider';
import { Mastra } from '@mastra/core/mastra';
import type { MastraModelConfig } from '@mastra/core/llm';
import type { ObservabilityExporter } from '@mastra/core/observability';
import { MastraStorageExporter, Observability } from '@mastra/observability';
import { OtelExporter } from '@mastra/otel-exporter';
import { AGENTS } from '../src/agents/index.ts';
import { createAgents } from '../src/mastra/registry.ts';
import { createOfflineModel } from '../src/agents/offline-model.ts';
import type { AppConfig } from '../src/settings/env.ts';
import { OneLineLogger } from '../src/mastra/logger.ts';
import { createObservability, EXCLUDED_SPAN_TYPES } from '../src/mastra/observability.ts';
import type { MastraCompositeStore } from '@mastra/core/storage';

/** The offline model, answering after `latencyMs` like a remote model would. */
export function modelWithLatency(latencyMs: number): LanguageModelV4 {
  const model = createOfflineModel();
  const wait = () => new Promise((resolve) => setTimeout(resolve, latencyMs));
  return {
    ...model,
    doGenerate: async (options) => (latencyMs > 0 && (await wait()), model.doGenerate(options)),
    doStream: async (options) => (latencyMs > 0 && (await wait()), model.doStream(options)),
  };
}

const noopExporter: ObservabilityExporter = {
  name: 'noop',
  exportTracingEvent: async () => {},
  flush: async () => {},
  shutdown: async () => {},
};

export type VariantName = 'none' | 'project' | 'project-all-spans' | 'agnost-snippet' | 'mastra-default' | 'noop-exporter';

export const VARIANT_DESCRIPTIONS: Record<VariantName, string> = {
  none: 'no observability',
  project: "this project's config (src/mastra/observability.ts)",
  'project-all-spans': "this project's config without excludeSpanTypes",
  'agnost-snippet': "Agnost's snippet alone (plain OtelExporter), this project's span types: no messages or keys added",
  'mastra-default': 'Mastra default: MastraStorageExporter + plain OtelExporter (http/protobuf)',
  'noop-exporter': 'Observability with one exporter that does nothing (the cost of span creation alone)',
};

/** The OtelExporter exactly as Agnost's Mastra docs configure it. */
function agnostSnippet(settings: AppConfig) {
  return new OtelExporter({
    provider: {
      custom: {
        endpoint: settings.agnostEndpoint,
        headers: { 'X-Agnost-Org-ID': settings.agnostOrgId ?? '' },
        protocol: 'http/protobuf',
      },
    },
  });
}

function observabilityFor(name: VariantName, settings: AppConfig): Observability | undefined {
  switch (name) {
    case 'none':
      return undefined;
    case 'project':
      return createObservability(settings);
    case 'project-all-spans':
      return createObservability(settings, { excludeSpanTypes: [] });
    case 'agnost-snippet':
      return new Observability({
        configs: {
          default: { serviceName: settings.serviceName, excludeSpanTypes: EXCLUDED_SPAN_TYPES, exporters: [agnostSnippet(settings)] },
        },
      });
    case 'mastra-default':
      return new Observability({
        configs: { default: { serviceName: settings.serviceName, exporters: [new MastraStorageExporter(), agnostSnippet(settings)] } },
      });
    case 'noop-exporter':
      return new Observability({ configs: { default: { serviceName: settings.serviceName, exporters: [noopExporter] } } });
  }
}

/** Every variant shares the bench's one `storage` (createStorage); `model`: the offline one by default, answering after `latencyMs`. */
export function createVariant(
  name: VariantName,
  { settings, storage }: { settings: AppConfig; storage: MastraCompositeStore },
  latencyMs: number,
  model: MastraModelConfig = modelWithLatency(latencyMs),
): Mastra {
  const observability = observabilityFor(name, settings);
  return new Mastra({
    agents: createAgents(model, AGENTS),
    storage,
    logger: new OneLineLogger({ level: 'error' }),
    ...(observability ? { observability } : {}),
  });
}
