// The product's own example tests: its agents and workflows (src/project.ts), through the same assembly
// as the server and the chat, on the offline demo model (no key needed). A product edits this file when
// it changes its agents, tools or workflows; the template's plumbing is proven on the tests' own fixtures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mastra } from '@mastra/core/mastra';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFLINE_MODEL_NOTICE } from '../../src/agents/model.ts';
import { askAgent } from '../../src/ask-agent.ts';
import { createMastra } from '../../src/mastra/assembly.ts';
import { project } from '../../src/project.ts';
import { runWorkflow } from '../../src/run-workflow.ts';
import { parseEnv } from '../../src/settings/env.ts';
import { agnostKeys } from '../helpers/grouping-keys.ts';
import { PROJECT_ROOT } from '../helpers/project-files.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.ts';
import { runProductChat } from '../helpers/run-script.ts';

/** The README's first run: this message, and the default agent's answer on the offline demo model. */
const EXAMPLE_MESSAGE = 'What is 17 * 23?';
const EXAMPLE_ANSWER = 'calculator returned {"expression":"17 * 23","result":"391"}';

let receiver: OtlpReceiver;
let mastra: Mastra;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const config = parseEnv({ AGNOST_ORG_ID: 'org_product', AGNOST_OTEL_ENDPOINT: receiver.tracesUrl, MASTRA_STORAGE_URL: ':memory:' });
  ({ mastra } = await createMastra(config, { mode: 'cli', project }));
});
afterAll(async () => {
  await mastra?.shutdown();
  await receiver?.close();
});

async function spansOf(traceId: string | undefined) {
  await mastra.observability?.flush();
  return receiver.spans().filter((span) => span.traceId === traceId);
}

describe('the agents', () => {
  it.each(Object.keys(project.agents))('%s answers, with both ids on every span of its trace', async (agentId) => {
    const ids = { userId: `user-${agentId}`, conversationId: `conversation-${agentId}` };
    const { text, traceId } = await askAgent(mastra.getAgent(agentId), EXAMPLE_MESSAGE, ids);
    expect(text.trim()).not.toBe('');
    const spans = await spansOf(traceId);
    expect(spans.length).toBeGreaterThan(0);
    for (const span of spans) expect(span.attributes, span.name).toMatchObject(agnostKeys(ids.userId, ids.conversationId));
  });
});

describe("the default agent's memory", () => {
  it("keeps each turn in the user's conversation", async () => {
    const ids = { userId: 'user-memory', conversationId: 'conversation-memory' };
    const agent = mastra.getAgent(Object.keys(project.agents)[0]!);
    await askAgent(agent, 'hello', ids);
    await askAgent(agent, 'and again', ids);
    const { messages } = await (await agent.getMemory())!.recall({ threadId: ids.conversationId, resourceId: ids.userId });
    const asked = messages.filter((message) => message.role === 'user').map((message) => JSON.stringify(message.content));
    expect(asked).toEqual([expect.stringContaining('hello'), expect.stringContaining('and again')]);
  });
});

describe('the workflows', () => {
  it.each(Object.keys(project.workflows))('%s runs with { message } and answers, with both ids on every span', async (workflowId) => {
    const ids = { userId: 'user-workflow', conversationId: `conversation-${workflowId}` };
    const { result, traceId } = await runWorkflow(mastra.getWorkflow(workflowId), { message: EXAMPLE_MESSAGE }, ids);
    expect(result).toBeDefined();
    for (const span of await spansOf(traceId)) expect(span.attributes, span.name).toMatchObject(agnostKeys(ids.userId, ids.conversationId));
  });
});

describe("the README's first run", () => {
  it('npm run chat answers the example on the offline demo model, says once that it is the demo model, and prints what the README shows', async () => {
    const run = await runProductChat(['--message', EXAMPLE_MESSAGE]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(EXAMPLE_ANSWER);
    expect(run.stderr.split(OFFLINE_MODEL_NOTICE)).toHaveLength(2);
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    expect(readme, "README.md's quickstart asks something else: give it EXAMPLE_MESSAGE").toContain(
      `npm run chat -- --message "${EXAMPLE_MESSAGE}"`,
    );
    for (const [stream, printed] of [
      ['stdout', run.stdout],
      ['stderr', run.stderr],
    ])
      expect(readme, `README.md's quickstart shows another ${stream}: paste this in a \`\`\` block\n${printed}`).toContain(
        `\`\`\`\n${printed}\`\`\``,
      );
  });
});
