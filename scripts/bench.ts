// npm run bench: what tracing costs per call, per flush, at exit and at start-up, and what the server's
// gate costs per request, measured side by side on this machine with the project's own code and a local
// OTLP receiver. Writes BENCHMARKS.md and bench/results.json. Takes about ten minutes.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, totalmem } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { npmScriptArgs, ROOT, scratchDir, startModelServer, startTraceEndpoint, type TraceEndpoint } from '../bench/helpers.ts';

const quick = process.argv.includes('--quick'); // fewer rounds, for trying the script out
const receiver = await startTraceEndpoint();
// The bench sets its own environment, so a developer's .env changes nothing (dotenv never overrides).
Object.assign(process.env, {
  OPENAI_API_KEY: '',
  AGNOST_ORG_ID: 'org_bench',
  AGNOST_OTEL_ENDPOINT: receiver.tracesUrl,
  MASTRA_STORAGE_URL: ':memory:',
  OTEL_SERVICE_NAME: '',
});
const { parseEnv } = await import('../src/settings/env.ts');
const { createStorage } = await import('../src/mastra/storage.ts');
const { AGENTS } = await import('../src/agents/index.ts');
const { createAgents, defaultAgentId } = await import('../src/mastra/registry.ts');
const { createOfflineModel } = await import('../src/agents/offline-model.ts');
const { buildServer, load, startServer, stopServer, streamTraceLag } = await import('../bench/server-load.ts');
const { createVariant, VARIANT_DESCRIPTIONS } = await import('../bench/variants.ts');
const { webChatFirstWord } = await import('../bench/web-chat.ts');
const { gateCost, GATE_GOALS } = await import('../bench/gate-cost.ts');
const { askAgent } = await import('../src/ask-agent.ts');
const { EXPORT_CHANNEL } = await import('../src/mastra/agnost.ts');
const { subscribe } = await import('node:diagnostics_channel');
// Spans as AgnostExporter sent them (it publishes each export's outcome); bytes as the endpoint got them.
let spansSent = 0;
subscribe(EXPORT_CHANNEL, (outcome) => void (spansSent += (outcome as { sent: unknown[] }).sent.length));
const { createOpenAI } = await import('@ai-sdk/openai');
type VariantName = keyof typeof VARIANT_DESCRIPTIONS;
const settings = parseEnv();
// One memory database for every variant; no local traces (they are measured as a variant's exporter).
const { storage } = await createStorage(settings, { localTraces: 'if-present' });
const setup = { settings, storage };
// The agent the bench calls: the project's default one.
const AGENT = defaultAgentId(createAgents(createOfflineModel(), AGENTS));
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Spread {
  median: number;
  p25: number;
  p75: number;
}
function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p25: at(0.25), p75: at(0.75) };
}
const ms = (value: number) => value.toFixed(2);
const fmt = (s: Spread) => `${ms(s.median)} (${ms(s.p25)} to ${ms(s.p75)})`;

// 1. Per-call cost, interleaved: A B C D, A B C D, ... so drift hits every variant alike.
const ids = { userId: 'user-bench', conversationId: 'conv-bench' };
async function perCall(latencyMs: number, message: string) {
  const names = Object.keys(VARIANT_DESCRIPTIONS) as VariantName[];
  const instances = Object.fromEntries(names.map((name) => [name, createVariant(name, setup, latencyMs)]));
  const callsPerBatch = latencyMs > 0 ? 5 : 20;
  const rounds = quick ? 3 : latencyMs > 0 ? 8 : 15;
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  let thread = 0;
  const batch = async (name: VariantName) => {
    const agent = instances[name]!.getAgent(AGENT);
    const started = performance.now();
    for (let call = 0; call < callsPerBatch; call++) {
      // A new memory thread per call: every call does the same work, however many came before.
      await agent.generate(message, {
        memory: { resource: ids.userId, thread: `bench-${thread++}` },
        tracingOptions: { metadata: ids },
      });
    }
    const perCallMs = (performance.now() - started) / callsPerBatch;
    await instances[name]!.observability?.flush(); // outside the timing: export cost is measured below
    return perCallMs;
  };
  for (const name of names) await batch(name); // warm-up
  for (let round = 0; round < rounds; round++) for (const name of names) samples[name]!.push(await batch(name));
  const base = spread(samples.none!).median;
  const rows = names.map((name) => {
    const s = spread(samples[name]!);
    return { variant: name, msPerCall: s, overheadMs: s.median - base, ratio: s.median / base };
  });
  return { latencyMs, message, callsPerBatch, rounds, rows };
}

// 2. What one traced turn sends, and how long a flush takes with the endpoint up.
async function traceShape(name: VariantName) {
  const mastra = createVariant(name, setup, 0);
  const agent = mastra.getAgent(AGENT);
  const flushes: number[] = [];
  let spans = 0;
  let bytes = 0;
  const turns = quick ? 5 : 20;
  for (let turn = 0; turn < turns; turn++) {
    const before = receiver.posts.length;
    const spansBefore = spansSent;
    await agent.generate('What is 17 * 23?', {
      memory: { resource: ids.userId, thread: `shape-${name}-${turn}` },
      tracingOptions: { metadata: ids },
    });
    const started = performance.now();
    await mastra.observability?.flush();
    flushes.push(performance.now() - started);
    spans += spansSent - spansBefore;
    bytes += receiver.posts.slice(before).reduce((sum, body) => sum + body.length, 0);
  }
  // No mastra.shutdown(): it would close the storage every variant shares.
  return { variant: name, spansPerTrace: spans / turns, bytesPerTrace: Math.round(bytes / turns), flushMs: spread(flushes) };
}

// 2b. One long conversation: a trace's size at its first and its twentieth turn (the model calls
// carry the history: this agent keeps the last 20 messages).
async function conversationGrowth(name: VariantName) {
  const mastra = createVariant(name, setup, 0);
  const agent = mastra.getAgent(AGENT);
  const bytesAtTurn: number[] = [];
  // Set-ups measured earlier export on their own 5 s timer: let those batches land before counting.
  await new Promise((resolve) => setTimeout(resolve, 5_500));
  for (let turn = 1; turn <= 20; turn++) {
    const before = receiver.posts.length;
    await agent.generate(`What is ${turn} * 23?`, {
      memory: { resource: ids.userId, thread: `growth-${name}` },
      tracingOptions: { metadata: ids },
    });
    await mastra.observability?.flush();
    bytesAtTurn.push(receiver.posts.slice(before).reduce((sum, body) => sum + body.length, 0));
  }
  return { variant: name, firstTurnBytes: bytesAtTurn[0]!, twentiethTurnBytes: bytesAtTurn[19]! };
}

// 2c. Streaming: from the call to the first word of the answer, through an OpenAI-compatible server
// on 127.0.0.1 that streams a word every 20 ms, with and without this project's observability.
async function firstWord() {
  const server = await startModelServer('Once upon a time a small fox crossed the frozen river.', 20);
  const model = createOpenAI({ apiKey: 'sk-bench-0123456789', baseURL: server.baseUrl }).chat('bench-model');
  const names: VariantName[] = ['none', 'project'];
  const instances = Object.fromEntries(names.map((name) => [name, createVariant(name, setup, 0, model)]));
  const samples: Record<string, number[]> = { none: [], project: [] };
  for (let round = 0; round <= (quick ? 3 : 20); round++) {
    for (const name of names) {
      const started = performance.now();
      let firstAt = 0;
      await askAgent(
        instances[name]!.getAgent(AGENT),
        'tell me a story',
        { userId: 'user-bench', conversationId: `first-word-${name}-${round}` },
        {
          onText: () => (firstAt ||= performance.now()),
        },
      );
      if (round > 0) samples[name]!.push(firstAt - started); // round 0 warms up
    }
  }
  await server.close();
  return names.map((name) => ({ variant: name, firstWordMs: spread(samples[name]!) }));
}

// 3 and 4. Whole processes: exit after the last answer, cold start, peak memory.
interface ProcessRun {
  totalMs: number;
  afterAnswerMs: number;
  maxRssMb: number;
}
// Each process reports its peak resident memory on exit. Preloaded as a data: URL, in JavaScript: a .ts
// preload would load Node's TypeScript stripper into a chat that otherwise never loads it.
const REPORT_RSS = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nbench-max-rss-kb='+process.resourceUsage().maxRSS+'\\n'))`;
const CHAT = npmScriptArgs('chat'); // as npm run chat runs it, flags included
const MINIMAL = [join(ROOT, 'bench/minimal-answer.ts')];
const chatCommand = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.chat;
function runProcess(
  nodeArgs: string[],
  args: string[],
  env: Record<string, string>,
  answerMarker: string,
  cwd = scratchDir(),
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let answeredAt = 0;
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, ['--import', REPORT_RSS, ...nodeArgs, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MASTRA_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!answeredAt && stdout.includes(answerMarker)) answeredAt = performance.now();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', () => {
      const ended = performance.now();
      const rss = Number(stderr.match(/bench-max-rss-kb=(\d+)/)?.[1] ?? NaN);
      if (!answeredAt) return reject(new Error(`${nodeArgs.at(-1)} never answered: ${stderr}`));
      resolve({ totalMs: ended - started, afterAnswerMs: ended - answeredAt, maxRssMb: rss / 1024 });
    });
  });
}

async function exitTimes() {
  const states = { up: { status: 200 }, closed: 'closed', 'answers 500': { status: 500 }, hangs: 'hang' } as const;
  const results = [];
  for (const [state, mode] of Object.entries(states)) {
    const target: TraceEndpoint = mode === 'closed' ? receiver : await startTraceEndpoint(mode === 'hang' ? 'hang' : mode.status);
    const url = mode === 'closed' ? 'http://127.0.0.1:9/v1/traces' : target.tracesUrl;
    const runs: number[] = [];
    for (let run = 0; run < (quick ? 1 : 3); run++) {
      // The answer is the first line on stdout.
      const result = await runProcess(
        CHAT,
        ['--message', 'What is 17 * 23?'],
        { AGNOST_ORG_ID: 'org_bench', AGNOST_OTEL_ENDPOINT: url },
        '\n',
      );
      runs.push(result.afterAnswerMs);
    }
    if (target !== receiver) await target.close();
    results.push({ endpoint: state, afterLastAnswerMs: spread(runs) });
  }
  return results;
}

// Paired runs against the same OpenAI-compatible server on 127.0.0.1: the chat (in a new folder, as
// on a first run, and beside Studio's trace file, which it then adds its traces to) and the bare script.
async function coldStart() {
  const model = await startModelServer('Hello from the model.');
  const modelEnv = { OPENAI_API_KEY: 'sk-bench-0123456789', OPENAI_BASE_URL: model.baseUrl, OPENAI_MODEL: 'bench-model' };
  const chatEnv = { ...modelEnv, AGNOST_ORG_ID: 'org_bench', AGNOST_OTEL_ENDPOINT: receiver.tracesUrl };
  const cachedEnv = { ...modelEnv, NODE_COMPILE_CACHE: join(scratchDir(), 'compile-cache') };
  const studioFolder = scratchDir();
  (await DuckDBInstance.create(join(studioFolder, 'mastra.duckdb'))).closeSync(); // as `npm run dev` leaves it
  const runs: Record<'chat' | 'chatWithTraceFile' | 'minimal' | 'minimalCached', ProcessRun[]> = {
    chat: [],
    chatWithTraceFile: [],
    minimal: [],
    minimalCached: [],
  };
  const answer = 'Hello from the model.';
  // Round 0 is a warm-up: it fills the compile caches, as any second run of the chat finds them.
  for (let round = 0; round <= (quick ? 2 : 10); round++) {
    const chat = await runProcess(CHAT, ['--message', 'hello'], chatEnv, answer);
    const minimal = await runProcess(MINIMAL, [], modelEnv, answer);
    const chatWithTraceFile = await runProcess(CHAT, ['--message', 'hello'], chatEnv, answer, studioFolder);
    const minimalCached = await runProcess(MINIMAL, [], cachedEnv, answer);
    if (round === 0) continue;
    Object.entries({ chat, chatWithTraceFile, minimal, minimalCached }).forEach(([name, run]) => runs[name as keyof typeof runs].push(run));
  }
  await model.close();
  const summary = (list: ProcessRun[]) => ({
    totalMs: spread(list.map((run) => run.totalMs)),
    maxRssMb: spread(list.map((run) => run.maxRssMb)),
  });
  const result = Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, summary(list)])) as Record<
    keyof typeof runs,
    ReturnType<typeof summary>
  >;
  return {
    ...result,
    ratio: result.chat.totalMs.median / result.minimal.totalMs.median,
    memoryRatio: result.chat.maxRssMb.median / result.minimal.maxRssMb.median,
    ratioToCached: result.chat.totalMs.median / result.minimalCached.totalMs.median,
  };
}

// 5. The built server: throughput and latency with and without the Agnost export, interleaved;
// then how long after a stream ends its trace reaches the endpoint.
async function server() {
  buildServer();
  const servers = { 'without export': await startServer(undefined), 'with Agnost export': await startServer(receiver.tracesUrl) };
  const requests = quick ? 50 : 200;
  const rounds = quick ? 2 : 5;
  const concurrencies = [10, 50];
  const samples = new Map<string, { requestsPerSecond: number; p50Ms: number; p99Ms: number }[]>();
  for (const running of Object.values(servers)) await load(running, AGENT, 50, 10); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const concurrency of concurrencies) {
      for (const [name, running] of Object.entries(servers)) {
        const key = `${name}|${concurrency}`;
        samples.set(key, [...(samples.get(key) ?? []), await load(running, AGENT, requests, concurrency)]);
      }
    }
  }
  // A lone stream (nothing exported in the 200 ms before it), and streams back to back.
  const lags: number[] = [];
  const loneLags: number[] = [];
  for (let run = 0; run < (quick ? 5 : 20); run++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    loneLags.push(await streamTraceLag(servers['with Agnost export'], AGENT, receiver));
    lags.push(await streamTraceLag(servers['with Agnost export'], AGENT, receiver));
  }
  for (const running of Object.values(servers)) await stopServer(running);
  const rows = [...samples].map(([key, runs]) => {
    const [variant, concurrency] = key.split('|') as [string, string];
    return {
      variant,
      concurrency: Number(concurrency),
      requestsPerSecond: spread(runs.map((run) => run.requestsPerSecond)),
      p50Ms: spread(runs.map((run) => run.p50Ms)),
      p99Ms: spread(runs.map((run) => run.p99Ms)),
    };
  });
  return { requests, rounds, rows, loneStreamLagMs: spread(loneLags), streamLagMs: spread(lags) };
}

log('per-call cost at 0 ms model latency...');
const zero = await perCall(0, 'What is 17 * 23?');
log('per-call cost at 50 ms model latency...');
const fifty = await perCall(50, 'hello');
log('trace shape and flush time...');
const shapes = [
  await traceShape('project'),
  await traceShape('project-all-spans'),
  await traceShape('agnost-snippet'),
  await traceShape('mastra-default'),
];
log('time to the first streamed word...');
const firstWords = await firstWord();
log('one long conversation...');
const growth = [await conversationGrowth('agnost-snippet'), await conversationGrowth('project')];
log('exit after the last answer...');
const exits = await exitTimes();
log('cold start...');
const cold = await coldStart();
log('server load and stream trace lag...');
const serverLoad = await server();
log("the web chat's route: time to the first word...");
const webChat = await webChatFirstWord(AGENT, quick ? 3 : 20, receiver.tracesUrl);
log("the server gate's CPU per request and memory...");
const gate = await gateCost(AGENT, { quick });
await receiver.close();

const versions = Object.fromEntries(
  ['@mastra/core', '@mastra/observability', '@mastra/otel-exporter', '@mastra/memory', '@mastra/libsql'].map((name) => [
    name,
    (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version,
  ]),
);
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  os: `${platform()} ${arch()}`,
  node: process.version,
};
const webChatSummary = webChat && {
  rounds: webChat.rounds,
  agentStreamMs: spread(webChat.agentStreamMs),
  webChatMs: spread(webChat.webChatMs),
  // Paired by round: each round's two turns ran back to back.
  extraMs: spread(webChat.webChatMs.map((chat, round) => chat - webChat.agentStreamMs[round]!)),
};
const results = {
  date: new Date().toISOString(),
  quick,
  machine,
  versions,
  perCall: [zero, fifty],
  shapes,
  growth,
  firstWords,
  exits,
  cold,
  server: serverLoad,
  webChat: webChatSummary,
  gate,
};
writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);

const perCallTable = (run: typeof zero) =>
  [
    `| set-up | ms per call: median (p25 to p75) | overhead, ms | ratio |`,
    `| --- | --- | --- | --- |`,
    ...run.rows.map(
      (row) =>
        `| ${VARIANT_DESCRIPTIONS[row.variant]} | ${fmt(row.msPerCall)} | ${row.variant === 'none' ? '' : ms(row.overheadMs)} | ${row.ratio.toFixed(3)} |`,
    ),
  ].join('\n');
/** A median with its min and max: "12.3 (10.1 to 15.0)". */
const range = (s: { min: number; median: number; max: number }) => `${s.median.toFixed(1)} (${s.min.toFixed(1)} to ${s.max.toFixed(1)})`;
const memory = (m: { rssMb: number; heapUsedMb: number; externalMb: number }) =>
  `${m.rssMb.toFixed(0)} (${m.heapUsedMb.toFixed(0)}, ${m.externalMb.toFixed(0)})`;
const markdown = `# Benchmarks

What tracing and the server's gate cost in this project, measured by \`npm run bench\` on ${results.date.slice(0, 10)}${quick ? ' (quick run: few rounds)' : ''}.
Every comparison runs in one process, interleaved (A B C D, A B C D, ...), with the project's agent
(memory on an in-memory libsql database, the offline model) and a local OTLP receiver on 127.0.0.1.
The figures are medians with the 25th to 75th percentile spread. The servers (the last two sections)
run as processes of their own, side by side, and say how they are measured.

Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GiB, ${machine.os}, Node ${machine.node}.
Versions: ${Object.entries(versions)
  .map(([name, version]) => `${name} ${version}`)
  .join(', ')}.

## Per call, at 0 ms model latency

"${zero.message}": a tool call, so two model calls per turn. ${zero.rounds} rounds of ${zero.callsPerBatch} calls per set-up.

${perCallTable(zero)}

## Per call, at 50 ms model latency

"${fifty.message}": one model call per turn. ${fifty.rounds} rounds of ${fifty.callsPerBatch} calls per set-up.

${perCallTable(fifty)}

## One traced turn on the wire, and the flush

| set-up | spans per trace | protobuf bytes per trace | flush with the endpoint up, ms |
| --- | --- | --- | --- |
${shapes.map((shape) => `| ${VARIANT_DESCRIPTIONS[shape.variant]} | ${shape.spansPerTrace.toFixed(1)} | ${shape.bytesPerTrace} | ${fmt(shape.flushMs)} |`).join('\n')}

## One conversation, turn 1 and turn 20

One conversation of 20 turns ("What is N * 23?": a tool call, two model calls), protobuf bytes per
trace. Each model call carries the messages it was sent, so a trace grows with the history the agent
keeps (its last 20 messages) and then stays at that size.

| set-up | turn 1, bytes | turn 20, bytes |
| --- | --- | --- |
${growth.map((row) => `| ${VARIANT_DESCRIPTIONS[row.variant]} | ${row.firstTurnBytes} | ${row.twentiethTurnBytes} |`).join('\n')}

## Streaming: time to the first word

\`askAgent()\` with \`onText\` (as the interactive chat streams), through an OpenAI-compatible server on
127.0.0.1 that streams a word every 20 ms; from the call to the first word. ${quick ? 3 : 20} interleaved rounds.

| set-up | ms to the first word |
| --- | --- |
${firstWords.map((row) => `| ${VARIANT_DESCRIPTIONS[row.variant]} | ${fmt(row.firstWordMs)} |`).join('\n')}

## Chat one-shot: from the answer to process exit

| trace endpoint | ms after the last answer |
| --- | --- |
${exits.map((exit) => `| ${exit.endpoint} | ${fmt(exit.afterLastAnswerMs)} |`).join('\n')}

## Cold start: process start to exit

Each process answers "hello" once through the same OpenAI-compatible server on 127.0.0.1; the chat
exports its trace to the local receiver. Paired: the four run in turn, ${quick ? 2 : 10} rounds after a warm-up.

| process | total ms | peak RSS, MB |
| --- | --- | --- |
| \`npm run chat -- --message hello\` (its command from package.json, without npm), a new folder | ${fmt(cold.chat.totalMs)} | ${fmt(cold.chat.maxRssMb)} |
| the same beside Studio's trace file (\`mastra.duckdb\`), which it adds its traces to | ${fmt(cold.chatWithTraceFile.totalMs)} | ${fmt(cold.chatWithTraceFile.maxRssMb)} |
| \`bench/minimal-answer.ts\`: imports Mastra and \`@ai-sdk/openai\`, answers once | ${fmt(cold.minimal.totalMs)} | ${fmt(cold.minimal.maxRssMb)} |
| the same, with Node's compile cache on (\`NODE_COMPILE_CACHE\`) | ${fmt(cold.minimalCached.totalMs)} | ${fmt(cold.minimalCached.maxRssMb)} |

Chat / minimal: ${cold.ratio.toFixed(2)} x the wall time (target <= 1.3), ${cold.memoryRatio.toFixed(2)} x the peak memory (target
<= 1.5); chat / minimal with the compile cache: ${cold.ratioToCached.toFixed(2)}.
\`npm run chat\` is \`${chatCommand}\`: the compile cache is on before the first
TypeScript file loads (\`scripts/compile-cache.js\`; the first run after an install fills it), and V8's
young generation is capped at 8 MB semi-spaces (see the notes below).

## The built server under load

\`npm run build\`, then \`.mastra/output/index.mjs\` twice side by side, one without and one with the
Agnost export (to the local receiver); ${serverLoad.requests} generate requests per run, each in its own
conversation, at each concurrency, ${serverLoad.rounds} interleaved rounds. Medians over the rounds (p25 to p75).

| server | concurrency | requests per second | p50 latency, ms | p99 latency, ms |
| --- | --- | --- | --- | --- |
${serverLoad.rows.map((row) => `| ${row.variant} | ${row.concurrency} | ${fmt(row.requestsPerSecond)} | ${fmt(row.p50Ms)} | ${fmt(row.p99Ms)} |`).join('\n')}

A streamed answer's trace reaches the endpoint ${fmt(serverLoad.loneStreamLagMs)} ms after the stream ends when it is the
only one (nothing exported in the 200 ms before), and ${fmt(serverLoad.streamLagMs)} ms when it follows another
right away (\`AgnostExporter\` then waits out its 200 ms window, so that one export carries every trace
that ended in it). \`@mastra/client-js\` stream, the first export carrying its conversation id seen at the receiver; the exporter's own
batch delay is 5 s.

${
  webChatSummary
    ? `## The web chat's route: time to the first word

The built server, an OpenAI-compatible server on 127.0.0.1 streaming a word every 20 ms, each turn in a
new conversation; from the request to the first text delta of the streamed answer. The web chat's
route (\`POST /chat/api/chat\`: a session read from the database, \`@mastra/ai-sdk\`'s \`chatRoute\`, AI SDK
UI messages) against the agent's own (\`POST /api/agents/<id>/stream\`, open mode, \`x-user-id\`), both
behind the same gate, ${webChatSummary.rounds} interleaved rounds after a warm-up.

| route | ms to the first word |
| --- | --- |
| \`/api/agents/<id>/stream\` | ${fmt(webChatSummary.agentStreamMs)} |
| \`/chat/api/chat\` (the web chat) | ${fmt(webChatSummary.webChatMs)} |

The web chat's route minus the agent's, paired by round: ${fmt(webChatSummary.extraMs)} ms (goal: at most 20 ms at the median).

`
    : ''
}## The server's gate: CPU per request and memory

The project's server (\`src/mastra/index.ts\`: auth on, memory in a libsql file, Studio's local traces
in DuckDB, no Agnost export, the offline model) runs twice side by side, served as the built server
serves it (\`createNodeServer\`, unbundled): as it is, and with \`mastra.setServerMiddleware([])\`, the
same Mastra without the gate (\`bench/gate-server.ts\`, bench-only). Both get the same generate
requests: a valid token, a new conversation each, its ids named as the README's calls name them
(\`memory\`, \`tracingOptions.metadata\`), so both do the same work but for the gate. CPU is each server
process's own user + system time (\`process.cpuUsage()\`, all its threads), read over IPC before a batch
and again once the work its answers left behind (memory and trace writes) is done (no CPU for 1.2 s),
divided by the batch's requests. Each body in turn, after a warm-up (two of it each), the small one
first: in each round both servers get the batch in one window, their requests alternating; median (min
to max) over the rounds, ms per request. The gate's own is, in each round, the server with it minus the
one without it; its median is compared to the median without the gate (the goal). Inside the gate's
handler: the main thread's CPU from the handler's start to its hand-over to the route
(\`process.threadCpuUsage()\`), a floor for the gate's own: it leaves out the garbage the gate makes,
and with it the GC timing that is most of the noise above. Memory, after that: each server's RSS at
rest (not falling for 5 s), then ${gate.memory[0]!.burst} bodies at the cap (the one-message body) sent at once: RSS when
the last is answered, and then each second until it is back within ${GATE_GOALS.memoryBack * 100}% of where it was, for at
most 60 s.

| body | bytes | rounds x requests | CPU ms per request without the gate | with the gate | the gate's own | of Mastra's own | goal | met? | inside the gate's handler |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${gate.cpu.map((row) => `| ${row.body} | ${row.bodyBytes} | ${row.rounds} x ${row.requestsPerBatch} | ${range(row.ungated)} | ${range(row.gated)} | ${range(row.gateMs)} | ${(row.gateShare * 100).toFixed(0)}% | <= ${row.goal * 100}% | ${row.met ? 'yes' : 'no'} | ${range(row.insideGateMs)} |`).join('\n')}

| server | at rest: RSS, MB (V8 heap in use, buffers) | when the last is answered | settled | settled after, s | peak RSS since start, MB | back to its level? |
| --- | --- | --- | --- | --- | --- | --- |
${gate.memory.map((run) => `| ${run.variant === 'gated' ? 'with the gate' : 'without the gate'} | ${memory(run.before)} | ${memory(run.after)} | ${memory(run.settled)} | ${run.settledAfterS.toFixed(0)} | ${run.peakMb.toFixed(0)} | ${run.backToLevel ? 'yes' : 'no'} |`).join('\n')}

## Rerun

\`\`\`bash
npm run bench            # about ten minutes; rewrites this file and bench/results.json
npm run bench -- --quick # a few rounds only, to try it out
\`\`\`
`;
const notesMarker = '<!-- notes -->';
let notes = '';
try {
  const previous = readFileSync(join(ROOT, 'BENCHMARKS.md'), 'utf8');
  notes = previous.includes(notesMarker) ? previous.slice(previous.indexOf(notesMarker)) : '';
} catch {
  // first run: no notes yet
}
writeFileSync(join(ROOT, 'BENCHMARKS.md'), `${markdown}\n${notes || `${notesMarker}\n`}`);
log('wrote BENCHMARKS.md and bench/results.json');
process.exit(0);
