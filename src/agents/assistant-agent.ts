// The agent: instructions, its calculator tool, memory, and the model (OpenAI-compatible, or offline).
import { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import { Memory } from '@mastra/memory';
import { config } from '../settings/config.ts';
import { calculatorTool } from '../tools/calculator-tool.ts';
import { createOfflineModel } from './offline-model.ts';

async function chooseModel(): Promise<MastraModelConfig> {
  if (config.openaiApiKey) {
    // Loaded only when used, and after config.ts has unset empty variables: the package builds a
    // default provider at import, which throws on the empty OPENAI_BASE_URL of a copied .env.example.
    const { createOpenAI } = await import('@ai-sdk/openai');
    const openai = createOpenAI({
      apiKey: config.openaiApiKey,
      ...(config.openaiBaseUrl ? { baseURL: config.openaiBaseUrl } : {}),
    });
    // Chat Completions: the API every OpenAI-compatible server (Ollama, LM Studio, vLLM, proxies) speaks.
    return openai.chat(config.openaiModel);
  }
  process.stderr.write(
    'No OPENAI_API_KEY: using the offline demo model. Set OPENAI_API_KEY (and optionally OPENAI_MODEL, OPENAI_BASE_URL) in .env for a real model.\n',
  );
  return createOfflineModel();
}

/** The assistant on a given model (the configured one by default). */
export function createAssistantAgent(model: MastraModelConfig) {
  return new Agent({
    id: 'assistant',
    name: 'Assistant',
    description: 'A concise general-purpose assistant with an exact calculator.',
    instructions: [
      'You are a helpful, concise assistant.',
      'Use the calculator tool for every arithmetic question, then state the result plainly.',
      'If you do not know something, say so rather than guessing.',
    ].join('\n'),
    model,
    tools: { calculator: calculatorTool },
    // Keeps each conversation's history, keyed by the memory thread (the conversation id) and resource
    // (the user id), in the storage of the Mastra instance the agent is registered with.
    memory: new Memory({ options: { lastMessages: 20 } }),
  });
}

export const assistantAgent = createAssistantAgent(await chooseModel());
