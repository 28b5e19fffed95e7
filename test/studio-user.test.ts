// Studio's turns, on the server (the tests' project on Mastra's own Node server) without auth: Studio names the agent as the memory resource
// (top-level resourceId), and the turn is attributed to the local developer, the chat's own user id
// (CHAT_USER_ID, else this machine's pseudonymous id), on every exported span; never to a user named
// after the agent. Studio keeps its resource, so its conversation list still finds its threads.
// (With auth on the token's user wins: test/auth.test.ts.)
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localUserId } from '../src/settings/ids.ts';
import { AGENT_ID } from './helpers/agent.ts';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.ts';
import { SERVER_START_TIMEOUT_MS, startServers, stopProcessGroup, type BuiltServer } from './helpers/server.ts';

let receiver: OtlpReceiver;
const servers: { named?: BuiltServer; pseudonymous?: BuiltServer } = {};

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const common = { AGNOST_ORG_ID: 'org_studio_user', AGNOST_OTEL_ENDPOINT: receiver.tracesUrl, MASTRA_STORAGE_URL: ':memory:' };
  [servers.named, servers.pseudonymous] = await startServers([{ ...common, CHAT_USER_ID: 'dev-local-7' }, common]);
}, SERVER_START_TIMEOUT_MS + 10_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => stopProcessGroup(server?.process)));
  await receiver?.close();
});

/** What Studio's chat sends: the agent's id as resourceId, a thread it chose, at the body's top level. */
async function studioTurn(server: BuiltServer, threadId: string) {
  const response = await fetch(`${server.baseUrl}/api/agents/${AGENT_ID}/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mastra-client-type': 'studio' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hello from Studio' }], resourceId: AGENT_ID, threadId }),
  });
  expect(response.status).toBe(200);
  await response.text();
}

describe("Studio's turns without auth", () => {
  it.concurrent.for([
    ['CHAT_USER_ID', 'named', (): string => 'dev-local-7'],
    ["this machine's pseudonymous id (the chat's default)", 'pseudonymous', () => localUserId({ chatUserId: undefined })],
  ] as const)('belong to the local developer: %s', async ([, which, expectedUser], { expect }) => {
    const threadId = randomUUID();
    await studioTurn(servers[which]!, threadId);
    const ofTurn = () => receiver.spans().filter((span) => span.attributes['mastra.metadata.conversationId'] === threadId);
    await expect.poll(() => ofTurn().some((span) => span.parentSpanId === ''), { timeout: 30_000 }).toBe(true);
    for (const span of ofTurn()) expect(span.attributes, span.name).toMatchObject(groupingKeys(expectedUser(), threadId));
    expect(ofTurn().some((span) => span.attributes['agnost.user_id'] === AGENT_ID)).toBe(false);
    // Studio still finds the conversation under its own resource.
    const listed = await fetch(`${servers[which]!.baseUrl}/api/memory/threads?resourceId=${AGENT_ID}&agentId=${AGENT_ID}`);
    expect(await listed.text()).toContain(threadId);
  });
});
