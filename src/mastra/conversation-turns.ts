// One turn at a time per conversation, across every process on the project's database: a turn holds a
// lease row for its conversation until its answer ends, and a second turn started meanwhile (a double
// click, two tabs, two instances behind a load balancer) is refused instead of interleaving with it.
// Two turns at once in one conversation would each read the history without the other's messages,
// and memory could store an answer twice or lose one.
// The lease lapses on its own after TURN_LEASE_MS, so a process that dies mid-turn frees its
// conversations.
import { randomUUID } from 'node:crypto';

/** Longest a turn can hold its conversation: a process that died mid-turn frees it after this. */
export const TURN_LEASE_MS = 10 * 60_000;
const TABLE = 'mastra_agnost_conversation_turns';

/** Runs one SQL statement with positional arguments and returns its rows (libsql `?`, PostgreSQL `$n`). */
export type RunSql = (sql: string, args: (string | number)[]) => Promise<unknown[]>;

/** Ends a turn: its conversation is free again. */
export type EndTurn = () => Promise<void>;

export interface ConversationTurns {
  /** Begins a turn in `conversationId`; undefined when another turn is running there. */
  begin(conversationId: string): Promise<EndTurn | undefined>;
}

/** `dialect`: how the database numbers its parameters; `leaseMs`: how long a turn may hold its conversation. */
export function conversationTurns(run: RunSql, dialect: 'sqlite' | 'postgres', leaseMs = TURN_LEASE_MS): ConversationTurns {
  const slot = (index: number) => (dialect === 'postgres' ? `$${index}` : '?');
  const integer = dialect === 'postgres' ? 'BIGINT' : 'INTEGER';
  let table: Promise<unknown> | undefined;
  // Created on the first turn (not at start-up), and tried again on the next if the database was down.
  const ensureTable = () =>
    (table ??= run(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (thread_id TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at ${integer} NOT NULL)`,
      [],
    ).catch((error: unknown) => {
      table = undefined;
      throw error;
    }));
  // Taken when free or lapsed, atomically: the row comes back only to the turn that holds it.
  const take = `INSERT INTO ${TABLE} (thread_id, holder, expires_at) VALUES (${slot(1)}, ${slot(2)}, ${slot(3)})
    ON CONFLICT (thread_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE ${TABLE}.expires_at < ${slot(4)} RETURNING holder`;
  const give = `DELETE FROM ${TABLE} WHERE thread_id = ${slot(1)} AND holder = ${slot(2)}`;
  return {
    async begin(conversationId) {
      await ensureTable();
      const holder = randomUUID();
      const now = Date.now();
      const rows = await run(take, [conversationId, holder, now + leaseMs, now]);
      if (rows.length === 0) return undefined;
      let ended = false;
      return async () => {
        if (ended) return;
        ended = true;
        await run(give, [conversationId, holder]);
      };
    },
  };
}

/** A libsql database (a file, :memory:, Turso): its own connection beside Mastra's. */
export async function libsqlTurns(url: string, authToken: string | undefined, leaseMs = TURN_LEASE_MS): Promise<ConversationTurns> {
  const { createClient } = await import('@libsql/client');
  const client = createClient({ url, ...(authToken ? { authToken } : {}) });
  // Mastra's memory writes to the same file: wait for its locks rather than fail.
  if (url.startsWith('file:')) await client.execute('PRAGMA busy_timeout = 5000');
  return conversationTurns(async (sql, args) => (await client.execute({ sql, args })).rows, 'sqlite', leaseMs);
}

/** A PostgreSQL pool (the one Mastra's memory uses). */
export function postgresTurns(
  pool: { query(sql: string, args: unknown[]): Promise<{ rows: unknown[] }> },
  leaseMs = TURN_LEASE_MS,
): ConversationTurns {
  return conversationTurns(async (sql, args) => (await pool.query(sql, args)).rows, 'postgres', leaseMs);
}
