// Interactive mode in a real terminal: the chat (on the tests' project) runs under `script`
// (util-linux), which gives it a pseudo-terminal, and the test types into it. Every way out delivers
// the answered turns' spans. The sessions share nothing, so they run concurrently, a few at a time.
import { spawn } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from './helpers/fake-openai.ts';
import { TOOL_ANSWER, TOOL_MESSAGE } from './helpers/agent.ts';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.ts';
import { childEnv } from './helpers/child-env.ts';
import { inTurns, newWorkDir, nodeArgsOf } from './helpers/run-script.ts';
import { describeUnless } from './helpers/skip-notes.ts';

// `script -qfec` is util-linux's; macOS's BSD `script` takes other flags.
const scriptMissing =
  process.platform === 'linux'
    ? undefined
    : "the terminal tests drive util-linux's `script`, which only Linux has: run them on Linux (CI does)";

const CHAT = nodeArgsOf('chat')
  .map((arg) => `"${arg}"`)
  .join(' ');
const inTurn = inTurns(3);
// A test's time includes waiting its turn.
const PROCESS_TESTS = { timeout: 180_000 };
// Closed once the file is done: tests run concurrently, so none may close what another still uses.
const servers: (OtlpReceiver | FakeOpenAI)[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function receiver(mode?: Parameters<typeof startOtlpReceiver>[0]) {
  const started = await startOtlpReceiver(mode);
  servers.push(started);
  return started;
}

function startInTerminal(env: Record<string, string>) {
  const child = spawn('script', ['-qfec', `"${process.execPath}" ${CHAT} --user user-tty`, '/dev/null'], {
    cwd: newWorkDir(),
    env: childEnv({ TERM: 'xterm', ...env }),
  });
  let screen = '';
  const watchers = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    for (const watcher of watchers) watcher();
  });
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  /** Resolves once the screen, from offset `from` on, matches `pattern`. */
  const waitFor = (pattern: RegExp, from = 0) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(screen.slice(from))) return;
        clearTimeout(timer);
        watchers.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        watchers.delete(check);
        reject(new Error(`never saw ${pattern}; screen: ${screen}`));
      }, 20_000);
      watchers.add(check);
      check();
    });
  return { child, done, waitFor, screen: () => screen, type: (keys: string) => child.stdin.write(keys) };
}

async function answeredTurn(env: Record<string, string>) {
  const chat = startInTerminal(env);
  await chat.waitFor(/you> /);
  chat.type(`${TOOL_MESSAGE}\r`);
  await chat.waitFor(/trace [0-9a-f]{32}/);
  const traceId = chat.screen().match(/trace ([0-9a-f]{32})/)![1]!;
  return { chat, traceId };
}

const toolAnswerOnScreen = new RegExp(TOOL_ANSWER.source.replace('^', ''), 'm');

describeUnless(scriptMissing, 'interactive chat in a terminal', () => {
  // Each session, from its start to its exit, in its turn. A session proves what it can on the way
  // (/whoami and /new before /exit, NO_COLOR with Ctrl-D), as each costs a process start.
  it.concurrent.each<[string, string, number, Record<string, string>]>([
    ['Ctrl-D', '\x04', 0, { NO_COLOR: '1' }],
    ['Ctrl-C', '\x03', 130, {}],
  ])('%s exits and the answered turn reaches the exporter', PROCESS_TESTS, (_name, keys, code, env) =>
    inTurn(async () => {
      const otlp = await receiver();
      const { chat, traceId } = await answeredTurn({ ...env, AGNOST_ORG_ID: 'org_tty', AGNOST_OTEL_ENDPOINT: otlp.tracesUrl });
      expect(chat.screen()).toMatch(toolAnswerOnScreen);
      chat.type(keys);
      expect(await chat.done).toBe(code);
      expect(chat.screen()).toMatch(/Traces: \d+ spans exported/);
      await otlp.waitForSpans(1);
      expect(otlp.spans().some((span) => span.traceId === traceId && span.parentSpanId === '')).toBe(true);
      if (env.NO_COLOR) expect(chat.screen(), 'honours NO_COLOR').not.toMatch(/\x1b\[(2|22|33|39)m/);
    }),
  );

  it.concurrent(
    '/whoami shows the ids, /new changes the conversation, colours are on; /exit exits and the answered turn reaches the exporter',
    PROCESS_TESTS,
    () =>
      inTurn(async () => {
        const otlp = await receiver();
        const { chat, traceId } = await answeredTurn({ AGNOST_ORG_ID: 'org_tty', AGNOST_OTEL_ENDPOINT: otlp.tracesUrl });
        chat.type('/whoami\r');
        await chat.waitFor(/conversationId (\S+)/);
        const first = chat.screen().match(/conversationId (\S+)/)![1];
        chat.type('/new\r');
        await chat.waitFor(/New conversation (\S+)/);
        expect(chat.screen().match(/New conversation (\S+)/)![1]).not.toBe(first);
        expect(chat.screen()).toContain('\x1b[2m'); // the dim trace footer
        chat.type('/exit\r');
        expect(await chat.done).toBe(0);
        expect(chat.screen()).toMatch(/Traces: \d+ spans exported/);
        await otlp.waitForSpans(1);
        expect(otlp.spans().some((span) => span.traceId === traceId && span.parentSpanId === '')).toBe(true);
      }),
  );

  it.concurrent('a second Ctrl-C exits at once, without waiting for a hanging trace endpoint', PROCESS_TESTS, () =>
    inTurn(async () => {
      const otlp = await receiver('hang');
      const { chat } = await answeredTurn({ AGNOST_ORG_ID: 'org_tty', AGNOST_OTEL_ENDPOINT: otlp.tracesUrl });
      await chat.waitFor(/trace [0-9a-f]{32}[\s\S]*you> /); // the prompt is back
      const promptAt = chat.screen().length;
      chat.type('\x03');
      await chat.waitFor(/\n/, promptAt); // the first Ctrl-C left the prompt line: it is now waiting on the export
      const secondAt = Date.now();
      chat.type('\x03');
      expect(await chat.done).toBe(130);
      expect(Date.now() - secondAt).toBeLessThan(1_000); // the export timeout alone is 2 s
    }),
  );

  // The words come from an OpenAI-compatible server, one every `chunkDelayMs`: slow enough that the
  // screen shows the first before the last, and that Ctrl-C lands before the answer ends.
  it.concurrent(
    'streams the words as they arrive, traced with both ids; Ctrl-C stops an answer and the session goes on',
    PROCESS_TESTS,
    () =>
      inTurn(async () => {
        const STORY = 'Once upon a time a small fox crossed the frozen river at dawn.';
        const [model, otlp] = await Promise.all([startFakeOpenAI({ reply: STORY, chunkDelayMs: 250 }), receiver()]);
        servers.push(model);
        const env = {
          OPENAI_API_KEY: 'sk-tty-0123456789',
          OPENAI_BASE_URL: model.baseUrl,
          AGNOST_ORG_ID: 'org_tty',
          AGNOST_OTEL_ENDPOINT: otlp.tracesUrl,
        };
        const chat = startInTerminal(env);
        await chat.waitFor(/you> /);

        // A whole answer, shown word by word.
        chat.type('tell me a story\r');
        await chat.waitFor(/Once upon/);
        expect(chat.screen()).not.toContain('dawn.'); // the first words are there before the stream ends
        await chat.waitFor(/dawn\.\s+\S*trace [0-9a-f]{32}[\s\S]*you> /);
        const traceId = chat.screen().match(/trace ([0-9a-f]{32})/)![1]!;

        // An answer stopped half-way; the session goes on.
        const secondTurnAt = chat.screen().length;
        chat.type('tell me a story\r');
        await chat.waitFor(/Once upon/, secondTurnAt);
        chat.type('\x03');
        await chat.waitFor(/\(stopped\) trace [0-9a-f]{32}[\s\S]*you> /, secondTurnAt);
        expect(chat.screen().slice(secondTurnAt)).not.toContain('dawn.');
        chat.type('/whoami\r');
        await chat.waitFor(/userId user-tty/, secondTurnAt);
        chat.type('/exit\r');
        expect(await chat.done).toBe(0);

        const spans = otlp.spans().filter((span) => span.traceId === traceId);
        const conversationId = String(spans[0]?.attributes['mastra.metadata.conversationId']);
        for (const span of spans) expect(span.attributes, span.name).toMatchObject(groupingKeys('user-tty', conversationId));
        const root = spans.find((span) => span.parentSpanId === '')!;
        expect(JSON.parse(String(root.attributes['gen_ai.output.messages']))[0].parts[0].content).toBe(STORY);
      }),
  );
});
