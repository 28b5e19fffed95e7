// Studio's trace file (DuckDB) can be open in one process at a time. The chat beside a running
// `npm run dev` says so in one line and keeps answering; an open chat lets go of the file between
// turns, so `npm run dev` can start meanwhile, and its traces still land in the file. The chats run on
// the tests' project, each in its own folder, concurrently.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBStore } from '@mastra/duckdb';
import { describe, expect, it } from 'vitest';
import { AGENT_ID } from './helpers/agent.ts';
import { newWorkDir, runChat, startChat } from './helpers/run-script.ts';

// What the scripted model answers to a first message "hello".
const HELLO_ANSWER = 'echo: hello (message 1; first: hello)';

function storageIn(dir: string) {
  return { url: `file:${join(dir, 'memory.db')}`, traces: join(dir, 'memory.duckdb') };
}

// A test's time includes waiting for the others' processes, on a machine with fewer cores than them.
describe.concurrent('local traces in Studio’s DuckDB file', { timeout: 180_000 }, () => {
  it('a chat started while another process holds the file says so in one line and still answers', async ({ expect }) => {
    const storage = storageIn(newWorkDir());
    const holder = await DuckDBInstance.create(storage.traces); // this test process plays `npm run dev`
    try {
      const run = await runChat(['--message', 'hello'], { MASTRA_STORAGE_URL: storage.url });
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${HELLO_ANSWER}\n`);
      const notices = run.stderr.split('\n').filter((line) => line.startsWith('Local traces: off'));
      expect(notices).toEqual([
        `Local traces: off in this process (${storage.traces} is open in another process, e.g. npm run dev); Agnost export and memory are unaffected.`,
      ]);
      expect(run.stderr).not.toMatch(/Could not set lock|Failed to persist|\bat .*\.(ts|js):\d+/);
      expect(run.stderr).toContain(
        'Traces: none kept (local traces are off in this process, see above); set AGNOST_ORG_ID to send them to Agnost.',
      );
    } finally {
      holder.closeSync();
    }
  });

  it('a chat where Studio never ran creates no trace file (no DuckDB at start-up), and says so', async ({ expect }) => {
    const storage = storageIn(newWorkDir());
    const run = await runChat(['--message', 'hello'], { MASTRA_STORAGE_URL: storage.url });
    expect(run.code).toBe(0);
    expect(existsSync(storage.traces)).toBe(false);
    expect(run.stderr).toContain(
      "Traces: none kept; set AGNOST_ORG_ID to send them to Agnost, or run npm run dev once to keep them for Studio's Traces page.",
    );
  });

  it('an open chat lets go of the file between turns, and its traces are in it', async ({ expect }) => {
    const storage = storageIn(newWorkDir());
    (await DuckDBInstance.create(storage.traces)).closeSync(); // as `npm run dev` leaves it
    const chat = startChat([], { MASTRA_STORAGE_URL: storage.url });
    chat.child.stdin!.write('hello\n');
    await chat.waitForStdout(HELLO_ANSWER);
    // While the chat is still open, another process can take the file (once the chat has written the turn's traces).
    await expect
      .poll(
        async () =>
          DuckDBInstance.create(storage.traces).then(
            (instance) => (instance.closeSync(), true),
            () => false,
          ),
        { timeout: 30_000 },
      )
      .toBe(true);
    chat.child.stdin!.end();
    const run = await chat.done;
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      "Traces: kept on this machine only, for Studio's Traces page (npm run dev); set AGNOST_ORG_ID to send them to Agnost.",
    );

    const store = new DuckDBStore({ id: 'check', path: storage.traces });
    try {
      await store.init();
      const { spans } = await store.observability.listTraces({ pagination: { page: 0, perPage: 10 } });
      expect(spans.some((span) => span.name === `agent run: '${AGENT_ID}'`)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
