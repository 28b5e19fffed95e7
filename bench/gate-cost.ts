// What the server's gate (src/mastra/server/route-gate.ts) costs, for `npm run bench`: the project's
// server twice side by side (bench/gate-server.ts), with the gate and without it, both with auth on;
// each one's own CPU time per generate request, read from the server process itself, for a small body
// and for bodies just under the size cap, the two servers in one window, their requests in turn; the
// CPU time inside the gate's handler as well; then each one's memory around a burst of bodies at the cap.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { BODY_LIMIT_BYTES } from '../src/mastra/server/request-body.ts';
import { MAX_MESSAGES } from '../src/mastra/server/request-schemas.ts';
import type { ServerUsage } from './gate-server.ts';
import { ROOT, scratchDir } from './helpers.ts';

export type GateVariant = 'gated' | 'ungated';
/**
 * The goals: the gate's own CPU (with it minus without it) at most this share of Mastra's own (without
 * it), for a small body and at the cap; after a burst, RSS back within `memoryBack` of its level before.
 */
export const GATE_GOALS = { small: 0.1, cap: 2, memoryBack: 0.05 };
const VARIANTS: GateVariant[] = ['gated', 'ungated'];
const USER = 'user-bench';
const SECRET = 'bench-only-secret-0123456789abcdefghijklmnop';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface GateServer {
  baseUrl: string;
  usage(): Promise<ServerUsage>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** One server process on a free port, its own database; resolves once it listens. */
async function startGateServer(variant: GateVariant): Promise<GateServer> {
  const port = await freePort();
  const folder = scratchDir(); // its working folder too: no developer's .env is read
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bench/gate-server.ts'), variant], {
    cwd: folder,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      MASTRA_TELEMETRY_DISABLED: '1',
      MASTRA_STORAGE_URL: `file:${join(folder, 'bench.db')}`,
      MASTRA_JWT_SECRET: SECRET,
      PORT: String(port),
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => (void stop(), reject(new Error(`the ${variant} bench server did not start in 120 s: ${stderr}`))),
      120_000,
    );
    child.on('message', (message) => {
      if ((message as { type?: string }).type === 'server-ready') (clearTimeout(timer), resolve());
    });
    child.once('exit', () => (clearTimeout(timer), reject(new Error(`the ${variant} bench server exited: ${stderr}`))));
  });
  const usage = () =>
    new Promise<ServerUsage>((resolve) => {
      const answer = (message: unknown) => {
        if (!message || typeof message !== 'object' || !('cpuMicros' in message)) return;
        child.off('message', answer);
        resolve(message as ServerUsage);
      };
      child.on('message', answer);
      child.send('usage');
    });
  return { baseUrl: `http://127.0.0.1:${port}`, usage, stop };
}

/** A body for generate, in a new conversation each time (every request does the same work). */
type BodyMaker = () => string;

/** A new conversation's ids, named as the README's calls name them: both servers then trace the same. */
function idsOf() {
  const conversationId = randomUUID();
  return { memory: { thread: conversationId, resource: USER }, tracingOptions: { metadata: { userId: USER, conversationId } } };
}
/** Words without digits: the offline model finds no arithmetic in them, so no tool call. */
const filler = (length: number) =>
  'lorem ipsum dolor sit amet '
    .repeat(Math.ceil(length / 27))
    .slice(0, length)
    .trimEnd()
    .padEnd(length, '.');
/** How many bytes under the cap the large bodies stay. */
const CAP_MARGIN = 1024;

const small: BodyMaker = () => JSON.stringify({ messages: [{ role: 'user', content: 'hello' }], ...idsOf() });

/** One user message whose text fills the body to just under the cap. */
function oneLargeMessage(): { label: string; make: BodyMaker } {
  const make = (text: string) => JSON.stringify({ messages: [{ role: 'user', content: text }], ...idsOf() });
  const text = filler(BODY_LIMIT_BYTES - CAP_MARGIN - make('').length);
  return { label: `one user message of ${text.length.toLocaleString('en')} characters`, make: () => make(text) };
}

/** MAX_MESSAGES messages, assistant and user in turn, the last the user's, filling the body to just under the cap. */
function manyMessages(): { label: string; make: BodyMaker } {
  const make = (texts: string[]) =>
    JSON.stringify({
      messages: texts.map((content, index) => ({ role: (texts.length - 1 - index) % 2 === 0 ? 'user' : 'assistant', content })),
      ...idsOf(),
    });
  const each = Math.floor((BODY_LIMIT_BYTES - CAP_MARGIN - make(Array(MAX_MESSAGES).fill('')).length) / MAX_MESSAGES);
  const texts = Array(MAX_MESSAGES).fill(filler(each)) as string[];
  return {
    label: `${MAX_MESSAGES} messages (the most allowed) of ${each.toLocaleString('en')} characters, assistant and user in turn`,
    make: () => make(texts),
  };
}

const headers = {
  authorization: `Bearer ${jwt.sign({ sub: USER }, SECRET, { algorithm: 'HS256', expiresIn: '1h' })}`,
  'content-type': 'application/json',
};

async function generate(server: GateServer, agentId: string, body: string): Promise<void> {
  const response = await fetch(`${server.baseUrl}/api/agents/${agentId}/generate`, { method: 'POST', headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`generate answered ${response.status}: ${text.slice(0, 300)}`);
}

/**
 * Waits until no server uses CPU for a while (answers are sent before their memory and trace writes
 * end; local traces are written within a second), at most `maxMs`.
 */
async function settle(servers: GateServer[], quietMs = 1_200, maxMs = 10_000): Promise<void> {
  const started = performance.now();
  let last = await Promise.all(servers.map((server) => server.usage()));
  let quietSince = performance.now();
  while (performance.now() - started < maxMs) {
    await pause(200);
    const now = await Promise.all(servers.map((server) => server.usage()));
    // Under 1 ms of CPU in 200 ms: idle (timers, the usage question itself).
    const busy = now.some((usage, index) => usage.cpuMicros - last[index]!.cpuMicros > 1_000);
    last = now;
    if (busy) quietSince = performance.now();
    else if (performance.now() - quietSince >= quietMs) return;
  }
}

export interface Spread3 {
  min: number;
  median: number;
  max: number;
}
const spread3 = (values: number[]): Spread3 => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)! };
};

export interface BodyCost {
  body: string;
  bodyBytes: number;
  requestsPerBatch: number;
  rounds: number;
  /** Server CPU ms per request, over the rounds. */
  gated: Spread3;
  ungated: Spread3;
  /** The gate's own CPU, ms per request: with it minus without it, in each round (one window for both). */
  gateMs: Spread3;
  /** The median of gateMs over the median without the gate. */
  gateShare: number;
  /** Main-thread CPU inside the gate's handler, ms per request: its own code, without the garbage it leaves. */
  insideGateMs: Spread3;
  /** Every round's figures, ms per request. */
  samples: { gated: number[]; ungated: number[]; insideGate: number[] };
  /** The most gateShare may be (GATE_GOALS), and whether it is. */
  goal: number;
  met: boolean;
}

/** RSS (and V8's heap in use, and the buffers outside it), MB. */
export interface Memory {
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
}

export interface MemoryRun {
  variant: GateVariant;
  burst: number;
  before: Memory;
  after: Memory;
  settled: Memory;
  peakMb: number;
  settledAfterS: number;
  /** Settled within GATE_GOALS.memoryBack of where it was before. */
  backToLevel: boolean;
}

const mb = (bytes: number) => bytes / 2 ** 20;
const memoryOfUsage = ({ rssBytes, heapUsedBytes, externalBytes }: ServerUsage): Memory => ({
  rssMb: mb(rssBytes),
  heapUsedMb: mb(heapUsedBytes),
  externalMb: mb(externalBytes),
});

/** The server's usage once its RSS stops falling (by under 1% in 5 s), or after `maxS` seconds. */
async function atRest(server: GateServer, maxS: number): Promise<ServerUsage> {
  await settle([server]);
  const started = performance.now();
  const samples = [await server.usage()];
  while (performance.now() - started < maxS * 1000) {
    await pause(1_000);
    samples.push(await server.usage());
    const fiveSecondsAgo = samples.at(-6);
    if (fiveSecondsAgo && fiveSecondsAgo.rssBytes - samples.at(-1)!.rssBytes < fiveSecondsAgo.rssBytes * 0.01) break;
  }
  return samples.at(-1)!;
}

/**
 * RSS at rest, when the last of `count` bodies sent at once is answered, and then each second until it
 * is back within GATE_GOALS.memoryBack of its level at rest, or for at most `maxS` seconds (an idle
 * server frees its garbage when V8's memory reducer runs, some seconds after the last request).
 */
async function burst(
  server: GateServer,
  variant: GateVariant,
  agentId: string,
  makeBody: BodyMaker,
  count: number,
  maxS: number,
): Promise<MemoryRun> {
  const before = await atRest(server, 30);
  await Promise.all(Array.from({ length: count }, () => generate(server, agentId, makeBody())));
  const after = await server.usage();
  const started = performance.now();
  const level = before.rssBytes * (1 + GATE_GOALS.memoryBack);
  let latest = after;
  while (performance.now() - started < maxS * 1000 && latest.rssBytes > level) {
    await pause(1_000);
    latest = await server.usage();
  }
  return {
    variant,
    burst: count,
    before: memoryOfUsage(before),
    after: memoryOfUsage(after),
    settled: memoryOfUsage(latest),
    peakMb: mb(latest.maxRssBytes),
    settledAfterS: (performance.now() - started) / 1000,
    backToLevel: latest.rssBytes <= level,
  };
}

/** Both servers: CPU per request for each body, interleaved; then memory around a burst. */
export async function gateCost(agentId: string, { burstSize = 10, quick = false } = {}) {
  const servers = {} as Record<GateVariant, GateServer>;
  await Promise.all(VARIANTS.map(async (variant) => (servers[variant] = await startGateServer(variant))));
  try {
    // The small body first, while the servers' heaps are small, as most of a server's life is.
    const bodies = [
      {
        label: 'small: one user message, "hello"',
        make: small,
        requestsPerBatch: quick ? 10 : 30,
        rounds: quick ? 2 : 11,
        goal: GATE_GOALS.small,
      },
      { ...oneLargeMessage(), requestsPerBatch: 1, rounds: quick ? 2 : 5, goal: GATE_GOALS.cap },
      { ...manyMessages(), requestsPerBatch: 1, rounds: quick ? 2 : 5, goal: GATE_GOALS.cap },
    ];
    const cpu: BodyCost[] = [];
    for (const [index, { label, make, requestsPerBatch, rounds, goal }] of bodies.entries()) {
      // Warm-up: this body twice on each server (code compiled, storage tables grown).
      for (let request = 0; request < 2; request++) for (const variant of VARIANTS) await generate(servers[variant], agentId, make());
      const samples = { gated: [] as number[], ungated: [] as number[], insideGate: [] as number[] };
      for (let round = 0; round < rounds; round++) {
        // One window for both, their requests in turn (A B B A A B ...): whatever else the machine
        // does meanwhile weighs on both alike.
        await settle(Object.values(servers));
        const before = await Promise.all(VARIANTS.map((variant) => servers[variant].usage()));
        for (let request = 0; request < requestsPerBatch; request++) {
          const order = (round + index + request) % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
          for (const variant of order) await generate(servers[variant], agentId, make());
        }
        // Each one's CPU to the end of the work its answers left behind.
        await settle(Object.values(servers));
        const after = await Promise.all(VARIANTS.map((variant) => servers[variant].usage()));
        const perRequest = (at: number, field: 'cpuMicros' | 'gateMicros') =>
          (after[at]![field] - before[at]![field]) / 1000 / requestsPerBatch;
        samples.gated.push(perRequest(VARIANTS.indexOf('gated'), 'cpuMicros'));
        samples.ungated.push(perRequest(VARIANTS.indexOf('ungated'), 'cpuMicros'));
        samples.insideGate.push(perRequest(VARIANTS.indexOf('gated'), 'gateMicros'));
      }
      const gateMs = spread3(samples.gated.map((ms, round) => ms - samples.ungated[round]!));
      const gateShare = gateMs.median / spread3(samples.ungated).median;
      cpu.push({
        body: label,
        bodyBytes: Buffer.byteLength(make()),
        requestsPerBatch,
        rounds,
        gated: spread3(samples.gated),
        ungated: spread3(samples.ungated),
        gateMs,
        gateShare,
        insideGateMs: spread3(samples.insideGate),
        samples,
        goal,
        met: gateShare <= goal,
      });
    }
    // Memory: a burst of bodies at the cap on each server, both at once (RSS is each one's own).
    const memory = await Promise.all(
      VARIANTS.map((variant) => burst(servers[variant], variant, agentId, bodies[1]!.make, quick ? 3 : burstSize, quick ? 10 : 60)),
    );
    return { cpu, memory };
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
}
