// The web chat on PostgreSQL (MASTRA_STORAGE_URL=postgresql://..., a real server from the npm registry:
// test/helpers/postgres.ts): users and sessions in the database's own tables, the password hashed, the
// generated session secret kept there, so a second instance on the same database takes the first one's
// session. On the server on the tests' project.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findPostgres, startPostgres, type Postgres } from '../test/helpers/postgres.ts';
import { startServer, stopProcessGroup, type BuiltServer } from '../test/helpers/server.ts';
import { describeUnless } from '../test/helpers/skip-notes.ts';

const { missing } = findPostgres();
let db: Postgres;
let servers: BuiltServer[] = [];

beforeAll(async () => {
  if (missing !== undefined) return;
  db = await startPostgres();
  // One after the other: two instances creating a fresh database's tables at the same moment can race.
  servers = [await startServer({ MASTRA_STORAGE_URL: db.url }), await startServer({ MASTRA_STORAGE_URL: db.url })];
}, 90_000);

afterAll(async () => {
  for (const server of servers) await stopProcessGroup(server.process);
  db?.close();
});

describeUnless(missing, 'the web chat on PostgreSQL', () => {
  it('signs up on one instance, chats on the other, and keeps users, hashed passwords and the secret in the database', async () => {
    const [first, second] = servers as [BuiltServer, BuiltServer];
    const signUp = await fetch(`${first.baseUrl}/chat/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: first.baseUrl },
      body: JSON.stringify({ email: 'pg@example.com', password: 'pg-password-1', name: '' }),
    });
    expect(signUp.status).toBe(200);
    const cookie = signUp.headers.getSetCookie()[0]!.split(';')[0]!;
    const turn = await fetch(`${second.baseUrl}/chat/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({
        id: randomUUID(),
        messages: [{ id: 'm-1', role: 'user', parts: [{ type: 'text', text: 'hello from the other instance' }] }],
        trigger: 'submit-message',
      }),
    });
    expect(turn.status).toBe(200);
    expect(await turn.text()).toContain('echo: hello from the other instance (message 1; first: hello from the other instance)');

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const users = await client.query('SELECT u.email, a.password FROM auth_user u JOIN auth_account a ON a."userId" = u.id');
      expect(users.rows).toHaveLength(1);
      expect(users.rows[0].email).toBe('pg@example.com');
      expect(users.rows[0].password).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/);
      expect((await client.query('SELECT count(*)::int AS n FROM auth_server_secret')).rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  });
});
