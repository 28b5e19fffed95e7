// The server the gate benchmark runs (gate-cost.ts), as a child process: the project's own Mastra
// instance (src/mastra/index.ts, with its settings from the environment), served as the built server's
// entry serves it (createNodeServer). `node bench/gate-server.ts ungated` leaves the gate out: the one
// difference is an empty mastra.setServerMiddleware(), so the agent, storage, observability, auth,
// body limit and Mastra's own middleware stay the same. Bench-only: the product has no such switch.
// Over IPC it answers 'usage' with this process's CPU time (every thread), its memory, and the main
// thread's CPU time inside the gate's handler so far (from its start to its hand-over to the route).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Mastra } from '@mastra/core/mastra';

export interface ServerUsage {
  cpuMicros: number;
  /** Main-thread CPU inside the gate's handler, summed over every request so far (0 without the gate). */
  gateMicros: number;
  rssBytes: number;
  maxRssBytes: number;
  heapUsedBytes: number;
  /** Memory outside V8's heap that JavaScript objects hold: buffers, among them the bodies' bytes. */
  externalBytes: number;
}

type ServerMiddleware = ReturnType<Mastra['getServerMiddleware']>[number];

const variant = process.argv[2];
if (variant !== 'gated' && variant !== 'ungated') throw new Error('usage: node bench/gate-server.ts gated|ungated');

// @mastra/deployer (the built server's createNodeServer) comes with the Mastra CLI, not as a dependency
// of this project: resolved along mastra -> @mastra/deployer, with npm's layout and pnpm's alike.
const root = join(import.meta.dirname, '..');
const fromCli = createRequire(createRequire(join(root, 'package.json')).resolve('mastra/package.json'));
const deployerServer = pathToFileURL(
  createRequire(fromCli.resolve('@mastra/deployer/package.json')).resolve('@mastra/deployer/server'),
).href;
const { createNodeServer } = (await import(deployerServer)) as { createNodeServer: (mastra: Mastra, options: object) => Promise<unknown> };

let gateMicros = 0;
/** The same handler, its main-thread CPU time counted until it calls next() (the route) or answers. */
function timed({ path, handler }: ServerMiddleware): ServerMiddleware {
  return {
    path,
    handler: async (c, next) => {
      const started = process.threadCpuUsage();
      let counted = false;
      const count = () => {
        if (counted) return;
        counted = true;
        const { user, system } = process.threadCpuUsage(started);
        gateMicros += user + system;
      };
      try {
        return await handler(c, async () => (count(), next()));
      } finally {
        count();
      }
    },
  };
}

const { mastra } = await import('../src/mastra/index.ts');
mastra.setServerMiddleware(variant === 'ungated' ? [] : mastra.getServerMiddleware().map(timed));
await createNodeServer(mastra, { tools: {}, studio: false });
await mastra.getStorage()?.init();

process.on('message', (message) => {
  if (message !== 'usage') return;
  const { user, system } = process.cpuUsage();
  const { rss, heapUsed, external } = process.memoryUsage();
  const usage: ServerUsage = {
    cpuMicros: user + system,
    gateMicros,
    rssBytes: rss,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: heapUsed,
    externalBytes: external,
  };
  process.send?.(usage);
});
