// A minimal OpenAI-compatible Chat Completions server on 127.0.0.1, for testing a real-model setup
// (OPENAI_BASE_URL + a fake key) without the network. It answers every request with `reply` (streamed
// word by word as server-sent events when the request asks for a stream, `chunkDelayMs` apart), or
// with an error status whose body echoes the key, as some servers do. With `respond`, it answers each
// request as that function decides: a text, tool calls (as a real model calls tools), or a JSON object.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { leaveIdleConnectionsToClients } from './idle-connections.ts';
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';

export interface FakeOpenAI {
  baseUrl: string;
  requests: { path: string; headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

/** What a Chat Completions request holds that a test may decide on. */
export interface ChatRequest {
  messages: { role: string; content?: unknown; tool_calls?: unknown[] }[];
  tools?: { type: 'function'; function: { name: string; parameters?: JsonSchema } }[];
  response_format?: { type: string; json_schema?: { schema?: JsonSchema } };
  stream?: boolean;
}
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
}
export type ChatReply = string | { toolCalls: { name: string; arguments: object }[] };

export interface FakeOpenAIOptions {
  reply?: string;
  status?: number;
  chunkDelayMs?: number;
  /** Decides each answer; default: `reply`. */
  respond?: (request: ChatRequest) => ChatReply;
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const requests: FakeOpenAI['requests'] = [];
  let calls = 0;
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      requests.push({ path: request.url ?? '', headers: request.headers, body });
      response.setHeader('content-type', 'application/json');
      if (options.status && options.status !== 200) {
        const key = (request.headers.authorization ?? '').replace(/^Bearer /, '');
        response.writeHead(options.status);
        response.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${key}`, type: 'invalid_request_error' } }));
        return;
      }
      const chat = JSON.parse(body) as ChatRequest;
      const answer = options.respond?.(chat) ?? options.reply ?? 'Hello from the fake model.';
      const toolCalls =
        typeof answer === 'string'
          ? undefined
          : answer.toolCalls.map(({ name, arguments: args }) => ({
              id: `call_${++calls}`,
              type: 'function',
              function: { name, arguments: JSON.stringify(args) },
            }));
      const reply = typeof answer === 'string' ? answer : '';
      if (chat.stream) return void streamReply(response, reply, toolCalls, options.chunkDelayMs ?? 0);
      response.end(
        JSON.stringify({
          id: 'chatcmpl-test',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: 'fake-model',
          choices: [
            {
              index: 0,
              message: toolCalls ? { role: 'assistant', content: null, tool_calls: toolCalls } : { role: 'assistant', content: reply },
              finish_reason: toolCalls ? 'tool_calls' : 'stop',
            },
          ],
          usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
        }),
      );
    });
  });
  leaveIdleConnectionsToClients(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The reply as Chat Completions chunks, one per word (or one per tool call), then the finish reason with the usage, then [DONE]. */
async function streamReply(response: ServerResponse, reply: string, toolCalls: object[] | undefined, delayMs: number) {
  response.setHeader('content-type', 'text/event-stream');
  const chunk = (choice: object, extra: object = {}) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 0, model: 'fake-model', choices: [{ index: 0, ...choice }], ...extra })}\n\n`;
  for (const [index, call] of (toolCalls ?? []).entries()) {
    response.write(chunk({ delta: { role: 'assistant', tool_calls: [{ index, ...call }] }, finish_reason: null }));
  }
  for (const word of reply.match(/\S+\s*/g) ?? []) {
    if (response.destroyed) return;
    response.write(chunk({ delta: { role: 'assistant', content: word }, finish_reason: null }));
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  const finish = toolCalls ? 'tool_calls' : 'stop';
  response.write(chunk({ delta: {}, finish_reason: finish }, { usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 } }));
  response.end('data: [DONE]\n\n');
}

/** A value that fits `schema`, for arguments and structured answers: strings are `text`, numbers 5. */
export function sampleOf(schema: JsonSchema | undefined, text = 'sample'): unknown {
  if (!schema) return text;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return sampleOf(schema.anyOf.find((option) => option.type !== 'null') ?? schema.anyOf[0], text);
  const type = Array.isArray(schema.type) ? schema.type.find((name) => name !== 'null') : schema.type;
  if (type === 'object' || schema.properties) {
    return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, value]) => [key, sampleOf(value, text)]));
  }
  if (type === 'array') return [sampleOf(schema.items, text)];
  if (type === 'number' || type === 'integer') return 5;
  if (type === 'boolean') return true;
  return text;
}
