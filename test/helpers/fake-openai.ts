// A minimal OpenAI-compatible Chat Completions server on 127.0.0.1, for testing a real-model setup
// (OPENAI_BASE_URL + a fake key) without the network. It answers every request with `reply`, or with
// an error status whose body echoes the key, as some servers do.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOpenAI {
  baseUrl: string;
  requests: { path: string; headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

export async function startFakeOpenAI(options: { reply?: string; status?: number } = {}): Promise<FakeOpenAI> {
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
      response.end(
        JSON.stringify({
          id: 'chatcmpl-test',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: 'fake-model',
          choices: [{ index: 0, message: { role: 'assistant', content: options.reply ?? 'Hello from the fake model.' }, finish_reason: 'stop' }],
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
