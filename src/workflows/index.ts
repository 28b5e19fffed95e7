// The workflows this project has: the assembly (src/mastra/assembly.ts) registers them beside the
// agents, on the Mastra instance the server, Studio, the chat (--workflow) and the doctor use. Adding a
// workflow: a file like ask-assistant-workflow.ts, and one line in WORKFLOWS, under its id. Its steps use the agents
// given here: the same instances the rest of the project talks to, never a second copy.
import type { Agent } from '@mastra/core/agent';
import type { AnyWorkflow } from '@mastra/core/workflows';
import { defaultAgentId } from '../agents/index.ts';
import { createAskAssistantWorkflow } from './ask-assistant-workflow.ts';

/** What a workflow's factory is given: the project's agents by id, and the default one. */
export interface WorkflowParts {
  agents: Record<string, Agent>;
  defaultAgent: Agent;
}

export type WorkflowFactory = (parts: WorkflowParts) => AnyWorkflow;

const WORKFLOWS: Record<string, WorkflowFactory> = {
  askAssistant: ({ defaultAgent }) => createAskAssistantWorkflow(defaultAgent),
};

/** The ids of WORKFLOWS, without building them (the chat checks --workflow with it). */
export const listedWorkflowIds = (): string[] => Object.keys(WORKFLOWS);

/** Every workflow of `factories` on `agents`, keyed by its id (so mastra.getWorkflow(id) and /api/workflows/<id> agree). */
export function createWorkflows(agents: Record<string, Agent>, factories: Record<string, WorkflowFactory> = WORKFLOWS): Record<string, AnyWorkflow> {
  const defaultAgent = agents[defaultAgentId(agents)]!;
  return Object.fromEntries(
    Object.entries(factories).map(([id, create]) => {
      const workflow = create({ agents, defaultAgent });
      if (workflow.id !== id) throw new Error(`src/workflows/index.ts lists the workflow "${workflow.id}" as "${id}": use its id as the key`);
      return [id, workflow];
    }),
  );
}
