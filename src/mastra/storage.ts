// Storage, as in Mastra's own scaffold: conversation memory in libsql, local traces for Mastra Studio
// in DuckDB (Studio's Traces page needs its trace queries; libsql answers 501).
// MASTRA_STORAGE_URL points the memory of every instance of a deployment at one shared libsql/Turso
// database, so a conversation can continue on any machine; the trace file stays local.
import { DuckDBInstance } from '@duckdb/node-api';
import { MastraCompositeStore } from '@mastra/core/storage';
import { DuckDBStore } from '@mastra/duckdb';
import { LibSQLStore } from '@mastra/libsql';
import { config } from '../config.ts';

/**
 * DuckDB lets one process at a time open its file. If another one holds it (Studio's `npm run dev`
 * while the chat runs), this process keeps memory and the Agnost export and skips local traces,
 * instead of failing every storage call. Free: about 0.2 s (a real open); held: a few ms.
 */
async function traceStoreIsFree(path: string): Promise<boolean> {
  try {
    (await DuckDBInstance.create(path)).closeSync();
    return true;
  } catch (error) {
    if (error instanceof Error && /Could not set lock|Conflicting lock/.test(error.message)) return false;
    throw error;
  }
}

/** Undefined when another process holds the trace file. */
export const traceStore = (await traceStoreIsFree(config.traceStorePath))
  ? new DuckDBStore({ id: 'mastra-traces', path: config.traceStorePath })
  : undefined;
if (!traceStore) {
  process.stderr.write(
    `Local traces: off in this process (${config.traceStorePath} is open in another one, e.g. npm run dev); Agnost export and memory are unaffected.\n`,
  );
}

export const storage = new MastraCompositeStore({
  id: 'mastra-storage',
  default: new LibSQLStore({
    id: 'mastra-memory',
    url: config.storageUrl,
    ...(config.storageAuthToken ? { authToken: config.storageAuthToken } : {}),
  }),
  // false: no local traces at all, rather than into libsql, which Studio cannot query.
  domains: { observability: traceStore?.observability ?? false },
});
