// The product's build serves: `mastra build` (the server's part of `npm run build`), then `npm start` as
// a user runs it, answers a turn of the product's default agent with the caller's ids on every exported
// span. The plumbing itself is proven on the tests' own project (test/server.test.ts); only this file
// pays for the build.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENTS } from '../../src/agents/index.ts';
import { useBuiltServer } from '../helpers/build.ts';
import { agnostKeys } from '../helpers/grouping-keys.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.ts';
import { newWorkDir } from '../helpers/run-script.ts';
import { SERVER_START_TIMEOUT_MS, startBuiltServer, stopProcessGroup, type BuiltServer } from '../helpers/server.ts';

const DEFAULT_AGENT_ID = Object.keys(AGENTS)[0]!;
let receiver: OtlpReceiver;
let server: BuiltServer;

useBuiltServer();

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  server = await startBuiltServer(
    {
      AGNOST_ORG_ID: 'org_built_server',
      AGNOST_OTEL_ENDPOINT: receiver.tracesUrl,
      MASTRA_STORAGE_URL: `file:${join(newWorkDir(), 'built.db')}`,
    },
    { npmStart: true },
  );
}, SERVER_START_TIMEOUT_MS + 10_000);

afterAll(async () => {
  await stopProcessGroup(server?.process);
  await receiver?.close();
});

describe('the built server (npm start)', () => {
  it("answers the default agent with the caller's ids on every span", async () => {
    const response = await fetch(`${server.baseUrl}/api/agents/${DEFAULT_AGENT_ID}/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': 'user-built', 'x-conversation-id': 'conv-built' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(response.status).toBe(200);
    const { traceId } = (await response.json()) as { traceId: string };
    const spans = () => receiver.spans().filter((span) => span.traceId === traceId);
    await expect.poll(() => spans().some((span) => span.parentSpanId === ''), { timeout: 30_000 }).toBe(true);
    for (const span of spans()) expect(span.attributes, span.name).toMatchObject(agnostKeys('user-built', 'conv-built'));
  });
});
