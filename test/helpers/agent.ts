// The agent the tests talk to, named in this one place: the project's default agent (the first in
// src/agents/index.ts). A fork that renames it, or swaps its tools, changes nothing here but
// TOOL_MESSAGE, and only if its new tools take other input.
import { createAgents, defaultAgentId } from '../../src/agents/index.ts';
import { createOfflineModel } from '../../src/agents/offline-model.ts';
import { listedWorkflowIds } from '../../src/workflows/index.ts';

const agents = createAgents(createOfflineModel());
export const AGENT_ID = defaultAgentId(agents);
/** Every agent's id, the default first. */
export const AGENT_IDS = Object.keys(agents);
/** Every workflow's id. */
export const WORKFLOW_IDS = listedWorkflowIds();

/**
 * A message that makes the offline demo model call one of the default agent's tools (it calls each
 * tool whose input it can fill from the message: see src/agents/offline-model.ts).
 */
export const TOOL_MESSAGE = 'What is 17 * 23?';

/** The offline model's answer after tool calls: one line per tool, "<tool> returned <result>". */
export const TOOL_ANSWER = /^[\w-]+ returned \S/;

/** The names of the tools called in a trace, from its exported tool spans' GenAI attributes. */
export function toolsCalled(spans: readonly { attributes: Record<string, unknown> }[]): string[] {
  return spans.flatMap(({ attributes }) => (attributes['gen_ai.operation.name'] === 'execute_tool' ? [String(attributes['gen_ai.tool.name'])] : []));
}
