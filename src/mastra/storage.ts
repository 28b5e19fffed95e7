// Storage, as in Mastra's own scaffold: conversation memory in libsql, local traces for Mastra Studio
// in DuckDB (Studio's Traces page needs its trace queries; libsql answers 501).
// MASTRA_STORAGE_URL points the memory of every instance of a deployment at one shared database
// (PostgreSQL, or libsql/Turso), so a conversation can continue on any machine. With PostgreSQL no
// local file is written at all: local traces are off (Agnost has every trace).
//
// The trace file is Studio's: the Mastra server (npm run dev, npm start) creates it. The chat and the
// doctor ask for local traces 'if-present': they add their traces to it when it exists, and otherwise
// start without DuckDB at all, which saves start-up time and memory (see BENCHMARKS.md).
import { existsSync } from 'node:fs';
import type { DuckDBStore } from '@mastra/duckdb';
import { MastraCompositeStore } from '@mastra/core/storage';
import { LibSQLStore } from '@mastra/libsql';
import { displayStorageUrl, isPostgresUrl, type AppConfig } from '../settings/env.ts';
import { scriptCommand } from '../settings/script-command.ts';
import { libsqlTurns, postgresTurns, type ConversationTurns } from './conversation-turns.ts';

/**
 * DuckDB lets one process at a time open its file. If another one holds it (Studio's `npm run dev`
 * while the chat runs), or it cannot be opened at all, this process keeps memory and the Agnost export
 * and skips local traces, instead of failing every storage call. Returns why not, or undefined if the
 * file is free. It really opens the file: some start-up time when the file is free, next to none when it
 * is held (BENCHMARKS.md).
 */
async function traceStoreProblem(path: string): Promise<string | undefined> {
  try {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    (await DuckDBInstance.create(path)).closeSync();
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/Could not set lock|Conflicting lock/.test(message)) return `${path} is open in another process, e.g. ${scriptCommand('dev')}`;
    return `${path} cannot be opened: ${message.split('\n')[0]}`;
  }
}

export interface StorageOptions {
  /** 'always': the server's, creating Studio's trace file; 'if-present': only if Studio created it already. */
  localTraces: 'always' | 'if-present';
}

/** Where this process keeps its traces locally: in Studio's file, nowhere (off), or not yet (no file). */
export type LocalTraces = 'kept' | 'off' | 'no-file';

export interface ProjectStorage {
  storage: MastraCompositeStore;
  /** Studio's trace file, open; undefined when this process keeps no local traces. */
  traceStore: DuckDBStore | undefined;
  localTraces: LocalTraces;
  /** One turn at a time per conversation, in the same database as memory. */
  turns: ConversationTurns;
}

/** Memory (libsql or PostgreSQL) and Studio's local traces (DuckDB), as `options` asks. */
export async function createStorage(config: AppConfig, { localTraces }: StorageOptions): Promise<ProjectStorage> {
  const postgres = isPostgresUrl(config.storageUrl);
  const noFile = localTraces === 'if-present' && config.traceStorePath !== ':memory:' && !existsSync(config.traceStorePath);
  const problem = postgres
    ? 'PostgreSQL storage: no local files; Agnost has every trace'
    : noFile
      ? undefined
      : await traceStoreProblem(config.traceStorePath);
  if (problem) {
    process.stderr.write(`Local traces: off in this process (${problem}); Agnost export and memory are unaffected.\n`);
  }
  const traceStore =
    problem || noFile ? undefined : new (await import('@mastra/duckdb')).DuckDBStore({ id: 'mastra-traces', path: config.traceStorePath });
  const memory = postgres
    ? // Loaded only for PostgreSQL: @mastra/pg adds to every start-up (see postgres.ts).
      await (await import('./postgres.ts')).connectPostgres(config.storageUrl, displayStorageUrl(config.storageUrl))
    : new LibSQLStore({
        id: 'mastra-memory',
        url: config.storageUrl,
        ...(config.storageAuthToken ? { authToken: config.storageAuthToken } : {}),
      });
  const turns = 'pool' in memory ? postgresTurns(memory.pool) : await libsqlTurns(config.storageUrl, config.storageAuthToken);
  const storage = new MastraCompositeStore({
    id: 'mastra-storage',
    default: memory,
    // false: no local traces at all, rather than into libsql, which Studio cannot query.
    domains: { observability: traceStore?.observability ?? false },
  });
  return { storage, traceStore, localTraces: traceStore ? 'kept' : noFile ? 'no-file' : 'off', turns };
}
