// One turn at a time per conversation (src/mastra/conversation-turns.ts), on the databases the project
// runs on: two processes' connections to one libsql file, and two pools on one PostgreSQL database.
// The server's 409: server.test.ts and postgres.test.ts.
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libsqlTurns, postgresTurns, type ConversationTurns } from '../src/mastra/conversation-turns.ts';
import { findPostgres, startPostgres, type Postgres } from './helpers/postgres.ts';
import { newWorkDir } from './helpers/run-script.ts';
import { describeUnless } from './helpers/skip-notes.ts';

const { missing } = findPostgres();
let db: Postgres | undefined;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  if (missing === undefined) db = await startPostgres();
}, 60_000);

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  db?.close();
});

/** Two instances' views of one database, with a lease of `leaseMs`. */
type Instances = (leaseMs?: number) => Promise<[ConversationTurns, ConversationTurns]>;

const databases: [string, Instances, string | undefined][] = [
  [
    'libsql (one file, two connections)',
    async (leaseMs) => {
      const url = `file:${join(newWorkDir(), 'turns.db')}`;
      return [await libsqlTurns(url, undefined, leaseMs), await libsqlTurns(url, undefined, leaseMs)];
    },
    undefined,
  ],
  [
    'PostgreSQL (two pools)',
    async (leaseMs) => {
      const [a, b] = [new pg.Pool({ connectionString: db!.url }), new pg.Pool({ connectionString: db!.url })];
      pools.push(a, b);
      return [postgresTurns(a, leaseMs), postgresTurns(b, leaseMs)];
    },
    missing,
  ],
];

describe.each(databases)('%s', (_name, instances, skipped) => {
  describeUnless(skipped, 'turns', () => {
    it('refuses a second turn in a conversation while the first runs, on either instance, and takes it after', async () => {
      const [one, two] = await instances();
      const end = await one.begin('conv-a');
      expect(end).toBeTypeOf('function');
      expect(await two.begin('conv-a')).toBeUndefined();
      expect(await one.begin('conv-a')).toBeUndefined();
      const other = await two.begin('conv-b'); // another conversation is not held up
      expect(other).toBeTypeOf('function');
      await end!();
      await end!(); // ending twice frees nothing that another turn holds
      const next = await two.begin('conv-a');
      expect(next).toBeTypeOf('function');
      await end!();
      expect(await one.begin('conv-a')).toBeUndefined();
      await Promise.all([next!(), other!()]);
    });

    it('gives exactly one of many simultaneous turns the conversation', async () => {
      const [one, two] = await instances();
      const ends = await Promise.all(Array.from({ length: 10 }, (_, index) => (index % 2 ? one : two).begin('conv-race')));
      expect(ends.filter(Boolean)).toHaveLength(1);
      await ends.find(Boolean)!();
    });

    it('frees a conversation whose turn never ended once its lease lapses', async () => {
      const [one, two] = await instances(3_000); // long enough that the second asks before it lapses, even on a busy machine
      expect(await one.begin('conv-crashed')).toBeTypeOf('function'); // never ended: its process died
      expect(await two.begin('conv-crashed')).toBeUndefined();
      await expect.poll(async () => typeof (await two.begin('conv-crashed')), { timeout: 30_000, interval: 200 }).toBe('function');
    });
  });
});
