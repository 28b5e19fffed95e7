// The product's agents, by id; the first is the default (the one the chat talks to, the example workflow
// calls and the docs' examples call). Adding an agent: a file like assistant-agent.ts, and one line here.
// The assembly (src/mastra/assembly.ts) builds each once for the server, Studio, the chat and the doctor.
import type { AgentFactory } from '../mastra/registry.ts';
import { createAssistantAgent } from './assistant-agent.ts';

export const AGENTS: Record<string, AgentFactory> = {
  assistant: createAssistantAgent,
};
