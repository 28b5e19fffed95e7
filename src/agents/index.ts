// The agents this project has: the assembly (src/mastra/assembly.ts) registers them on the Mastra instance
// the server, Studio, the chat (--agent), the doctor and the tests use. Adding an agent: a file like
// assistant-agent.ts, and one line in AGENTS, under its id. The first one is the default: the one the
// chat talks to, the example workflow calls and the docs' examples call.
import type { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import type { AppSettings } from '../settings/app-env.ts';
import { createAssistantAgent } from './assistant-agent.ts';

// Any agent, whatever its id and tools. Typed with `any` on purpose: checking each agent's own type
// against Agent's defaults costs tsc seconds per agent.
export type AnyAgent = Agent<any, any, any, any, any>;

/** What an agent's factory is given. */
export interface AgentParts {
  /** The model every agent runs on, chosen once (model.ts). */
  model: MastraModelConfig;
  /** Another agent of AGENTS, built once and shared: give it as a sub-agent (`agents: { x: agent('x') }`). */
  agent: (id: string) => AnyAgent;
  /** The product's own variables (src/settings/app-env.ts), validated at start-up. */
  settings: AppSettings;
}

export type AgentFactory = (parts: AgentParts) => AnyAgent;

const AGENTS: Record<string, AgentFactory> = {
  assistant: createAssistantAgent,
};

/**
 * Every agent of `factories`, each built once and keyed by its id (so mastra.getAgent(id) and
 * /api/agents/<id>/... agree), in the order listed. A sub-agent is the same instance as the agent.
 */
export function createAgents(
  model: MastraModelConfig,
  { settings = {} as AppSettings, factories = AGENTS }: { settings?: AppSettings; factories?: Record<string, AgentFactory> } = {},
): Record<string, AnyAgent> {
  const built = new Map<string, AnyAgent>();
  const building: string[] = [];
  const agent = (id: string): AnyAgent => {
    const existing = built.get(id);
    if (existing) return existing;
    const create = factories[id];
    if (!create) throw new Error(`No agent "${id}" in src/agents/index.ts: add it to AGENTS, or use one of ${Object.keys(factories).join(', ')}`);
    if (building.includes(id)) throw new Error(`Agents ${[...building, id].join(' -> ')} are each other's sub-agents: break the cycle`);
    building.push(id);
    const made = create({ model, agent, settings });
    building.pop();
    if (made.id !== id) throw new Error(`src/agents/index.ts lists the agent "${made.id}" as "${id}": use its id as the key`);
    built.set(id, made);
    return made;
  };
  return Object.fromEntries(Object.keys(factories).map((id) => [id, agent(id)]));
}

/** The ids of AGENTS, the default first, without building them (the chat checks --agent with it). */
export const listedAgentIds = (): string[] => Object.keys(AGENTS);

/** The default agent's id: the first in AGENTS. */
export function defaultAgentId(agents: Record<string, Agent>): string {
  return Object.keys(agents)[0]!;
}
