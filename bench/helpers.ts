// The bench's own stand-ins and process helpers, so that it needs nothing from test/ (a product may
// delete either folder): a trace endpoint that keeps each POST's bytes, an OpenAI-compatible server
// that streams a reply word by word, and the project's scripts and built server as processes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
export const scratchDir = () => mkdtempSync(join(tmpdir(), 'bench-'));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Serves `handle(request body, response)` on a free port of 127.0.0.1; resolves with its base URL and a close(). */
async function serve(handle: (body: string, response: ServerResponse, request: IncomingMessage) => void) {
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('latin1'); // byte for byte: the OTLP payloads are binary
    request.on('data', (chunk: string) => (body += chunk)).on('end', () => handle(body, response, request));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => (server.closeAllConnections(), new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
}

export interface TraceEndpoint {
  tracesUrl: string;
  /** Every POST's body, as received. */
  posts: Buffer[];
  close(): Promise<void>;
}

/** Takes OTLP posts and answers `status`, or never answers ('hang'). Spans are counted in-process, not here. */
export async function startTraceEndpoint(answer: number | 'hang' = 200): Promise<TraceEndpoint> {
  const posts: Buffer[] = [];
  const { url, close } = await serve((body, response) => {
    posts.push(Buffer.from(body, 'latin1'));
    if (answer !== 'hang') response.writeHead(answer, { 'content-type': 'application/x-protobuf' }).end();
  });
  return { tracesUrl: `${url}/v1/traces`, posts, close };
}

/** An OpenAI-compatible Chat Completions server: `reply` whole, or streamed a word every `wordDelayMs`. */
export async function startModelServer(reply: string, wordDelayMs = 0) {
  const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
  const event = (choice: object, extra = {}) =>
    `data: ${JSON.stringify({ id: 'bench', object: 'chat.completion.chunk', created: 0, model: 'bench-model', choices: [{ index: 0, ...choice }], ...extra })}\n\n`;
  const { url, close } = await serve(async (body, response) => {
    if (!(JSON.parse(body) as { stream?: boolean }).stream) {
      const message = { role: 'assistant', content: reply };
      return void response.end(
        JSON.stringify({
          id: 'bench',
          object: 'chat.completion',
          created: 0,
          model: 'bench-model',
          choices: [{ index: 0, message, finish_reason: 'stop' }],
          usage,
        }),
      );
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const word of reply.split(/(?<= )/)) {
      response.write(event({ delta: { content: word }, finish_reason: null }));
      await pause(wordDelayMs);
    }
    response.end(`${event({ delta: {}, finish_reason: 'stop' }, { usage })}data: [DONE]\n\n`);
  });
  return { baseUrl: `${url}/v1`, close };
}

/** Node's arguments for `npm run <script>` as package.json has them, the project's paths made absolute. */
export function npmScriptArgs(script: string): string[] {
  const command = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts[script]!;
  return command
    .split(' ')
    .slice(1)
    .map((arg) => (/^(\.\/)?scripts\//.test(arg) ? join(ROOT, arg) : arg));
}

/** `npm run build`: the server in .mastra/output. */
export function buildServer(): void {
  const build = spawnSync('npm', ['run', 'build'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, MASTRA_TELEMETRY_DISABLED: '1' },
  });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
}

export interface RunningServer {
  baseUrl: string;
  stop(): Promise<void>;
}

/** The built server on a free port with `env`; resolves once its API answers. */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const probe = await serve(() => {});
  await probe.close(); // its port is free again: the server takes it
  const port = new URL(probe.url).port;
  const child = spawn(process.execPath, [join(ROOT, '.mastra/output/index.mjs')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MASTRA_TELEMETRY_DISABLED: '1', ...env, PORT: port },
    stdio: 'ignore',
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  for (
    let waited = 0;
    !(await fetch(`${baseUrl}/api/agents`).then(
      (response) => response.ok,
      () => false,
    ));
    waited += 100
  ) {
    if (waited > 60_000 || child.exitCode !== null) throw (await stop(), new Error(`the built server did not start on ${baseUrl}`));
    await pause(100);
  }
  return { baseUrl, stop };
}
