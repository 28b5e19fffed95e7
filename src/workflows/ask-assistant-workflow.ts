// The example workflow: one step that asks an agent (the default one, src/workflows/index.ts gives it)
// the run's message, as the caller's user in the caller's conversation. The ids come from the run's
// requestContext, where the server puts the caller's (JWT user, or the documented headers) and
// runWorkflow (src/run-workflow.ts) puts the chat's and the doctor's: never from the input, which a
// caller could fill with someone else's ids.
import type { Agent } from '@mastra/core/agent';
import type { RequestContext } from '@mastra/core/request-context';
import { createStep, createWorkflow } from '@mastra/core/workflows';
import { z } from 'zod';
import { askAgent, type ConversationIds } from '../ask-agent.ts';

/** The run's ids, from its requestContext; a clear error if the caller gave none. */
export function conversationIdsOf(requestContext: RequestContext, workflowId: string): ConversationIds {
  const userId = requestContext.get('userId');
  const conversationId = requestContext.get('conversationId');
  if (typeof userId !== 'string' || typeof conversationId !== 'string') {
    throw new Error(`${workflowId} needs the caller's userId and conversationId in its requestContext (runWorkflow and the server put them there)`);
  }
  return { userId, conversationId };
}

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
