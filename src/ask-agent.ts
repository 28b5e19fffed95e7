// The one way this project calls the agent: every call carries the user and conversation ids, so
// Agnost can group its traces by user and session. Copy this function into your own app.
import type { Agent } from '@mastra/core/agent';

export interface ConversationIds {
  /** Who is talking: a stable, pseudonymous id (no names or emails). */
  userId: string;
  /** Which conversation: the same id for every turn of one conversation. */
  conversationId: string;
}

export async function askAgent(agent: Agent, message: string, { userId, conversationId }: ConversationIds) {
  const result = await agent.generate(message, {
    // The same ids select the memory: the user is the resource, the conversation is the thread.
    // Mastra then also sets mastra.metadata.threadId and gen_ai.conversation.id to the conversation id.
    memory: { resource: userId, thread: conversationId },
    // Reserved keys Agnost reads; Mastra copies them onto every span of the trace as mastra.metadata.*.
    tracingOptions: { metadata: { userId, conversationId } },
  });
  return { text: result.text, traceId: result.traceId };
}
