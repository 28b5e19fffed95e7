// Several built servers on one real PostgreSQL database (MASTRA_STORAGE_URL=postgresql://...): a
// conversation begun on one instance continues on the other with its history, both export with the
// caller's ids, concurrent turns lose no message; an unreachable database stops start-up in one line
// (password masked), and a database lost under traffic costs error answers, not the server.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ANSWER, TOOL_MESSAGE } from './helpers/agent.ts';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.ts';
import { hasPostgres, startPostgres, type Postgres } from './helpers/postgres.ts';
import { PROJECT_ROOT } from './helpers/project-files.ts';
import { freePort, startBuiltServer, stopProcessGroup, type BuiltServer } from './helpers/server.ts';

let db: Postgres;
let receiver: OtlpReceiver;
let first: BuiltServer;
let second: BuiltServer;

beforeAll(async () => {
  if (!hasPostgres) return;
  db = await startPostgres();
  receiver = await startOtlpReceiver();
  const env = { MASTRA_STORAGE_URL: db.url, AGNOST_ORG_ID: 'org_pg_test', AGNOST_OTEL_ENDPOINT: receiver.tracesUrl };
  first = await startBuiltServer(env);
  second = await startBuiltServer(env);
}, 60_000);

afterAll(async () => {
  await stopProcessGroup(first?.process);
  await stopProcessGroup(second?.process);
  await receiver?.close();
  db?.close();
});

async function turn(server: BuiltServer, content: string, userId: string, conversationId: string) {
  const response = await fetch(`${server.baseUrl}/api/agents/assistant/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': userId, 'x-conversation-id': conversationId },
    body: JSON.stringify({ messages: [{ role: 'user', content }] }),
  });
  return { status: response.status, text: await response.text() };
}

async function messagesOf(server: BuiltServer, conversationId: string) {
  const response = await fetch(`${server.baseUrl}/api/memory/threads/${conversationId}/messages?agentId=assistant&perPage=1000`);
  return ((await response.json()) as { messages: unknown[] }).messages;
}

describe.skipIf(!hasPostgres)('two instances on one PostgreSQL database', () => {
  it('say local traces are off, and print no password', () => {
    for (const server of [first, second]) {
      expect(server.output()).toContain('Local traces: off in this process (PostgreSQL storage: no local files; Agnost has every trace)');
      expect(server.output()).not.toContain(db.password);
    }
  });

  it('continue a conversation begun on one instance on the other, with its history', async () => {
    expect(JSON.parse((await turn(first, TOOL_MESSAGE, 'user-pg', 'conv-pg')).text).text).toMatch(TOOL_ANSWER);
    const continued = JSON.parse((await turn(second, 'and on the other instance?', 'user-pg', 'conv-pg')).text) as { text: string };
    expect(continued.text).toContain(`message 2 of this conversation; you started it with "${TOOL_MESSAGE}"`);
    await expect.poll(() => receiver.spans().filter((span) => span.parentSpanId === '').length).toBe(2);
    for (const span of receiver.spans()) expect(span.attributes, span.name).toMatchObject(groupingKeys('user-pg', 'conv-pg'));
  });

  it('lose no message when both take turns in one conversation at once', async () => {
    const turns = Array.from({ length: 20 }, (_, index) => turn(index % 2 ? first : second, `turn ${index}`, 'user-busy', 'conv-busy'));
    expect((await Promise.all(turns)).map((result) => result.status)).toEqual(Array(20).fill(200));
    expect(await messagesOf(first, 'conv-busy')).toHaveLength(40);
  });

  it('answer with an error while the database is down, stay up, and recover when it is back', async () => {
    db.stop();
    try {
      const during = await turn(first, 'anyone there?', 'user-pg', 'conv-down');
      expect(during.status).toBe(503);
      expect(JSON.parse(during.text)).toEqual({ error: 'Conversation storage is unavailable: try again shortly.' });
    } finally {
      db.start();
    }
    await expect.poll(async () => (await turn(first, 'back again?', 'user-pg', 'conv-back')).status, { timeout: 15_000, interval: 500 }).toBe(200);
    expect(first.output()).not.toContain(db.password);
    expect(first.output()).not.toMatch(/^\s+at |^\{/m); // no stack traces, no raw error dumps
    expect(first.output()).toMatch(/^Memory storage unavailable: .*ECONNREFUSED/m);
  });
});

describe.skipIf(!hasPostgres)('an unreachable PostgreSQL database', () => {
  it('stops the server at start-up with one line naming MASTRA_STORAGE_URL, the password masked, exit 1', async () => {
    const url = `postgresql://mastra:hunter2-secret@127.0.0.1:${await freePort()}/postgres`;
    const server = spawn(process.execPath, [join(PROJECT_ROOT, '.mastra/output/index.mjs')], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', MASTRA_TELEMETRY_DISABLED: '1', PORT: String(await freePort()), MASTRA_STORAGE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise((resolve) => server.on('close', resolve));
    expect(code).toBe(1);
    expect(output).toMatch(/^Cannot reach the database in MASTRA_STORAGE_URL \(postgresql:\/\/mastra:\*\*\*@127\.0\.0\.1:\d+\/postgres\): ECONNREFUSED/m);
    expect(output).not.toContain('hunter2-secret');
    expect(output).not.toMatch(/^\s+at /m);
  });
});
