// Who owns a conversation: the memory resource of its thread (with auth on, the token's user).
import type { Mastra } from '@mastra/core/mastra';

/** The user that owns a conversation (memory thread), or undefined if there is no such thread. */
export async function ownerOf(mastra: Mastra, threadId: string): Promise<string | undefined> {
  const memory = await mastra.getStorage()?.getStore('memory');
  return (await memory?.getThreadById({ threadId }))?.resourceId;
}
