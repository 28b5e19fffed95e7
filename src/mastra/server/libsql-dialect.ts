// A Kysely dialect over @libsql/client, the client @mastra/libsql uses: Better Auth (sessions.ts) keeps
// its users and sessions in the project's libsql database through it, with no second SQLite driver.
// Kysely's own SQLite pieces compile the queries; this file only runs them.
import type { Client, InArgs, Transaction } from '@libsql/client';
import {
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

class LibsqlConnection implements DatabaseConnection {
  #transaction: Transaction | undefined;
  readonly client: Client;

  constructor(client: Client) {
    this.client = client;
  }

  async executeQuery<Row>(query: CompiledQuery): Promise<QueryResult<Row>> {
    const result = await (this.#transaction ?? this.client).execute({ sql: query.sql, args: query.parameters as InArgs });
    // libsql's rows are array-like objects; Kysely's callers read plain records.
    const rows = result.rows.map((row) => Object.fromEntries(result.columns.map((column, index) => [column, row[index]])) as Row);
    return {
      rows,
      numAffectedRows: BigInt(result.rowsAffected),
      ...(result.lastInsertRowid !== undefined ? { insertId: result.lastInsertRowid } : {}),
    };
  }

  // No caller streams: a one-line refusal rather than a silent empty result.
  async *streamQuery<Row>(): AsyncIterableIterator<QueryResult<Row>> {
    throw new Error('libsql-dialect: streaming queries are not supported');
  }

  /** A transaction holds a connection of its own (libsql opens another for everyone else). */
  async begin(): Promise<void> {
    this.#transaction = await this.client.transaction('write');
  }

  async end(outcome: 'commit' | 'rollback'): Promise<void> {
    const transaction = this.#transaction;
    this.#transaction = undefined;
    await transaction?.[outcome]();
  }
}

class LibsqlDriver implements Driver {
  readonly client: Client;
  constructor(client: Client) {
    this.client = client;
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new LibsqlConnection(this.client);
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as LibsqlConnection).begin();
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as LibsqlConnection).end('commit');
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as LibsqlConnection).end('rollback');
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {
    this.client.close();
  }
}

export class LibsqlDialect implements Dialect {
  readonly client: Client;
  constructor(client: Client) {
    this.client = client;
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  createDriver() {
    return new LibsqlDriver(this.client);
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new SqliteIntrospector(db);
  }
}
