// The agents this project has: the server, Studio, the chat (--agent), the doctor, the tests and the
// bench all take them from here. Adding an agent: a file like assistant-agent.ts, and one line in AGENTS.
// The first one is the default: the one the chat talks to and the docs' examples call.
import type { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import { createAssistantAgent } from './assistant-agent.ts';

const AGENTS: ((model: MastraModelConfig) => Agent)[] = [
  createAssistantAgent,
];

/** Every agent on `model`, keyed by its id (so mastra.getAgent(id) and /api/agents/<id>/... agree). */
export function createAgents(model: MastraModelConfig): Record<string, Agent> {
  return Object.fromEntries(AGENTS.map((create) => create(model)).map((agent) => [agent.id, agent]));
}

/** The default agent's id: the first in AGENTS. */
export function defaultAgentId(agents: Record<string, Agent>): string {
  return Object.keys(agents)[0]!;
}
