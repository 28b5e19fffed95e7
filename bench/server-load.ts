// Server benchmarks for `npm run bench`: the built server (.mastra/output) with and without the
// Agnost export, under concurrent generate requests, and how long after a stream ends its trace
// reaches the endpoint. Both servers run side by side; runs are interleaved between them.
import { join } from 'node:path';
import { MastraClient } from '@mastra/client-js';
import type { OtlpReceiver } from '../test/helpers/otlp-receiver.ts';
import { newWorkDir } from '../test/helpers/run-script.ts';
export { buildProject as buildServer } from '../test/helpers/server.ts';
import { startBuiltServer, stopProcessGroup, type BuiltServer } from '../test/helpers/server.ts';

export interface LoadRun {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** The built server with its own database; `agnostEndpoint` undefined: no export. */
export function startServer(agnostEndpoint: string | undefined): Promise<BuiltServer> {
  return startBuiltServer({
    MASTRA_STORAGE_URL: `file:${join(newWorkDir(), 'bench.db')}`,
    ...(agnostEndpoint ? { AGNOST_ORG_ID: 'org_bench', AGNOST_OTEL_ENDPOINT: agnostEndpoint } : {}),
  });
}

export const stopServer = (server: BuiltServer) => stopProcessGroup(server.process);

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** `requests` generate calls, `concurrency` at a time, each in its own conversation. */
export async function load(server: BuiltServer, requests: number, concurrency: number): Promise<LoadRun> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < requests; index = next++) {
      const started = performance.now();
      const response = await fetch(`${server.baseUrl}/api/agents/assistant/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': 'user-bench', 'x-conversation-id': `bench-${randomSuffix()}-${index}` },
        body: JSON.stringify({ messages: [{ role: 'user', content: `what is ${index} * 3?` }] }),
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`generate answered ${response.status}`);
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  return { requestsPerSecond: requests / seconds, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 8);
}

/** Milliseconds from the end of a streamed answer to its root span's arrival at `receiver`. */
export async function streamTraceLag(server: BuiltServer, receiver: OtlpReceiver): Promise<number> {
  const conversationId = `lag-${randomSuffix()}`;
  const client = new MastraClient({ baseUrl: server.baseUrl, headers: { 'x-user-id': 'user-bench', 'x-conversation-id': conversationId } });
  const stream = await client.getAgent('assistant').stream('what is 6 * 7?');
  await stream.processDataStream({ onChunk: async () => {} });
  const ended = performance.now();
  const arrived = () =>
    receiver.spans().some((span) => span.parentSpanId === '' && span.attributes['mastra.metadata.conversationId'] === conversationId);
  while (!arrived()) {
    if (performance.now() - ended > 10_000) throw new Error('the streamed trace did not arrive within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return performance.now() - ended;
}
