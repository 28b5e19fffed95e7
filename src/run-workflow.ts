// The one way this project runs a workflow: like askAgent (ask-agent.ts), with the user and conversation
// ids, in the run's requestContext (where its steps read them, as they do the server's) and on its trace.
import { RequestContext } from '@mastra/core/request-context';
import type { AnyWorkflow } from '@mastra/core/workflows';
import type { ConversationIds } from './ask-agent.ts';

/**
 * Inside a step: the run's ids, from its requestContext, where the server puts the caller's (JWT user, or
 * the documented headers) and runWorkflow the chat's and the doctor's. A clear error if there are none.
 */
export function conversationIdsOf(requestContext: RequestContext, workflowId: string): ConversationIds {
  const userId = requestContext.get('userId');
  const conversationId = requestContext.get('conversationId');
  if (typeof userId !== 'string' || typeof conversationId !== 'string') {
    throw new Error(
      `${workflowId} needs the caller's userId and conversationId in its requestContext (runWorkflow and the server put them there)`,
    );
  }
  return { userId, conversationId };
}

export async function runWorkflow(workflow: AnyWorkflow, inputData: unknown, { userId, conversationId }: ConversationIds) {
  const requestContext = new RequestContext<Record<string, unknown>>([
    ['userId', userId],
    ['conversationId', conversationId],
  ]);
  const run = await workflow.createRun({ resourceId: userId });
  // The same reserved keys as an agent call: Agnost groups the run's trace by them.
  const result = await run.start({ inputData, requestContext, tracingOptions: { metadata: { userId, conversationId } } });
  // A failed step's own error (a model's, say), as askAgent throws it; any other end is reported as such.
  if (result.status === 'failed') throw result.error;
  if (result.status !== 'success') throw new Error(`the run ended ${result.status}, not with a result`);
  return { result: result.result as unknown, traceId: result.traceId };
}
