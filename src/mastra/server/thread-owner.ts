// Who owns a conversation: the memory resource of its thread (with auth on, the token's user).
import type { Mastra } from '@mastra/core/mastra';

/**
 * The user that owns each conversation (memory thread), undefined for one that does not exist; or
 * undefined in all when the database is unreachable (restarting, failing over), said in one log line.
 */
export async function ownersOf(mastra: Mastra, threadIds: Iterable<string>): Promise<(string | undefined)[] | undefined> {
  try {
    const memory = await mastra.getStorage()?.getStore('memory');
    return await Promise.all([...threadIds].map(async (threadId) => (await memory?.getThreadById({ threadId }))?.resourceId));
  } catch (error) {
    mastra.getLogger().error('Memory storage unavailable', error);
    return undefined;
  }
}
