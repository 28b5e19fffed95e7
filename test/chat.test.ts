// The chat CLI on the tests' project (scripted model) against local OTLP receivers. A chat process
// is spawned only where the promise is about the process (its output, exit code, signals, what reaches
// the endpoint before it exits); flag parsing is checked by calling the parser. The processes share
// nothing, so they run concurrently, a few at a time.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseChatArgs, UsageError } from '../src/cli/chat-args.ts';
import { EXIT_DEADLINE_MS } from '../src/cli/trace-flusher.ts';
import { describeExportError } from '../src/mastra/export-failures.ts';
import { parseEnv } from '../src/settings/env.ts';
import { localUserId } from '../src/settings/ids.ts';
import { AGENT_IDS, SCRIPTED_MODEL_NOTICE, SUB_AGENT_HOST_ID, TOOL_ANSWER, TOOL_MESSAGE, toolsCalled } from './helpers/agent.ts';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';
import { inTurns, newWorkDir, runChat, startChat, type ScriptRun } from './helpers/run-script.ts';

const ORG_ID = 'org_chat_test';
const inTurn = inTurns(3);
// A test's time includes waiting its turn; a process's answer is waited for with a generous bound.
const PROCESS_TESTS = { timeout: 180_000 };
// The exit flush's deadline, with room for a busy machine to end the process: without the deadline,
// the session would wait for OpenTelemetry's own 10 s export timeout (or for each slow export in turn).
const EXITS_WITHIN_MS = EXIT_DEADLINE_MS + 5_000;
// Closed once the file is done: tests run concurrently, so none may close what another still uses.
const receivers: OtlpReceiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
});

async function receiver(mode?: Parameters<typeof startOtlpReceiver>[0]) {
  const started = await startOtlpReceiver(mode);
  receivers.push(started);
  return started;
}

function agnostEnv(target: OtlpReceiver): Record<string, string> {
  return { AGNOST_ORG_ID: ORG_ID, AGNOST_OTEL_ENDPOINT: target.tracesUrl };
}

function byTrace(spans: ReceivedSpan[]): Map<string, ReceivedSpan[]> {
  const traces = new Map<string, ReceivedSpan[]>();
  for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
  return traces;
}

interface JsonTurn {
  text: string;
  userId: string;
  conversationId: string;
  traceId: string;
}

function jsonTurns(stdout: string): JsonTurn[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

/** What the scripted model answers to the `n`th message of a conversation that started with `first`. */
const echo = (message: string, n: number, first: string) => `echo: ${message} (message ${n}; first: ${first})`;

/** A run several tests read: started by the first that asks for it. */
function shared<T>(start: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => (started ??= start());
}

// Piped, without AGNOST_ORG_ID, CHAT_USER_ID or --user; with the `--` pnpm passes on, UTF-8 text and a
// 1 MB line, whose echo is written whole before the chat exits, however slowly the pipe is read.
const UTF8 = '日本語のテキスト 🚀';
const HUGE = 'é'.repeat(512 * 1024);
const runWithoutSettings = shared(async () => {
  const otlp = await receiver();
  const run = await inTurn(() => runChat(['--', '--json'], { AGNOST_OTEL_ENDPOINT: otlp.tracesUrl }, `${UTF8}\n${HUGE}\n`));
  return { otlp, run };
});

// Every setting from a .env in the working folder; the second agent picked with --agent.
const runWithDotenv = shared(async () => {
  const otlp = await receiver();
  const cwd = newWorkDir();
  writeFileSync(join(cwd, '.env'), `CHAT_USER_ID=user-from-dotenv\nAGNOST_ORG_ID=${ORG_ID}\nAGNOST_OTEL_ENDPOINT=${otlp.tracesUrl}\n`);
  const run = await inTurn(() => runChat(['--json', '--agent', SUB_AGENT_HOST_ID, '--message', 'hi'], {}, '', cwd));
  return { otlp, run };
});

// A piped session in its own folder (so its memory database), resumed by a later run, against an
// endpoint that takes its time: each export waits long enough that the session's exports, one after
// another, would miss the exit deadline.
const pipedCwd = newWorkDir();
const pipedRun = shared(async () => {
  const otlp = await receiver({ status: 200, delayMs: 1_500 });
  return inTurn(async () => {
    const chat = startChat(['--json', '--user', 'user-pipe'], agnostEnv(otlp), pipedCwd);
    chat.child.stdin!.end(`hello\n\n${TOOL_MESSAGE}\nand now?\n`);
    await chat.waitForStdout('(message 3; ');
    const answeredAt = Date.now();
    const run = await chat.done;
    return { otlp, run, exitedAfterMs: Date.now() - answeredAt };
  });
});

describe.concurrent('one-shot', PROCESS_TESTS, () => {
  it('answers, exports the turn with both ids on every span, and reports it', async ({ expect }) => {
    const otlp = await receiver();
    const run = await inTurn(() => runChat(['--message', TOOL_MESSAGE, '--user', 'user-42', '--conversation', 'conv-a'], agnostEnv(otlp)));
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(TOOL_ANSWER);
    expect(run.stdout.trim().split('\n')).toHaveLength(toolsCalled(otlp.spans()).length); // one line per tool called
    const spans = otlp.spans();
    expect(toolsCalled(spans).length).toBeGreaterThan(0);
    expect(spans.length).toBeGreaterThan(3);
    for (const span of spans) expect(span.attributes, span.name).toMatchObject(groupingKeys('user-42', 'conv-a'));
    expect(run.stderr).toContain(`Traces: ${spans.length} spans exported to ${otlp.tracesUrl}.`);
  });

  it('sends nothing at all without AGNOST_ORG_ID, and says so', async ({ expect }) => {
    const { otlp, run } = await runWithoutSettings();
    expect(run.code).toBe(0);
    expect(jsonTurns(run.stdout)).toHaveLength(2);
    expect(otlp.requests).toEqual([]);
    expect(run.stderr).toContain('agnost disabled: AGNOST_ORG_ID is not set');
    // The model is chosen once for every agent, and said once, whatever the number of agents.
    expect(run.stderr.split(SCRIPTED_MODEL_NOTICE)).toHaveLength(2);
  });
});

describe.concurrent('piped', PROCESS_TESTS, () => {
  it('runs one turn per line in order: one conversation, one trace per turn', async ({ expect }) => {
    const { otlp, run } = await pipedRun();
    expect(run.code).toBe(0);
    const turns = jsonTurns(run.stdout);
    expect(turns.map((turn) => turn.text)).toEqual([
      echo('hello', 1, 'hello'),
      expect.stringMatching(TOOL_ANSWER),
      echo('and now?', 3, 'hello'),
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

  it('handles a 1 MB line and any UTF-8 text, and prints the whole answer before exiting', async ({ expect }) => {
    const { run } = await runWithoutSettings();
    expect(run.code).toBe(0);
    expect(jsonTurns(run.stdout).map((turn) => turn.text)).toEqual([echo(UTF8, 1, UTF8), echo(HUGE, 2, UTF8)]);
    expect(run.stdout).not.toMatch(/\x1b\[/); // no colours when not a terminal
  });

  it('a slow endpoint still gets every answered turn, and the chat exits by its deadline after the last', async ({ expect }) => {
    const { otlp, run, exitedAfterMs } = await pipedRun();
    expect(run.code).toBe(0);
    expect(exitedAfterMs).toBeLessThan(EXITS_WITHIN_MS);
    const delivered = new Set(
      otlp
        .spans()
        .filter((span) => span.parentSpanId === '')
        .map((span) => span.traceId),
    );
    const turns = jsonTurns(run.stdout);
    expect(turns).toHaveLength(3);
    for (const turn of turns) expect(delivered.has(turn.traceId)).toBe(true);
  });
});

describe.concurrent('ids', PROCESS_TESTS, () => {
  it('--conversation resumes a conversation: memory brings its history back', async ({ expect }) => {
    const { run: piped } = await pipedRun();
    const { conversationId } = jsonTurns(piped.stdout)[0]!;
    const resumed = await inTurn(() =>
      runChat(['--message', 'what did I say?', '--user', 'user-pipe', '--conversation', conversationId], {}, '', pipedCwd),
    );
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe(`${echo('what did I say?', 4, 'hello')}\n`);
  });

  it('uses CHAT_USER_ID, else a stable pseudonymous id, and a new conversation per run', async ({ expect }) => {
    const [{ run: withoutSettings }, { run: withDotenv }] = await Promise.all([runWithoutSettings(), runWithDotenv()]);
    const [pseudonymous, fromSetting] = [jsonTurns(withoutSettings.stdout)[0]!, jsonTurns(withDotenv.stdout)[0]!];
    expect(fromSetting.userId).toBe('user-from-dotenv');
    expect(localUserId(parseEnv({ CHAT_USER_ID: 'user-env' }))).toBe('user-env');
    expect(pseudonymous.userId).toMatch(/^user-[0-9a-f]{12}$/);
    // Derived from this OS user and machine, so the same in every process: the chat's and this one.
    expect(pseudonymous.userId).toBe(localUserId({ chatUserId: undefined }));
    expect(pseudonymous.conversationId).not.toBe(fromSetting.conversationId);
  });

  it('reads settings from a .env file in the working folder', async ({ expect }) => {
    const { otlp, run } = await runWithDotenv();
    expect(run.code).toBe(0);
    expect(jsonTurns(run.stdout)[0]!.userId).toBe('user-from-dotenv');
    expect(otlp.requests[0]?.headers['x-agnost-org-id']).toBe(ORG_ID);
  });
});

describe.concurrent('exit paths', PROCESS_TESTS, () => {
  it('SIGTERM mid-session still delivers the spans of every answered turn', async ({ expect }) => {
    const otlp = await receiver();
    const run = await inTurn(async () => {
      const chat = startChat(['--json'], agnostEnv(otlp));
      chat.child.stdin!.write(`first\n${TOOL_MESSAGE}\n`);
      await chat.waitForStdout(' returned ');
      chat.child.kill('SIGTERM'); // stdin still open: the session is alive
      return chat.done;
    });
    expect(run.code).toBe(143);
    const answered = jsonTurns(run.stdout).map((turn) => turn.traceId);
    expect(answered).toHaveLength(2);
    const delivered = byTrace(otlp.spans());
    for (const traceId of answered) {
      expect(delivered.get(traceId)?.some((span) => span.parentSpanId === '')).toBe(true); // root span arrived
    }
  });

  it.each([
    ['answers 401', { status: 401 }, /401 Unauthorized: check AGNOST_ORG_ID/],
    ['hangs', 'hang' as const, /timed out/],
    ['is closed', 'closed' as const, /connection refused/],
  ])('when the trace endpoint %s, the chat still answers, warns once, and exits by its deadline', async (_name, mode, reason) => {
    const otlp = await receiver(mode === 'closed' ? undefined : mode);
    if (mode === 'closed') await otlp.close();
    const { run, exitedAfterMs } = await inTurn(async () => {
      const chat = startChat(['--message', TOOL_MESSAGE], agnostEnv(otlp));
      await chat.waitForStdout(' returned ');
      const answeredAt = Date.now();
      return { run: await chat.done, exitedAfterMs: Date.now() - answeredAt };
    });
    expect(run.code).toBe(0);
    expect(exitedAfterMs).toBeLessThan(EXITS_WITHIN_MS);
    expect(run.stderr.match(/Warning: traces are not reaching/g)).toHaveLength(1);
    expect(run.stderr).toMatch(reason);
  });

  // Any other status takes the 401's way above; its warning is the export error's description.
  it('when the trace endpoint answers 500, the warning says the endpoint failed', () => {
    expect(describeExportError(Object.assign(new Error('Internal Server Error'), { code: 500 })).reason).toBe(
      '500 Internal Server Error: the endpoint failed: try again later',
    );
  });
});

describe.concurrent('bad flags', PROCESS_TESTS, () => {
  const BAD_FLAGS = [['--bogus'], ['--user'], ['--message'], ['stray'], ['--user', 'has space'], ['--json=yes']];

  it.each(BAD_FLAGS.map((args) => [args]))('%j: refused in one line', (args) => {
    let error: unknown;
    try {
      parseChatArgs(args);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message).not.toMatch(/^\s*at /);
  });

  it('the chat prints that line, then the usage, and exits 2', async () => {
    const runs = await Promise.all(BAD_FLAGS.slice(0, 2).map((args) => inTurn(() => runChat(args))));
    for (const run of runs) expectUsageError(run);
  });

  it('takes the `--` that pnpm run passes on before the flags', async () => {
    expect(parseChatArgs(['--', '--message', 'hi', '--json'])).toMatchObject({ message: 'hi', json: true });
    const { run } = await runWithoutSettings();
    expect(run.code).toBe(0);
    expect(jsonTurns(run.stdout)).toHaveLength(2);
  });

  it('--agent picks an agent of the project; an unknown one gets one line naming them, exit 2', async () => {
    const [{ otlp, run: known }, unknown] = await Promise.all([
      runWithDotenv(),
      inTurn(() => runChat(['--agent', 'no-such-agent', '--message', 'hello'])),
    ]);
    expect(known.code).toBe(0);
    const { traceId } = jsonTurns(known.stdout)[0]!;
    const root = otlp.spans().find((span) => span.traceId === traceId && span.parentSpanId === '');
    expect(root?.attributes['gen_ai.agent.id']).toBe(SUB_AGENT_HOST_ID);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe(`Unknown agent "no-such-agent": use --agent with one of ${AGENT_IDS.join(', ')}.\n`);
  });

  it('--help prints usage and exits 0', async () => {
    const run = await inTurn(() => runChat(['--help']));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run chat -- \[options\]$/m);
    expect(run.stdout).toContain(`printf 'hello\\nwhat is 2 + 2?\\n' | npm run chat\n`);
  });

  it.each([
    ['pnpm/12.21.0 npm/? node/v24.21.0 linux x64', 'pnpm run chat -- --message "hello"'],
    ['yarn/1.22.22 npm/? node/v24.21.0 linux x64', 'yarn chat --message "hello"'],
    ['bun/1.4.0 npm/? node/v24.21.0 linux x64', 'bun run chat -- --message "hello"'],
  ])('--help, run by %s, names the commands in its form', async (userAgent, oneShot) => {
    const help = await inTurn(() => runChat(['--help'], { npm_config_user_agent: userAgent }));
    expect(help.stdout).toContain(`One-shot:     ${oneShot}\n`);
  });

  it('a turn run by pnpm points to pnpm run dev for local traces', async () => {
    const turn = await inTurn(() => runChat(['--message', 'hi'], { npm_config_user_agent: 'pnpm/12.21.0 npm/? node/v24.21.0 linux x64' }));
    expect(turn.stderr).toContain("or run pnpm run dev once to keep them for Studio's Traces page.");
  });
});

function expectUsageError(run: ScriptRun) {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  const [firstLine, secondLine] = run.stderr.split('\n');
  expect(firstLine).not.toMatch(/^\s*at /);
  expect(firstLine).not.toBe('');
  expect(secondLine).toMatch(/^Usage: npm run chat/);
}
