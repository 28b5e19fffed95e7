// Memory in PostgreSQL (MASTRA_STORAGE_URL=postgresql://...), for several server instances on one
// database. The pool is ours so that an unreachable database fails fast and in one line: at start-up
// the process stops (exit 1); later, each request gets an error answer, the server stays up, and the
// pool reconnects once the database is back.
import { PostgresStore } from '@mastra/pg';
import pg from 'pg';

const CONNECT_TIMEOUT_MS = 5_000;

function reason(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return [typeof code === 'string' ? code : '', typeof message === 'string' ? message.split('\n')[0] : String(error)]
    .filter(Boolean)
    .join(': ');
}

/**
 * `shownUrl` is the URL as it may be printed (password masked). This module imports nothing of the
 * project's, so that storage.ts can load it only when PostgreSQL is used (@mastra/pg costs start-up
 * time) without an import cycle in the bundle `mastra build` makes.
 */
export async function connectPostgres(url: string, shownUrl: string): Promise<PostgresStore> {
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle connection dropped by the server (restart, failover) is an 'error' event: unhandled, it
  // would end the process. The next query opens a new connection.
  let warned = false;
  pool.on('error', (error) => {
    if (warned) return;
    warned = true;
    process.stderr.write(
      `Lost a connection to the database in MASTRA_STORAGE_URL (${shownUrl}): ${reason(error)}; reconnecting on the next request.\n`,
    );
  });
  pool.on('connect', () => (warned = false));
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    process.stderr.write(`Cannot reach the database in MASTRA_STORAGE_URL (${shownUrl}): ${reason(error)}.\n`);
    process.exit(1);
  }
  return new PostgresStore({ id: 'mastra-memory', pool });
}
