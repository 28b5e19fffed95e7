// A minimal OpenAI-compatible Chat Completions server on 127.0.0.1, for testing a real-model setup
// (OPENAI_BASE_URL + a fake key) without the network. It answers every request with `reply` (streamed
// word by word as server-sent events when the request asks for a stream, `chunkDelayMs` apart), or
// with an error status whose body echoes the key, as some servers do.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';

export interface FakeOpenAI {
  baseUrl: string;
  requests: { path: string; headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

export async function startFakeOpenAI(options: { reply?: string; status?: number; chunkDelayMs?: number } = {}): Promise<FakeOpenAI> {
  const requests: FakeOpenAI['requests'] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push({ path: request.url ?? '', headers: request.headers, body });
      response.setHeader('content-type', 'application/json');
      if (options.status && options.status !== 200) {
        const key = (request.headers.authorization ?? '').replace(/^Bearer /, '');
        response.writeHead(options.status);
        response.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${key}`, type: 'invalid_request_error' } }));
        return;
      }
      const reply = options.reply ?? 'Hello from the fake model.';
      if ((JSON.parse(body) as { stream?: boolean }).stream) return void streamReply(response, reply, options.chunkDelayMs ?? 0);
      response.end(
        JSON.stringify({
          id: 'chatcmpl-test',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: 'fake-model',
          choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The reply as Chat Completions chunks, one per word, then the finish reason with the usage, then [DONE]. */
async function streamReply(response: ServerResponse, reply: string, delayMs: number) {
  response.setHeader('content-type', 'text/event-stream');
  const chunk = (choice: object, extra: object = {}) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 0, model: 'fake-model', choices: [{ index: 0, ...choice }], ...extra })}\n\n`;
  for (const word of reply.match(/\S+\s*/g) ?? []) {
    if (response.destroyed) return;
    response.write(chunk({ delta: { role: 'assistant', content: word }, finish_reason: null }));
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  response.write(chunk({ delta: {}, finish_reason: 'stop' }, { usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 } }));
  response.end('data: [DONE]\n\n');
}
