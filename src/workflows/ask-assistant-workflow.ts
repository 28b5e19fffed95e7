// The example workflow: one step that asks an agent (the default one, src/workflows/index.ts gives it)
// the run's message, as the caller's user in the caller's conversation (conversationIdsOf: from the
// run's requestContext, never from the input, which a caller could fill with someone else's ids).
import type { Agent } from '@mastra/core/agent';
import { createStep, createWorkflow } from '@mastra/core/workflows';
import { z } from 'zod';
import { askAgent } from '../ask-agent.ts';
import { conversationIdsOf } from '../run-workflow.ts';

export function createAskAssistantWorkflow(agent: Agent) {
  const ask = createStep({
    id: 'ask',
    description: `Asks ${agent.name} the message, in the caller's conversation`,
    inputSchema: z.object({ message: z.string().min(1) }),
    outputSchema: z.object({ text: z.string() }),
    // tracingContext: the agent's spans go under this step, in the workflow run's trace.
    execute: async ({ inputData, requestContext, tracingContext }) => {
      const ids = conversationIdsOf(requestContext, 'askAssistant');
      const { text } = await askAgent(agent, inputData.message, ids, { tracingContext });
      return { text };
    },
  });
  return createWorkflow({
    id: 'askAssistant',
    description: `One turn with ${agent.name}, as a workflow`,
    inputSchema: z.object({ message: z.string().min(1) }),
    outputSchema: z.object({ text: z.string() }),
  })
    .then(ask)
    .commit();
}
