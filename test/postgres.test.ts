// Several servers on one real PostgreSQL database (MASTRA_STORAGE_URL=postgresql://...): a
// conversation begun on one instance continues on the other with its history, both export with the
// caller's ids, concurrent turns lose no message; an unreachable database stops start-up in one line
// (password masked), and a database lost under traffic costs error answers, not the server.
// PostgreSQL comes from the registry (test/helpers/postgres.ts): no system install is needed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresTurns } from '../src/mastra/conversation-turns.ts';
import { AGENT_ID } from './helpers/agent.ts';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.ts';
import { findPostgres, startPostgres, type Postgres } from './helpers/postgres.ts';
import { PROJECT_ROOT } from './helpers/project-files.ts';
import { freePort, startServer, stopProcessGroup, type BuiltServer } from './helpers/server.ts';
import { describeUnless } from './helpers/skip-notes.ts';

const { missing } = findPostgres();

let db: Postgres;
let receiver: OtlpReceiver;
let first: BuiltServer;
let second: BuiltServer;
let unreachableStart: Promise<{ code: number | null; output: string }>;

/** The server started on a database nobody listens at: its exit code and everything it printed. */
async function startOnUnreachableDatabase() {
  const url = `postgresql://mastra:hunter2-secret@127.0.0.1:${await freePort()}/postgres`;
  const server = spawn(process.execPath, [join(PROJECT_ROOT, 'test/fixtures/server.ts')], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', MASTRA_TELEMETRY_DISABLED: '1', PORT: String(await freePort()), MASTRA_STORAGE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => server.on('close', resolve));
  return { code, output };
}

beforeAll(async () => {
  if (missing !== undefined) return;
  // Started first, so that its start-up and exit overlap the database's and the instances'.
  unreachableStart = startOnUnreachableDatabase();
  db = await startPostgres();
  receiver = await startOtlpReceiver();
  const env = { MASTRA_STORAGE_URL: db.url, AGNOST_ORG_ID: 'org_pg_test', AGNOST_OTEL_ENDPOINT: receiver.tracesUrl };
  first = await startServer(env);
  second = await startServer(env);
}, 60_000);

afterAll(async () => {
  await stopProcessGroup(first?.process);
  await stopProcessGroup(second?.process);
  await receiver?.close();
  db?.close();
});

async function turn(server: BuiltServer, content: string, userId: string, conversationId: string) {
  const response = await fetch(`${server.baseUrl}/api/agents/${AGENT_ID}/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': userId, 'x-conversation-id': conversationId },
    body: JSON.stringify({ messages: [{ role: 'user', content }] }),
  });
  return { status: response.status, text: await response.text() };
}

async function messagesOf(server: BuiltServer, conversationId: string) {
  const response = await fetch(`${server.baseUrl}/api/memory/threads/${conversationId}/messages?agentId=${AGENT_ID}&perPage=1000`);
  return ((await response.json()) as { messages: { role: string; content: unknown }[] }).messages;
}

describeUnless(missing, 'two instances on one PostgreSQL database', () => {
  it('say local traces are off, and print no password', () => {
    for (const server of [first, second]) {
      expect(server.output()).toContain('Local traces: off in this process (PostgreSQL storage: no local files; Agnost has every trace)');
      expect(server.output()).not.toContain(db.password);
    }
  });

  it('continue a conversation begun on one instance on the other, with its history', async () => {
    const [opening, followUp] = ['Hello from the first instance', 'And this from the second one'];
    const firstTurn = await turn(first, opening, 'user-pg', 'conv-pg');
    expect(firstTurn.status).toBe(200);
    expect((JSON.parse(firstTurn.text) as { text: string }).text, 'an answer from the first instance').not.toBe('');
    const secondTurn = await turn(second, followUp, 'user-pg', 'conv-pg');
    expect(secondTurn.status).toBe(200);
    // The scripted model echoes what memory gave it: the first instance's message, from the database.
    expect((JSON.parse(secondTurn.text) as { text: string }).text, 'the second instance saw the first turn').toBe(
      `echo: ${followUp} (message 2; first: ${opening})`,
    );
    // Both turns, from either instance: one conversation in the shared database.
    const stored = await messagesOf(first, 'conv-pg');
    expect(stored.filter((message) => message.role === 'user')).toHaveLength(2);
    expect(stored.filter((message) => message.role === 'assistant').length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(stored)).toContain(opening);
    // The second instance gave its model the first instance's turn: the history came from the database.
    await expect.poll(() => receiver.spans().filter((span) => span.parentSpanId === '').length).toBe(2);
    const secondRoot = receiver.spans().find((span) => span.parentSpanId === '' && JSON.stringify(span.attributes).includes(followUp));
    const secondTrace = receiver.spans().filter((span) => span.traceId === secondRoot?.traceId);
    expect(JSON.stringify(secondTrace.map((span) => span.attributes)), "the second turn's spans name the first turn's message").toContain(
      opening,
    );
    for (const span of receiver.spans()) expect(span.attributes, span.name).toMatchObject(groupingKeys('user-pg', 'conv-pg'));
  });

  it('take one turn at a time in a conversation both are asked to continue at once: the other gets 409, nothing is lost or stored twice', async () => {
    // Both instances are sent ten turns of one conversation at the same moment, pair by pair; a client
    // refused with 409 sends its message again once the other turn has answered.
    const statuses: number[] = [];
    const send = async (server: BuiltServer, content: string) => {
      for (;;) {
        const { status, text } = await turn(server, content, 'user-busy', 'conv-busy');
        statuses.push(status);
        if (status !== 409) return status;
        expect(JSON.parse(text)).toEqual({
          error: 'Conflict: a turn is already running in this conversation; send this message once it has answered.',
        });
        await new Promise((resolve) => setTimeout(resolve, 50)); // a client's pause before it sends again
      }
    };
    for (let pair = 0; pair < 10; pair++) {
      expect(await Promise.all([send(first, `turn ${pair}a`), send(second, `turn ${pair}b`)])).toEqual([200, 200]);
    }
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    // Polled, so that a save still in flight when the last answer arrives is not counted as lost.
    const count = async () => {
      const stored = await messagesOf(first, 'conv-busy');
      return {
        user: stored.filter((message) => message.role === 'user').length,
        assistant: stored.filter((message) => message.role === 'assistant').length,
      };
    };
    await expect.poll(count, { timeout: 10_000, interval: 500 }).toEqual({ user: 20, assistant: 20 });
  });

  it('refuse a turn in a conversation whose turn runs on another instance (409), and take it once that one ends', async () => {
    const pool = new pg.Pool({ connectionString: db.url });
    try {
      const other = postgresTurns(pool);
      const end = (await other.begin('conv-held'))!;
      for (const server of [first, second]) expect((await turn(server, 'me too', 'user-held', 'conv-held')).status).toBe(409);
      await end();
      expect((await turn(second, 'my turn now', 'user-held', 'conv-held')).status).toBe(200);
    } finally {
      await pool.end();
    }
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
    await expect
      .poll(async () => (await turn(first, 'back again?', 'user-pg', 'conv-back')).status, { timeout: 15_000, interval: 500 })
      .toBe(200);
    expect(first.output()).not.toContain(db.password);
    expect(first.output()).not.toMatch(/^\s+at |^\{/m); // no stack traces, no raw error dumps
    expect(first.output()).toMatch(/^Memory storage unavailable: .*ECONNREFUSED/m);
  });
});

describeUnless(missing, 'an unreachable PostgreSQL database', () => {
  it('stops the server at start-up with one line naming MASTRA_STORAGE_URL, the password masked, exit 1', async () => {
    const { code, output } = await unreachableStart;
    expect(code).toBe(1);
    expect(output).toMatch(
      /^Cannot reach the database in MASTRA_STORAGE_URL \(postgresql:\/\/mastra:\*\*\*@127\.0\.0\.1:\d+\/postgres\): ECONNREFUSED/m,
    );
    expect(output).not.toContain('hunter2-secret');
    expect(output).not.toMatch(/^\s+at /m);
  });
});
