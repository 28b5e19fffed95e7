// The model every agent runs on, chosen once per process from the settings: an OpenAI-compatible API
// when OPENAI_API_KEY is set, else the offline demo model (offline-model.ts).
import type { MastraModelConfig } from '@mastra/core/llm';
import type { AppConfig } from '../settings/env.ts';
import { createOfflineModel } from './offline-model.ts';

export interface ModelChoice {
  model: MastraModelConfig;
  /** For start-up lines: the model's name, or "offline demo model". */
  name: string;
  /** The one line to announce when the demo model answers (how to set a real one); undefined otherwise. */
  notice: string | undefined;
}

export const OFFLINE_MODEL_NOTICE =
  'No OPENAI_API_KEY: the offline demo model answers (it calls tools and echoes; it understands nothing). Set OPENAI_API_KEY (and optionally OPENAI_MODEL, OPENAI_BASE_URL) in .env or the environment for a real model.';

export async function chooseModel(config: AppConfig): Promise<ModelChoice> {
  if (!config.openaiApiKey) return { model: createOfflineModel(), name: 'offline demo model', notice: OFFLINE_MODEL_NOTICE };
  // Loaded only when used, and after loadConfig() has unset empty variables: the package builds a
  // default provider at import, which throws on the empty OPENAI_BASE_URL of a copied .env.example.
  const { createOpenAI } = await import('@ai-sdk/openai');
  const openai = createOpenAI({
    apiKey: config.openaiApiKey,
    ...(config.openaiBaseUrl ? { baseURL: config.openaiBaseUrl } : {}),
  });
  // Chat Completions: the API every OpenAI-compatible server (Ollama, LM Studio, vLLM, proxies) speaks.
  return { model: openai.chat(config.openaiModel), name: config.openaiModel, notice: undefined };
}
