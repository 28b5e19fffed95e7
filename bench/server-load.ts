// Server benchmarks for `npm run bench`: the built server (.mastra/output) with and without the
// Agnost export, under concurrent generate requests, and how long after a stream ends its trace
// reaches the endpoint. Both servers run side by side; runs are interleaved between them.
import { join } from 'node:path';
import { MastraClient } from '@mastra/client-js';
import { scratchDir, startServer as startBuiltServer, type RunningServer, type TraceEndpoint } from './helpers.ts';

export { buildServer } from './helpers.ts';

export interface LoadRun {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** The built server with its own database; `agnostEndpoint` undefined: no export. */
export function startServer(agnostEndpoint: string | undefined): Promise<RunningServer> {
  return startBuiltServer({
    MASTRA_STORAGE_URL: `file:${join(scratchDir(), 'bench.db')}`,
    ...(agnostEndpoint ? { AGNOST_ORG_ID: 'org_bench', AGNOST_OTEL_ENDPOINT: agnostEndpoint } : {}),
  });
}

export const stopServer = (server: RunningServer) => server.stop();

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** `requests` generate calls to `agentId`, `concurrency` at a time, each in its own conversation. */
export async function load(server: RunningServer, agentId: string, requests: number, concurrency: number): Promise<LoadRun> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < requests; index = next++) {
      const started = performance.now();
      const response = await fetch(`${server.baseUrl}/api/agents/${agentId}/generate`, {
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

/**
 * Milliseconds from the end of a streamed answer to the arrival at `endpoint` of its trace: the first
 * export that carries the conversation's id (a trace is exported whole, when its run ends).
 */
export async function streamTraceLag(server: RunningServer, agentId: string, endpoint: TraceEndpoint): Promise<number> {
  const conversationId = `lag-${randomSuffix()}`;
  const client = new MastraClient({ baseUrl: server.baseUrl, headers: { 'x-user-id': 'user-bench', 'x-conversation-id': conversationId } });
  const stream = await client.getAgent(agentId).stream('what is 6 * 7?');
  await stream.processDataStream({ onChunk: async () => {} });
  const ended = performance.now();
  const arrived = () => endpoint.posts.some((body) => body.includes(conversationId));
  while (!arrived()) {
    if (performance.now() - ended > 10_000) throw new Error('the streamed trace did not arrive within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return performance.now() - ended;
}
