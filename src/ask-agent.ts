// The one way this project calls the agent: every call carries the user and conversation ids, so
// Agnost can group its traces by user and session. Copy this function into your own app.
import type { Agent } from '@mastra/core/agent';
import type { TracingContext } from '@mastra/core/observability';

export interface ConversationIds {
  /** Who is talking: a stable, pseudonymous id (no names or emails). */
  userId: string;
  /** Which conversation: the same id for every turn of one conversation. */
  conversationId: string;
}

export interface StreamingOptions {
  /** Called with each piece of the answer as the model streams it; without it the answer comes whole. */
  onText?: (text: string) => void;
  /** Stops the answer (a streamed one keeps what arrived so far in its trace). */
  abortSignal?: AbortSignal;
  /** Inside a workflow step or a tool: the step's tracingContext, so the agent's spans join its trace. */
  tracingContext?: TracingContext;
}

export async function askAgent(
  agent: Agent,
  message: string,
  { userId, conversationId }: ConversationIds,
  { onText, abortSignal, tracingContext }: StreamingOptions = {},
) {
  const options = {
    // The same ids select the memory: the user is the resource, the conversation is the thread.
    // Mastra then also sets mastra.metadata.threadId and gen_ai.conversation.id to the conversation id.
    memory: { resource: userId, thread: conversationId },
    // Reserved keys Agnost reads; Mastra copies them onto every span of the trace as mastra.metadata.*.
    tracingOptions: { metadata: { userId, conversationId } },
    ...(abortSignal ? { abortSignal } : {}),
    ...(tracingContext ? { tracingContext } : {}),
  };
  if (!onText) {
    const result = await agent.generate(message, options);
    return { text: result.text, traceId: result.traceId };
  }
  const stream = await agent.stream(message, options);
  for await (const text of stream.textStream) onText(text);
  return { text: await stream.text, traceId: stream.traceId };
}
