// How a project's agents and workflows are built from their factories (the lists: src/agents/index.ts,
// src/workflows/index.ts): each agent once, keyed by its id, so a sub-agent or a workflow's step is the
// same instance the rest of the project talks to.
import type { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import type { AnyWorkflow } from '@mastra/core/workflows';
import type { AppSettings } from '../settings/app-env.ts';

// Any agent, whatever its id and tools. Typed with `any` on purpose: checking each agent's own type
// against Agent's defaults costs tsc seconds per agent.
export type AnyAgent = Agent<any, any, any, any, any>;

/** What an agent's factory is given. */
export interface AgentParts {
  /** The model every agent runs on, chosen once (src/agents/model.ts). */
  model: MastraModelConfig;
  /** Another agent of the list, built once and shared: give it as a sub-agent (`agents: { x: agent('x') }`). */
  agent: (id: string) => AnyAgent;
  /** The product's own variables (src/settings/app-env.ts), validated at start-up. */
  settings: AppSettings;
}

export type AgentFactory = (parts: AgentParts) => AnyAgent;

/** What a workflow's factory is given: the project's agents, the same instances the rest of the project talks to. */
export interface WorkflowParts {
  /** The agent of that id in src/agents/index.ts (an unknown id fails at start-up, naming the ids there). */
  agent: (id: string) => Agent;
  defaultAgent: Agent;
}

export type WorkflowFactory = (parts: WorkflowParts) => AnyWorkflow;

/**
 * Every agent of `factories`, each built once and keyed by its id (so mastra.getAgent(id) and
 * /api/agents/<id>/... agree), in the order listed. A sub-agent is the same instance as the agent.
 */
export function createAgents(
  model: MastraModelConfig,
  factories: Record<string, AgentFactory>,
  settings: AppSettings = {} as AppSettings,
): Record<string, AnyAgent> {
  const built = new Map<string, AnyAgent>();
  const building: string[] = [];
  const agent = (id: string): AnyAgent => {
    const existing = built.get(id);
    if (existing) return existing;
    const create = factories[id];
    if (!create)
      throw new Error(`No agent "${id}" in src/agents/index.ts: add it to AGENTS, or use one of ${Object.keys(factories).join(', ')}`);
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

/** The default agent's id: the first listed. */
export function defaultAgentId(agents: Record<string, unknown>): string {
  return Object.keys(agents)[0]!;
}

/** Every workflow of `factories` on `agents`, keyed by its id (so mastra.getWorkflow(id) and /api/workflows/<id> agree). */
export function createWorkflows(agents: Record<string, Agent>, factories: Record<string, WorkflowFactory>): Record<string, AnyWorkflow> {
  const agent = (id: string): Agent => {
    if (agents[id]) return agents[id];
    throw new Error(`No agent "${id}" in src/agents/index.ts for a workflow: use one of ${Object.keys(agents).join(', ')}`);
  };
  const defaultAgent = agent(defaultAgentId(agents));
  return Object.fromEntries(
    Object.entries(factories).map(([id, create]) => {
      const workflow = create({ agent, defaultAgent });
      if (workflow.id !== id)
        throw new Error(`src/workflows/index.ts lists the workflow "${workflow.id}" as "${id}": use its id as the key`);
      return [id, workflow];
    }),
  );
}
