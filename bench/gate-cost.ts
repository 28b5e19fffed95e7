// What the server's gate (src/mastra/server/route-gate.ts) costs, for `npm run bench`: the project's
// server twice side by side (bench/gate-server.ts), with the gate and without it, both with auth on;
// each one's own CPU time per generate request, read from the server process itself, for a small body
// and for bodies just under the size cap, interleaved; then each one's memory around a burst of bodies
// at the cap.
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
    const timer = setTimeout(() => (void stop(), reject(new Error(`the ${variant} bench server did not start in 120 s: ${stderr}`))), 120_000);
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

const memoryOf = () => ({ thread: randomUUID(), resource: USER });
/** Words without digits: the offline model finds no arithmetic in them, so no tool call. */
const filler = (length: number) => 'lorem ipsum dolor sit amet '.repeat(Math.ceil(length / 27)).slice(0, length).trimEnd().padEnd(length, '.');
/** How many bytes under the cap the large bodies stay. */
const CAP_MARGIN = 1024;

const small: BodyMaker = () => JSON.stringify({ messages: [{ role: 'user', content: 'hello' }], memory: memoryOf() });

/** One user message whose text fills the body to just under the cap. */
function oneLargeMessage(): { label: string; make: BodyMaker } {
  const make = (text: string) => JSON.stringify({ messages: [{ role: 'user', content: text }], memory: memoryOf() });
  const text = filler(BODY_LIMIT_BYTES - CAP_MARGIN - make('').length);
  return { label: `one user message of ${text.length.toLocaleString('en')} characters`, make: () => make(text) };
}

/** MAX_MESSAGES messages, assistant and user in turn, the last the user's, filling the body to just under the cap. */
function manyMessages(): { label: string; make: BodyMaker } {
  const make = (texts: string[]) =>
    JSON.stringify({
      messages: texts.map((content, index) => ({ role: (texts.length - 1 - index) % 2 === 0 ? 'user' : 'assistant', content })),
      memory: memoryOf(),
    });
  const each = Math.floor((BODY_LIMIT_BYTES - CAP_MARGIN - make(Array(MAX_MESSAGES).fill('')).length) / MAX_MESSAGES);
  const texts = Array(MAX_MESSAGES).fill(filler(each)) as string[];
  return { label: `${MAX_MESSAGES} messages (the most allowed) of ${each.toLocaleString('en')} characters, assistant and user in turn`, make: () => make(texts) };
}

const headers = { authorization: `Bearer ${jwt.sign({ sub: USER }, SECRET, { algorithm: 'HS256', expiresIn: '1h' })}`, 'content-type': 'application/json' };

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
  /** The gate's own CPU, ms per request: gated minus ungated in each round (a pair run back to back). */
  gateMs: Spread3;
  /** The median of gateMs over the median without the gate. */
  gateShare: number;
  /** The most gateShare may be (GATE_GOALS), and whether it is. */
  goal: number;
  met: boolean;
}

export interface MemoryRun {
  variant: GateVariant;
  burst: number;
  beforeMb: number;
  afterMb: number;
  peakMb: number;
  settledMb: number;
  settledAfterS: number;
  /** Settled within GATE_GOALS.memoryBack of where it was before. */
  backToLevel: boolean;
}

const mb = (bytes: number) => bytes / 2 ** 20;

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
 * is back within GATE_GOALS.memoryBack of its level at rest, or for at most `maxS` seconds.
 */
async function burst(server: GateServer, variant: GateVariant, agentId: string, makeBody: BodyMaker, count: number, maxS: number): Promise<MemoryRun> {
  const before = await atRest(server, maxS);
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
    beforeMb: mb(before.rssBytes),
    afterMb: mb(after.rssBytes),
    peakMb: mb(latest.maxRssBytes),
    settledMb: mb(latest.rssBytes),
    settledAfterS: (performance.now() - started) / 1000,
    backToLevel: latest.rssBytes <= level,
  };
}

/** Both servers: CPU per request for each body, interleaved; then memory around a burst. */
export async function gateCost(agentId: string, { burstSize = 10, quick = false } = {}) {
  const servers = {} as Record<GateVariant, GateServer>;
  await Promise.all(VARIANTS.map(async (variant) => (servers[variant] = await startGateServer(variant))));
  try {
    const bodies = [
      // More rounds for the small body: its goal is the tighter one, and a round of it is cheap.
      { label: 'small: one user message, "hello"', make: small, requestsPerBatch: quick ? 10 : 20, rounds: quick ? 2 : 11, goal: GATE_GOALS.small },
      { ...oneLargeMessage(), requestsPerBatch: 1, rounds: quick ? 2 : 5, goal: GATE_GOALS.cap },
      { ...manyMessages(), requestsPerBatch: 1, rounds: quick ? 2 : 5, goal: GATE_GOALS.cap },
    ];
    // Warm-up: every body once on each server (code compiled, storage tables created).
    for (const { make } of bodies) for (const variant of VARIANTS) await generate(servers[variant], agentId, make());
    const samples = bodies.map(() => ({ gated: [] as number[], ungated: [] as number[] }));
    for (let round = 0; round < Math.max(...bodies.map((body) => body.rounds)); round++) {
      for (const [index, { make, requestsPerBatch, rounds }] of bodies.entries()) {
        if (round >= rounds) continue;
        // Alternating which goes first, so that neither always runs right after the other's batch.
        const order = (round + index) % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
        await settle(Object.values(servers));
        const before: Partial<Record<GateVariant, number>> = {};
        for (const variant of order) {
          before[variant] = (await servers[variant].usage()).cpuMicros;
          for (let request = 0; request < requestsPerBatch; request++) await generate(servers[variant], agentId, make());
        }
        // Each one's CPU from its first request to the end of the work its answers left behind.
        await settle(Object.values(servers));
        for (const variant of order) samples[index]![variant].push(((await servers[variant].usage()).cpuMicros - before[variant]!) / 1000 / requestsPerBatch);
      }
    }
    const cpu: BodyCost[] = bodies.map(({ label: body, make, requestsPerBatch, rounds, goal }, index) => {
      const { gated, ungated } = samples[index]!;
      const gateMs = spread3(gated.map((ms, round) => ms - ungated[round]!));
      const gateShare = gateMs.median / spread3(ungated).median;
      return { body, bodyBytes: Buffer.byteLength(make()), requestsPerBatch, rounds, gated: spread3(gated), ungated: spread3(ungated), gateMs, gateShare, goal, met: gateShare <= goal };
    });
    // Memory: a burst of bodies at the cap on each server, both at once (RSS is each one's own).
    const memory = await Promise.all(VARIANTS.map((variant) => burst(servers[variant], variant, agentId, bodies[1]!.make, quick ? 3 : burstSize, quick ? 10 : 30)));
    return { cpu, memory };
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
}
