// The product's workflows, by id. Adding one: a file like ask-assistant-workflow.ts, and one line here.
// Its steps use the agents given (the same instances the rest of the project talks to, never a copy);
// the assembly (src/mastra/assembly.ts) registers them beside the agents.
import type { WorkflowFactory } from '../mastra/registry.ts';
import { createAskAssistantWorkflow } from './ask-assistant-workflow.ts';

export const WORKFLOWS: Record<string, WorkflowFactory> = {
  askAssistant: ({ defaultAgent }) => createAskAssistantWorkflow(defaultAgent),
};
