// Interactive mode in a real terminal: the chat runs under `script` (util-linux), which gives it a
// pseudo-terminal, and the test types into it. Every way out delivers the answered turns' spans.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from './helpers/fake-openai.ts';
import { TOOL_ANSWER, TOOL_MESSAGE } from './helpers/agent.ts';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.ts';
import { childEnv } from './helpers/child-env.ts';
import { newWorkDir, nodeArgsOf } from './helpers/run-script.ts';
import { describeUnless } from './helpers/skip-notes.ts';

// `script -qfec` is util-linux's; macOS's BSD `script` takes other flags.
const scriptMissing = process.platform === 'linux' ? undefined : "the terminal tests drive util-linux's `script`, which only Linux has: run them on Linux (CI does)";

const CHAT = nodeArgsOf('chat').map((arg) => `"${arg}"`).join(' ');
const receivers: (OtlpReceiver | FakeOpenAI)[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

function startInTerminal(env: Record<string, string>) {
  const child = spawn('script', ['-qfec', `"${process.execPath}" ${CHAT} --user user-tty`, '/dev/null'], {
    cwd: newWorkDir(),
    env: childEnv({ TERM: 'xterm', ...env }),
  });
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  const waitFor = async (pattern: RegExp, from = 0) => {
    for (let waited = 0; !pattern.test(screen.slice(from)); waited += 50) {
      if (waited > 15_000) throw new Error(`never saw ${pattern}; screen: ${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
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

describeUnless(scriptMissing, 'interactive chat in a terminal', () => {
  it.each([
    ['/exit', '/exit\r', 0],
    ['Ctrl-D', '\x04', 0],
    ['Ctrl-C', '\x03', 130],
  ])('%s exits and the answered turn reaches the exporter', async (_name, keys, code) => {
    const receiver = await startOtlpReceiver();
    receivers.push(receiver);
    const { chat, traceId } = await answeredTurn({ AGNOST_ORG_ID: 'org_tty', AGNOST_OTEL_ENDPOINT: receiver.tracesUrl });
    expect(chat.screen()).toMatch(new RegExp(TOOL_ANSWER.source.replace('^', ''), 'm'));
    chat.type(keys);
    expect(await chat.done).toBe(code);
    expect(chat.screen()).toMatch(/Traces: \d+ spans exported/);
    await receiver.waitForSpans(1);
    expect(receiver.spans().some((span) => span.traceId === traceId && span.parentSpanId === '')).toBe(true);
  });

  it('a second Ctrl-C exits at once, without waiting for a hanging trace endpoint', async () => {
    const receiver = await startOtlpReceiver('hang');
    receivers.push(receiver);
    const { chat } = await answeredTurn({ AGNOST_ORG_ID: 'org_tty', AGNOST_OTEL_ENDPOINT: receiver.tracesUrl });
    chat.type('\x03');
    await new Promise((resolve) => setTimeout(resolve, 300)); // the first Ctrl-C is now waiting on the export
    const secondAt = Date.now();
    chat.type('\x03');
    expect(await chat.done).toBe(130);
    expect(Date.now() - secondAt).toBeLessThan(1_000); // the export timeout alone is 2 s
  });

  it('/whoami shows the ids, /new changes the conversation, and colours are on', async () => {
    const { chat } = await answeredTurn({});
    chat.type('/whoami\r');
    await chat.waitFor(/conversationId (\S+)/);
    const first = chat.screen().match(/conversationId (\S+)/)![1];
    chat.type('/new\r');
    await chat.waitFor(/New conversation (\S+)/);
    expect(chat.screen().match(/New conversation (\S+)/)![1]).not.toBe(first);
    expect(chat.screen()).toContain('\x1b[2m'); // the dim trace footer
    chat.type('/exit\r');
    expect(await chat.done).toBe(0);
  });

  it('honours NO_COLOR', async () => {
    const { chat } = await answeredTurn({ NO_COLOR: '1' });
    chat.type('/exit\r');
    await chat.done;
    expect(chat.screen()).not.toMatch(/\x1b\[(2|22|33|39)m/);
  });

  describe('streaming from an OpenAI-compatible server that sends one word every 400 ms', () => {
    const STORY = 'Once upon a time a small fox crossed the frozen river at dawn.';
    async function streamingChat() {
      const [model, receiver] = await Promise.all([startFakeOpenAI({ reply: STORY, chunkDelayMs: 400 }), startOtlpReceiver()]);
      receivers.push(model, receiver);
      const env = { OPENAI_API_KEY: 'sk-tty-0123456789', OPENAI_BASE_URL: model.baseUrl, AGNOST_ORG_ID: 'org_tty', AGNOST_OTEL_ENDPOINT: receiver.tracesUrl };
      const chat = startInTerminal(env);
      await chat.waitFor(/you> /);
      return { chat, receiver };
    }

    it('shows the words as they arrive, and the streamed turn is traced with both ids', async () => {
      const { chat, receiver } = await streamingChat();
      chat.type('tell me a story\r');
      await chat.waitFor(/Once upon/);
      expect(chat.screen()).not.toContain('dawn.'); // the first words are there before the stream ends
      await chat.waitFor(/dawn\.\s+\S*trace [0-9a-f]{32}/);
      const traceId = chat.screen().match(/trace ([0-9a-f]{32})/)![1]!;
      chat.type('/exit\r');
      expect(await chat.done).toBe(0);
      const spans = receiver.spans().filter((span) => span.traceId === traceId);
      const conversationId = String(spans[0]?.attributes['mastra.metadata.conversationId']);
      for (const span of spans) expect(span.attributes, span.name).toMatchObject(groupingKeys('user-tty', conversationId));
      const root = spans.find((span) => span.parentSpanId === '')!;
      expect(JSON.parse(String(root.attributes['gen_ai.output.messages']))[0].parts[0].content).toBe(STORY);
    });

    it('Ctrl-C stops the answer being streamed, and the session goes on', async () => {
      const { chat } = await streamingChat();
      chat.type('tell me a story\r');
      await chat.waitFor(/Once upon/);
      chat.type('\x03');
      await chat.waitFor(/\(stopped\) trace [0-9a-f]{32}[\s\S]*you> /);
      expect(chat.screen()).not.toContain('dawn.');
      chat.type('/whoami\r');
      await chat.waitFor(/userId user-tty/);
      chat.type('/exit\r');
      expect(await chat.done).toBe(0);
    });
  });
});
