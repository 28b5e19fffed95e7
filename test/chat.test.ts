// The real chat CLI as a child process (offline model) against a local OTLP receiver.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_ID, AGENT_IDS, TOOL_ANSWER, TOOL_MESSAGE, toolsCalled } from './helpers/agent.ts';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';
import { newWorkDir, runChat, startChat } from './helpers/run-script.ts';

const ORG_ID = 'org_chat_test';
const receivers: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

async function receiver(mode?: Parameters<typeof startOtlpReceiver>[0]) {
  const started = await startOtlpReceiver(mode);
  receivers.push(started);
  return started;
}

function agnostEnv(target: OtlpReceiver | string): Record<string, string> {
  return { AGNOST_ORG_ID: ORG_ID, AGNOST_OTEL_ENDPOINT: typeof target === 'string' ? target : target.tracesUrl };
}

function byTrace(spans: ReceivedSpan[]): Map<string, ReceivedSpan[]> {
  const traces = new Map<string, ReceivedSpan[]>();
  for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
  return traces;
}

function jsonTurns(stdout: string): { text: string; userId: string; conversationId: string; traceId: string }[] {
  return stdout.trim().split('\n').map((line) => JSON.parse(line));
}

describe('one-shot', () => {
  it('answers, exports the turn with both ids on every span, and reports it', async () => {
    const otlp = await receiver();
    const run = await runChat(['--message', TOOL_MESSAGE, '--user', 'user-42', '--conversation', 'conv-a'], agnostEnv(otlp));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(TOOL_ANSWER);
    expect(run.stdout.trim().split('\n')).toHaveLength(toolsCalled(otlp.spans()).length); // one line per tool called
    const spans = otlp.spans();
    expect(toolsCalled(spans).length).toBeGreaterThan(0);
    expect(spans.length).toBeGreaterThan(3);
    for (const span of spans) expect(span.attributes, span.name).toMatchObject(groupingKeys('user-42', 'conv-a'));
    expect(run.stderr).toContain(`Traces: ${spans.length} spans exported to ${otlp.tracesUrl}.`);
  });

  it('sends nothing at all without AGNOST_ORG_ID, and says so', async () => {
    const otlp = await receiver();
    const run = await runChat(['--message', 'hello'], { AGNOST_OTEL_ENDPOINT: otlp.tracesUrl });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('offline demo model');
    expect(otlp.requests).toEqual([]);
    expect(run.stderr).toContain('agnost disabled: AGNOST_ORG_ID is not set');
    // The model is chosen once for every agent, and said once, whatever the number of agents.
    expect(run.stderr.match(/No OPENAI_API_KEY/g)).toHaveLength(1);
  });
});

describe('piped', () => {
  it('runs one turn per line in order: one conversation, one trace per turn', async () => {
    const otlp = await receiver();
    const run = await runChat(['--json', '--user', 'user-pipe'], agnostEnv(otlp), `hello\n\n${TOOL_MESSAGE}\nand now?\n`);
    expect(run.code).toBe(0);
    const turns = jsonTurns(run.stdout);
    expect(turns.map((turn) => turn.text)).toEqual([
      expect.stringContaining('you said "hello"'),
      expect.stringMatching(TOOL_ANSWER),
      expect.stringContaining('message 3 of this conversation; you started it with "hello"'),
    ]);
    const conversationIds = new Set(turns.map((turn) => turn.conversationId));
    expect(conversationIds.size).toBe(1);
    expect(new Set(turns.map((turn) => turn.traceId)).size).toBe(3);

    const traces = byTrace(otlp.spans());
    expect([...traces.keys()].sort()).toEqual(turns.map((turn) => turn.traceId).sort());
    const [conversationId] = conversationIds;
    for (const span of otlp.spans()) {
      expect(span.attributes['mastra.metadata.userId']).toBe('user-pipe');
      expect(span.attributes['mastra.metadata.conversationId']).toBe(conversationId);
      expect(span.attributes['mastra.metadata.threadId']).toBe(conversationId);
    }
  });

  it('handles a 1 MB line and any UTF-8 text without crashing', async () => {
    const huge = 'é'.repeat(512 * 1024);
    const run = await runChat([], {}, `${huge}\n日本語のテキスト 🚀\n`);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('日本語のテキスト 🚀');
    expect(run.stdout).not.toMatch(/\x1b\[/); // no colours when not a terminal
  });
});

describe('ids', () => {
  it('--conversation resumes a conversation: memory brings its history back', async () => {
    const cwd = newWorkDir();
    const env = { MASTRA_STORAGE_URL: `file:${join(cwd, 'memory.db')}` };
    await runChat(['--message', 'remember the word pineapple', '--conversation', 'conv-resume'], env, '', cwd);
    const resumed = await runChat(['--message', 'what did I say?', '--conversation', 'conv-resume'], env, '', cwd);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('message 2 of this conversation; you started it with "remember the word pineapple"');
  });

  it('uses CHAT_USER_ID, else a stable pseudonymous id, and a new conversation per run', async () => {
    const fromEnv = jsonTurns((await runChat(['--json', '--message', 'hi'], { CHAT_USER_ID: 'user-env' })).stdout)[0]!;
    expect(fromEnv.userId).toBe('user-env');
    const first = jsonTurns((await runChat(['--json', '--message', 'hi'])).stdout)[0]!;
    const second = jsonTurns((await runChat(['--json', '--message', 'hi'])).stdout)[0]!;
    expect(first.userId).toMatch(/^user-[0-9a-f]{12}$/);
    expect(second.userId).toBe(first.userId);
    expect(second.conversationId).not.toBe(first.conversationId);
  });

  it('reads settings from a .env file in the working folder', async () => {
    const cwd = newWorkDir();
    writeFileSync(join(cwd, '.env'), 'CHAT_USER_ID=user-from-dotenv\n');
    const turn = jsonTurns((await runChat(['--json', '--message', 'hi'], {}, '', cwd)).stdout)[0]!;
    expect(turn.userId).toBe('user-from-dotenv');
  });
});

describe('exit paths', () => {
  it('SIGTERM mid-session still delivers the spans of every answered turn', async () => {
    const otlp = await receiver();
    const chat = startChat(['--json'], agnostEnv(otlp));
    chat.child.stdin!.write(`first\n${TOOL_MESSAGE}\n`);
    await chat.waitForStdout(' returned ');
    chat.child.kill('SIGTERM'); // stdin still open: the session is alive
    const run = await chat.done;
    expect(run.code).toBe(143);
    const answered = jsonTurns(run.stdout).map((turn) => turn.traceId);
    const delivered = byTrace(otlp.spans());
    for (const traceId of answered) {
      expect(delivered.get(traceId)?.some((span) => span.parentSpanId === '')).toBe(true); // root span arrived
    }
  });

  it('a slow endpoint (1.5 s per export) still gets every answered turn of a piped run', async () => {
    const otlp = await receiver({ status: 200, delayMs: 1_500 });
    const chat = startChat(['--json'], agnostEnv(otlp));
    chat.child.stdin!.end('one\ntwo\nthree\nfour\n');
    await chat.waitForStdout('message 4 of this conversation');
    const answeredAt = Date.now();
    const run = await chat.done;
    expect(run.code).toBe(0);
    expect(Date.now() - answeredAt).toBeLessThan(3_000);
    const delivered = new Set(otlp.spans().filter((span) => span.parentSpanId === '').map((span) => span.traceId));
    for (const turn of jsonTurns(run.stdout)) expect(delivered.has(turn.traceId)).toBe(true);
  });

  it.each([
    ['answers 401', { status: 401 }, /401 Unauthorized: check AGNOST_ORG_ID/],
    ['answers 500', { status: 500 }, /500 Internal Server Error/],
    ['hangs', 'hang' as const, /timed out/],
    ['is closed', 'closed' as const, /connection refused/],
  ])('when the trace endpoint %s, the chat still answers, warns once, and exits within 3 s', async (_name, mode, reason) => {
    const otlp = await receiver(mode === 'closed' ? undefined : mode);
    if (mode === 'closed') await otlp.close();
    const chat = startChat(['--message', TOOL_MESSAGE], agnostEnv(otlp));
    await chat.waitForStdout(' returned ');
    const answeredAt = Date.now();
    const run = await chat.done;
    expect(run.code).toBe(0);
    expect(Date.now() - answeredAt).toBeLessThan(3_000);
    expect(run.stderr.match(/Warning: traces are not reaching/g)).toHaveLength(1);
    expect(run.stderr).toMatch(reason);
  });
});

describe('bad flags', () => {
  it.each([[['--bogus']], [['--user']], [['--message']], [['stray']], [['--user', 'has space']], [['--json=yes']]])(
    '%j: one-line error, usage, exit 2',
    async (args) => {
      const run = await runChat(args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      const [firstLine, secondLine] = run.stderr.split('\n');
      expect(firstLine).not.toMatch(/^\s*at /);
      expect(secondLine).toMatch(/^Usage: npm run chat/);
    },
  );

  it("takes the `--` that pnpm run passes on before the flags", async () => {
    const run = await runChat(['--', '--message', TOOL_MESSAGE]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(TOOL_ANSWER);
  });

  it('--agent picks an agent of src/agents/index.ts; an unknown one gets one line naming them, exit 2', async () => {
    const known = await runChat(['--agent', AGENT_ID, '--message', 'hello']);
    expect(known.code).toBe(0);
    expect(known.stdout).toContain('you said "hello"');
    const unknown = await runChat(['--agent', 'no-such-agent', '--message', 'hello']);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe(`Unknown agent "no-such-agent": use --agent with one of ${AGENT_IDS.join(', ')}.\n`);
  });

  it('--help prints usage and exits 0', async () => {
    const run = await runChat(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run chat/);
  });
});
