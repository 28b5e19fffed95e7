// The cold-start baseline: import Mastra and the model provider, answer once, exit. No storage,
// memory, observability or CLI. The model: OPENAI_BASE_URL and OPENAI_API_KEY, like the chat's.
import { createOpenAI } from '@ai-sdk/openai';
import { Agent } from '@mastra/core/agent';
import { Mastra } from '@mastra/core/mastra';

const model = createOpenAI({ apiKey: process.env.OPENAI_API_KEY, baseURL: process.env.OPENAI_BASE_URL }).chat(
  process.env.OPENAI_MODEL ?? 'gpt-5-mini',
);
const agent = new Agent<string>({ id: 'minimal', name: 'Minimal', instructions: 'Answer.', model });
const mastra = new Mastra({ agents: { agent } });
const result = await mastra.getAgent('agent').generate('hello');
process.stdout.write(`${result.text}\n`);
process.exit(0);
