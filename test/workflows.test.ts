// A project's workflow, here the tests' own (test/fixtures/project.ts): registered once in the assembly,
// its step asks the default agent (the same instance) as the caller's user, in the caller's
// conversation, and the whole run is one trace with both ids on every span.
import type { Mastra } from '@mastra/core/mastra';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultAgentId } from '../src/mastra/registry.ts';
import { project } from './fixtures/project.ts';
import { askAgent } from '../src/ask-agent.ts';
import { parseChatArgs, UsageError } from '../src/cli/chat-args.ts';
import { createMastra } from '../src/mastra/assembly.ts';
import { runWorkflow } from '../src/run-workflow.ts';
import { parseEnv } from '../src/settings/env.ts';
import { AGENT_ID, TOOL_ANSWER, TOOL_MESSAGE, WORKFLOW_ID } from './helpers/agent.ts';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.ts';
import { runChat } from './helpers/run-script.ts';

let receiver: OtlpReceiver;
let mastra: Mastra;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const config = parseEnv({ AGNOST_ORG_ID: 'org_workflows', AGNOST_OTEL_ENDPOINT: receiver.tracesUrl, MASTRA_STORAGE_URL: ':memory:' });
  ({ mastra } = await createMastra(config, { mode: 'cli', project }));
});
afterAll(async () => {
  await mastra?.shutdown();
  await receiver?.close();
});

describe(`a project's workflow (${WORKFLOW_ID})`, () => {
  it('is registered once, beside the agents, and its step asks the default agent', async () => {
    expect(Object.keys(mastra.listWorkflows())).toContain(WORKFLOW_ID);
    const ids = { userId: 'user-wf', conversationId: 'conversation-wf' };
    const { result } = await runWorkflow(mastra.getWorkflow(WORKFLOW_ID), { message: TOOL_MESSAGE }, ids);
    expect((result as { text: string }).text).toMatch(TOOL_ANSWER);
  });

  it('is one trace, the agent run under the step, with both ids on every span', async () => {
    const ids = { userId: 'user-trace', conversationId: 'conversation-trace' };
    const { traceId } = await runWorkflow(mastra.getWorkflow(WORKFLOW_ID), { message: TOOL_MESSAGE }, ids);
    await mastra.observability?.flush();
    const spans = receiver.spans().filter((span) => span.traceId === traceId);
    const root = spans.filter((span) => span.parentSpanId === '');
    expect(root.map((span) => span.name)).toEqual([`invoke_workflow ${WORKFLOW_ID}`]);
    const agentSpan = spans.find((span) => span.name.startsWith('invoke_agent'));
    const step = spans.find((span) => span.spanId === agentSpan?.parentSpanId);
    expect(step?.name).toMatch(/^workflow_step /);
    for (const span of spans) expect(span.attributes, span.name).toMatchObject(groupingKeys(ids.userId, ids.conversationId));
  });

  it("keeps the turn in the caller's conversation: the agent, asked next in it, sees the workflow's turn", async () => {
    const ids = { userId: 'user-memory', conversationId: 'conversation-memory' };
    await runWorkflow(mastra.getWorkflow(WORKFLOW_ID), { message: 'first, through the workflow' }, ids);
    const { text } = await askAgent(mastra.getAgent(AGENT_ID), 'and then directly', ids);
    expect(text).toContain('(message 2; first: first, through the workflow)');
    expect(defaultAgentId(mastra.listAgents())).toBe(AGENT_ID);
  });

  it('fails, saying why, when the run has no ids in its requestContext, and logs it in one line', async () => {
    const logged = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let lines = '';
    try {
      const run = await mastra.getWorkflow(WORKFLOW_ID).createRun();
      const result = await run.start({ inputData: { message: 'hello' } });
      expect(result.status).toBe('failed');
      expect(result.status === 'failed' && result.error.message).toMatch(
        /needs the caller's userId and conversationId in its requestContext/,
      );
      lines = logged.mock.calls.map(([text]) => String(text)).join('');
    } finally {
      logged.mockRestore();
    }
    expect(lines).toMatch(/^Error executing step workflow\.askHelper\.step\.ask: .*needs the caller's userId and conversationId.*\n$/);
    expect(lines.split('\n')).toHaveLength(2);
  });
});

describe.concurrent('npm run chat -- --workflow', () => {
  it('runs the workflow with the message and prints its answer, with the ids and trace in --json', async () => {
    const run = await runChat(['--workflow', WORKFLOW_ID, '--message', TOOL_MESSAGE, '--json', '--user', 'user-chat-wf'], {
      MASTRA_STORAGE_URL: ':memory:',
    });
    expect(run.stderr).not.toMatch(/failed|error/i);
    expect(run.code).toBe(0);
    const turn = JSON.parse(run.stdout) as { text: string; userId: string; traceId: string };
    expect(turn.text).toMatch(TOOL_ANSWER);
    expect(turn.userId).toBe('user-chat-wf');
    expect(turn.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses an unknown workflow in one line naming the known ones, exit 2', async () => {
    const unknown = await runChat(['--workflow', 'no-such-workflow', '--message', 'hi']);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe(
      `Unknown workflow "no-such-workflow": use --workflow with one of ${Object.keys(mastra.listWorkflows()).join(', ')}.\n`,
    );
  });

  // A usage error: the chat prints it with the usage and exits 2, as chat.test.ts shows for every bad flag.
  it('refuses --agent with --workflow', () => {
    expect(() => parseChatArgs(['--workflow', WORKFLOW_ID, '--agent', AGENT_ID, '--message', 'hi'])).toThrow(
      new UsageError('--agent and --workflow: give one or the other'),
    );
  });
});
