// Who owns a conversation (the memory resource of its thread) and a workflow run (the resource it was
// created for): with auth on, the token's user.
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

/** A workflow run as its owner is judged: absent, its resource, or unknown while storage is down. */
export type RunOwnership = 'absent' | 'unavailable' | { resourceId: string | undefined };

/** Who owns `runId` of the workflow `workflowId` (its key or id); 'absent' for an unknown workflow, whose route answers 404. */
export async function runOwner(mastra: Mastra, workflowId: string, runId: string): Promise<RunOwnership> {
  const workflow = Object.entries(mastra.listWorkflows()).find(
    ([key, candidate]) => key === workflowId || candidate.id === workflowId,
  )?.[1];
  if (!workflow) return 'absent';
  try {
    const run = await workflow.getWorkflowRunById(runId);
    return run ? { resourceId: run.resourceId } : 'absent';
  } catch (error) {
    mastra.getLogger().error('Workflow storage unavailable', error);
    return 'unavailable';
  }
}
