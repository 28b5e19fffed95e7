// The agents, tool and workflow the tests talk to, named in this one place: the tests' own project
// (test/fixtures/project.ts), never the product's, so a product changes its agents without touching
// the template's tests.
import { project } from '../fixtures/project.ts';

export {
  AGENT_ID,
  SUB_AGENT_HOST_ID,
  SCRIPTED_MODEL_NOTICE,
  TOOL_ANSWER,
  TOOL_ID,
  TOOL_MESSAGE,
  WORKFLOW_ID,
} from '../fixtures/project.ts';
export { callTool } from '../fixtures/scripted-model.ts';
/** Every agent's id, the default first. */
export const AGENT_IDS = Object.keys(project.agents);
/** Every workflow's id. */
export const WORKFLOW_IDS = Object.keys(project.workflows);

/** The names of the tools called in a trace, from its exported tool spans' GenAI attributes. */
export function toolsCalled(spans: readonly { attributes: Record<string, unknown> }[]): string[] {
  return spans.flatMap(({ attributes }) =>
    attributes['gen_ai.operation.name'] === 'execute_tool' ? [String(attributes['gen_ai.tool.name'])] : [],
  );
}
