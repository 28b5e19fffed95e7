// The web chat's route against the agent's own, for `npm run bench`: time to the first streamed word
// through POST /chat/api/chat (a signed-in session, @mastra/ai-sdk's chatRoute, AI SDK UI messages)
// and through POST /api/agents/:agentId/stream (Mastra's own route), on one built server and one
// OpenAI-compatible model server that streams a word every 20 ms, interleaved, each turn in a new
// conversation. Both go through the same gate; the chat route also reads the session from the database.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, scratchDir, startModelServer, startServer } from './helpers.ts';

const STORY = 'Once upon a time a small fox crossed the frozen river.';

/** Milliseconds from sending `request` to the first text delta of its streamed answer; the rest is read to its end. */
async function firstWordMs(request: () => Promise<Response>): Promise<number> {
  const started = performance.now();
  const response = await request();
  if (!response.ok || !response.body) throw new Error(`the stream answered ${response.status}: ${await response.text()}`);
  const decoder = new TextDecoder();
  let text = '';
  let firstAt = 0;
  for await (const chunk of response.body) {
    text += decoder.decode(chunk, { stream: true });
    if (!firstAt && text.includes('"text-delta"')) firstAt = performance.now();
  }
  if (!firstAt) throw new Error(`no text in the stream: ${text.slice(0, 300)}`);
  return firstAt - started;
}

export interface WebChatFirstWord {
  rounds: number;
  /** Per route, ms to the first word, one sample per round. */
  agentStreamMs: number[];
  webChatMs: number[];
}

/** Undefined when the project has no web chat (web/ deleted). Needs the server built (npm run build). */
export async function webChatFirstWord(agentId: string, rounds: number, tracesUrl: string): Promise<WebChatFirstWord | undefined> {
  if (!existsSync(join(ROOT, 'web'))) return undefined;
  const model = await startModelServer(STORY, 20);
  const server = await startServer({
    OPENAI_API_KEY: 'sk-bench-0123456789',
    OPENAI_BASE_URL: model.baseUrl,
    OPENAI_MODEL: 'bench-model',
    AGNOST_ORG_ID: 'org_bench',
    AGNOST_OTEL_ENDPOINT: tracesUrl,
    MASTRA_STORAGE_URL: `file:${join(scratchDir(), 'web-chat.db')}`,
  });
  try {
    const signUp = await fetch(`${server.baseUrl}/chat/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseUrl },
      body: JSON.stringify({ email: 'bench@example.com', password: 'bench-password-1', name: '' }),
    });
    const cookie = signUp.headers.getSetCookie()[0]?.split(';')[0];
    if (!signUp.ok || !cookie) throw new Error(`sign-up answered ${signUp.status}`);
    const post = (path: string, body: object, headers: Record<string, string>) => () =>
      fetch(`${server.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const agentStream = () =>
      firstWordMs(
        post(
          `/api/agents/${agentId}/stream`,
          { messages: [{ role: 'user', content: 'tell me a story' }], memory: { thread: randomUUID() } },
          { 'x-user-id': 'user-bench' },
        ),
      );
    const webChat = () =>
      firstWordMs(
        post(
          '/chat/api/chat',
          {
            id: randomUUID(),
            messages: [{ id: randomUUID(), role: 'user', parts: [{ type: 'text', text: 'tell me a story' }] }],
            trigger: 'submit-message',
          },
          { cookie },
        ),
      );
    const result: WebChatFirstWord = { rounds, agentStreamMs: [], webChatMs: [] };
    for (let round = 0; round <= rounds; round++) {
      // Alternate which goes first, so drift hits both alike; round 0 warms both up.
      let agentMs: number;
      let chatMs: number;
      if (round % 2) {
        chatMs = await webChat();
        agentMs = await agentStream();
      } else {
        agentMs = await agentStream();
        chatMs = await webChat();
      }
      if (round === 0) continue;
      result.agentStreamMs.push(agentMs);
      result.webChatMs.push(chatMs);
    }
    return result;
  } finally {
    await server.stop();
    await model.close();
  }
}
