// AgnostExporter: a Mastra agent's traces to Agnost (https://agnost.ai), grouped by user and conversation.
// Copy this one file into your app, then: exporters: [new AgnostExporter()] in your Observability config,
// and the ids on every agent call: tracingOptions: { metadata: { userId, conversationId } } (or the same keys
// in its RequestContext). It reads AGNOST_ORG_ID (without it, it sends nothing), AGNOST_OTEL_ENDPOINT,
// AGNOST_DISABLE_INPUT/OUTPUT, OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES when constructed; options given
// to the constructor win. Nothing happens at import. Works with @mastra/core 1.16 and later.
import { channel } from 'node:diagnostics_channel';
import * as mastraObservability from '@mastra/core/observability';
import { TracingEventType, type AnyExportedSpan, type TracingEvent } from '@mastra/core/observability';
import { OtelExporter, type OtelExporterConfig } from '@mastra/otel-exporter';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';

export const AGNOST_DEFAULT_ENDPOINT = 'https://otel.agnost.ai/v1/traces';
/** Each export's outcome is published here: subscribe(EXPORT_CHANNEL, ...) from node:diagnostics_channel. */
export const EXPORT_CHANNEL = 'agnost:trace-export';
export const EXPORT_WINDOW_MS = 200; // traces ending within this long of an export's start go in the next one
export const EXPORT_TIMEOUT_MS = 2_000; // the default timeoutMillis
/** The finish_reason of an answer the caller stopped (abortSignal); none of the GenAI conventions' values fits. */
export const STOPPED_FINISH_REASON = 'cancelled';

type SpanExporter = NonNullable<OtelExporterConfig['exporter']>;
type ReadableSpan = Parameters<SpanExporter['export']>[0][number];
type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];
type ResourceAttributes = NonNullable<OtelExporterConfig['resourceAttributes']>;

export interface ExportOutcome {
  url: string;
  sent: readonly ReadableSpan[]; // the spans of this export, as sent
  error: unknown; // undefined when the endpoint accepted them
}

export interface AgnostExporterOptions {
  /** Your Agnost organization id (a public routing id). Default: AGNOST_ORG_ID; without one nothing is sent. */
  orgId?: string;
  /** Default: AGNOST_OTEL_ENDPOINT, else https://otel.agnost.ai/v1/traces. */
  endpoint?: string;
  /** Keep the users' messages out of every span. Default: AGNOST_DISABLE_INPUT (true or false), else false. */
  disableInput?: boolean;
  /** Keep the answers out of every span. Default: AGNOST_DISABLE_OUTPUT (true or false), else false. */
  disableOutput?: boolean;
  /** Bounds each export, retries included, so a dead endpoint cannot hold a process for long. Default: EXPORT_TIMEOUT_MS. */
  timeoutMillis?: number;
  /** E.g. { 'service.version': '1.2.0' }, over OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME (service.version is otherwise @mastra/core's). */
  resourceAttributes?: ResourceAttributes;
}

/** A bad setting; `variable` is the environment variable or option it came from. */
export class AgnostConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(`Invalid ${variable}: ${problem}.`);
    this.name = 'AgnostConfigError';
    this.variable = variable;
  }
}

export class AgnostExporter extends OtelExporter {
  override name = 'agnost';
  readonly #exports = exportSchedule(() => super.flush(), EXPORT_WINDOW_MS);
  readonly #endedRoots = new Map<string, true>();

  /** Throws AgnostConfigError, naming the variable or option, on a bad setting. */
  constructor(options: AgnostExporterOptions = {}) {
    const settings = resolveAgnostSettings(options);
    const timeout = options.timeoutMillis ?? EXPORT_TIMEOUT_MS;
    const url = tracesUrl(settings.endpoint);
    super({
      // Agnost's documented configuration is an OTLP/protobuf export to its endpoint with the org id header.
      // It runs as the exporter passed below, which adds the grouping keys and reports each outcome.
      // OtelExporter still needs a provider that resolves, but then uses none of it (not even the URL).
      provider: { custom: { endpoint: url } },
      ...(settings.orgId ? { exporter: new AgnostSpanExporter(url, { 'X-Agnost-Org-ID': settings.orgId }, timeout) } : {}),
      customSpanFormatter: agnostSpanFormatter(settings),
      signals: { logs: false }, // Agnost takes traces only: nothing to /v1/logs
      timeout,
      ...(settings.resourceAttributes ? { resourceAttributes: settings.resourceAttributes } : {}),
    });
    if (!settings.orgId) this.setDisabled('AGNOST_ORG_ID is not set, so no traces are sent to Agnost');
  }

  override init(options: Parameters<OtelExporter['init']>[0]): void {
    if (!this.isDisabled) super.init(options); // disabled: no exporter is ever set up
  }

  // Each trace is exported as soon as its root span ends, and so is each span that ends after it (a
  // scorer's), not up to 5 s later: a server stopped or frozen (serverless) right after answering loses nothing.
  protected override async _exportTracingEvent(event: TracingEvent): Promise<void> {
    await super._exportTracingEvent(event);
    if (event.type !== TracingEventType.SPAN_ENDED) return;
    const { traceId, isRootSpan } = event.exportedSpan;
    if (isRootSpan) remember(this.#endedRoots, traceId, true);
    if (isRootSpan || this.#endedRoots.has(traceId)) this.#exports.soon();
  }

  override flush(): Promise<void> {
    return this.#exports.now();
  }
}

// ---- Settings ----

/** A value left in from a copied .env.example or a tutorial: "<your-org-id>", "your_api_key", "changeme", "xxx". */
export const PLACEHOLDER = /^(<.*>|\[.*\]|\{.*\}|your[\s_-].*|changeme|change[_-]me|replace[_-]?me|todo|xxx+|\.\.\.|null|undefined)$/i;

export const isHttpUrl = (value: string) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol) && !/\s/.test(value);

/** The settings from the options, else the environment (empty means unset); throws AgnostConfigError. */
export function resolveAgnostSettings(options: AgnostExporterOptions = {}, env = process.env) {
  // An empty value means unset: a copied .env.example has empty values.
  const pick = (option: keyof AgnostExporterOptions, variable: string) =>
    options[option] !== undefined
      ? { name: option, value: String(options[option]) || undefined }
      : { name: variable, value: env[variable] || undefined };
  const org = pick('orgId', 'AGNOST_ORG_ID');
  const orgFix = 'copy the organization id from your Agnost settings, or leave it unset to send nothing';
  if (org.value && /[\s\u0000-\u001f\u007f]/.test(org.value))
    throw new AgnostConfigError(org.name, `contains whitespace or a control character; ${orgFix}`);
  if (org.value && PLACEHOLDER.test(org.value)) throw new AgnostConfigError(org.name, `is still a placeholder; ${orgFix}`);
  const endpoint = pick('endpoint', 'AGNOST_OTEL_ENDPOINT');
  if (endpoint.value !== undefined && !isHttpUrl(endpoint.value)) {
    throw new AgnostConfigError(endpoint.name, `must be an http:// or https:// URL, e.g. ${AGNOST_DEFAULT_ENDPOINT}`);
  }
  const flag = (option: 'disableInput' | 'disableOutput', variable: string) => {
    const { name, value } = pick(option, variable);
    if (value === undefined || /^(false|0|no)$/i.test(value)) return false;
    if (/^(true|1|yes)$/i.test(value)) return true;
    throw new AgnostConfigError(name, 'must be true or false');
  };
  // OpenTelemetry's own variables, as its SDKs read them (OTEL_SERVICE_NAME over a service.name in the list).
  const resourceAttributes = {
    ...otelResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES),
    ...(env.OTEL_SERVICE_NAME ? { 'service.name': env.OTEL_SERVICE_NAME } : {}),
    ...options.resourceAttributes,
  };
  return {
    orgId: org.value,
    endpoint: endpoint.value ?? AGNOST_DEFAULT_ENDPOINT,
    disableInput: flag('disableInput', 'AGNOST_DISABLE_INPUT'),
    disableOutput: flag('disableOutput', 'AGNOST_DISABLE_OUTPUT'),
    resourceAttributes: Object.keys(resourceAttributes).length > 0 ? resourceAttributes : undefined,
  };
}

/** OTEL_RESOURCE_ATTRIBUTES: key=value pairs separated by commas, values percent-encoded. */
export function otelResourceAttributes(list = ''): ResourceAttributes {
  const attributes: ResourceAttributes = {};
  for (const pair of list.split(',').filter((item) => item.trim() !== '')) {
    const at = pair.indexOf('=');
    const key = at > 0 ? pair.slice(0, at).trim() : '';
    let value: string | undefined;
    try {
      value = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {} // a stray %: reported below
    if (!key || value === undefined)
      throw new AgnostConfigError('OTEL_RESOURCE_ATTRIBUTES', 'must be key=value pairs separated by commas, e.g. service.version=1.2.0');
    attributes[key] = value;
  }
  return attributes;
}

/** The URL the spans are posted to: the endpoint's base, then /v1/traces. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '').replace(/\/v1\/(traces|logs)$/, '')}/v1/traces`;
}

// ---- The spans, as Agnost reads them (a customSpanFormatter: on this exporter's copy only) ----

// Span types as strings: @mastra/core 1.16 has no MODEL_INFERENCE (1.33) or MEMORY_OPERATION (1.23).
const [AGENT_RUN, WORKFLOW_RUN, MODEL_GENERATION, MODEL_STEP, MODEL_INFERENCE] = [
  'agent_run',
  'workflow_run',
  'model_generation',
  'model_step',
  'model_inference',
];
// Spans whose input holds both sides of the conversation (history included), and those whose output does.
const BOTH_SIDES_IN = new Set([MODEL_GENERATION, MODEL_STEP, MODEL_INFERENCE, 'memory_operation', 'processor_run']);
const BOTH_SIDES_OUT = new Set(['memory_operation', 'processor_run']);
const ID_KEYS = ['userId', 'conversationId', 'resourceId', 'threadId']; // the ids Agnost groups by, and memory's
// The turn's messages, which only this exporter writes (as metadata, then moved to top-level gen_ai.*).
const TURN_KEYS = ['gen_ai.input.messages', 'gen_ai.output.messages'];
const KEPT = 10_000; // the most recent traces (and spans in flight) remembered: memory stays bounded

type Span = AnyExportedSpan;
type LiveSpan = { id: string; traceId?: string; parent?: LiveSpan };
type PrivacySwitches = { disableInput: boolean; disableOutput: boolean };

/** What the formatter remembers between spans; each map keeps the KEPT most recent entries. */
export const newTraceMemory = () => ({
  open: new Map<string, true>(), // spans started here and not ended: the spans this exporter exports
  joined: new Map<string, { traceId: string; parentSpanId: string } | undefined>(), // a trace -> where it ran
  ids: new Map<string, Record<string, unknown>>(), // a trace -> its ids
  stepInputs: new Map<string, unknown>(), // a model step in flight -> its input
  turns: new Map<string, { id: string; entityId?: string }>(), // a trace -> its first run seen here
  answers: new Map<string, unknown>(), // a run in flight -> the text its model produced
});
export type TraceMemory = ReturnType<typeof newTraceMemory>;

/** Each span as Agnost should read it: in its user's trace, with the caller's ids, each model call with its input, the turn on the run the user talked to. */
export function agnostSpanFormatter(switches: PrivacySwitches, memory = newTraceMemory()) {
  return (exported: Span): Span => {
    const span = withTraceIds(joinEnclosingRun(exported, memory), memory);
    return withTurnMessages(withPrivacy(withStepInput(span, memory), switches), memory);
  };
}

/**
 * A run started inside a tool or workflow step without its tracingContext starts a new trace: it joins the
 * trace it ran in, under the span that ran it, if this exporter exports that span (another Mastra
 * instance's run keeps its own trace). Decided as a trace's root starts, from the span @mastra/core keeps
 * in async-local storage (1.71 does, 1.16 not). A scorer's run joins the run it scores, under its root.
 */
export function joinEnclosingRun(span: Span, memory: TraceMemory, currentSpan = resolveCurrentSpan): Span {
  if (span.endTime) memory.open.delete(span.id);
  else remember(memory.open, span.id, true);
  if (!memory.joined.has(span.traceId)) remember(memory.joined, span.traceId, enclosingRun(span, memory, currentSpan));
  const outer = memory.joined.get(span.traceId);
  if (!outer) return span;
  return { ...span, traceId: outer.traceId, ...(span.parentSpanId ? {} : { parentSpanId: outer.parentSpanId, isRootSpan: false }) } as Span;
}

function enclosingRun(span: Span, memory: TraceMemory, currentSpan: () => LiveSpan | undefined) {
  if (span.parentSpanId || !span.isRootSpan || span.endTime) return undefined;
  let current = currentSpan();
  while (current && !memory.open.has(current.id)) current = current.parent; // internal, excluded or another instance's
  // A scorer's run started after the run it scores: Mastra names that run's span in its metadata.
  const { targetTraceId, targetSpanId } = span.metadata ?? {};
  const [traceId, parentSpanId] = current ? [current.traceId, current.id] : [targetTraceId, targetSpanId];
  if (typeof traceId !== 'string' || typeof parentSpanId !== 'string' || traceId === span.traceId || !memory.joined.has(traceId))
    return undefined;
  return { traceId: memory.joined.get(traceId)?.traceId ?? traceId, parentSpanId };
}

// Read at call time, not imported by name: @mastra/core exports it only from the version that tracks the current span.
const resolveCurrentSpan = (): LiveSpan | undefined =>
  (Reflect.get(mastraObservability, 'resolveCurrentSpan') as (() => LiveSpan) | undefined)?.();

/** The trace's ids on each span: its metadata's, else its RequestContext's (a server middleware's), else the trace's earlier spans' (network(), resumed and joined runs lack them). */
export function withTraceIds(span: Span, memory: TraceMemory): Span {
  const metadata = { ...memory.ids.get(span.traceId), ...idsIn(span.requestContext), ...span.metadata };
  for (const key of TURN_KEYS) delete metadata[key]; // a caller's tracingOptions.metadata cannot speak for the user
  const ids = idsIn(metadata);
  if (Object.keys(ids).length > 0) remember(memory.ids, span.traceId, ids);
  return { ...span, metadata } as Span;
}

const idsIn = (record: Record<string, unknown> = {}) =>
  Object.fromEntries(ID_KEYS.flatMap((key) => (['string', 'number'].includes(typeof record[key]) ? [[key, record[key]]] : [])));

/** Mastra 1.71 opens a model call without its input: the messages of the model step that made the call. */
export function withStepInput(span: Span, memory: TraceMemory): Span {
  if (span.type === MODEL_STEP && span.endTime) memory.stepInputs.delete(span.id);
  else if (span.type === MODEL_STEP && span.input !== undefined) remember(memory.stepInputs, span.id, span.input);
  const stepInput = span.type === MODEL_INFERENCE && span.input === undefined ? memory.stepInputs.get(span.parentSpanId ?? '') : undefined;
  return stepInput === undefined ? span : ({ ...span, input: { messages: stepInput } } as Span);
}

/** AGNOST_DISABLE_INPUT keeps the users' messages out, AGNOST_DISABLE_OUTPUT the answers, from spans with either side. */
export function withPrivacy(span: Span, { disableInput, disableOutput }: PrivacySwitches): Span {
  if (!disableInput && !disableOutput) return span;
  const type: string = span.type;
  let { input, output } = span;
  if (disableInput || (disableOutput && BOTH_SIDES_IN.has(type))) input = undefined;
  if (disableOutput || (disableInput && BOTH_SIDES_OUT.has(type))) output = undefined;
  // A caller may send earlier answers along with the new message: only the users' messages then.
  if (disableOutput && type === AGENT_RUN && Array.isArray(input))
    input = input.filter((item) => typeof item === 'string' || item?.role === 'user');
  const { body: _rawResponse, ...metadata } = span.metadata ?? {}; // a model step's raw response from the provider
  return { ...span, input, output, metadata: disableOutput ? metadata : span.metadata } as Span;
}

/**
 * The turn's new user message and answer (GenAI form) on the run the user talked to only: the root, and for the answer a
 * resumed run (the trace's first run seen here, or a later run of the same agent or workflow). A nested run's prompt came
 * from another agent. Written as metadata (TURN_KEYS), moved to top-level gen_ai.* by withAgnostKeys.
 */
export function withTurnMessages(span: Span, memory: TraceMemory): Span {
  const type: string = span.type;
  const isRun = type === AGENT_RUN || type === WORKFLOW_RUN;
  if (isRun && !memory.turns.has(span.traceId)) remember(memory.turns, span.traceId, { id: span.id, entityId: span.entityId });
  if (type === MODEL_GENERATION && span.endTime && span.parentSpanId)
    remember(memory.answers, span.parentSpanId, (span.output as { text?: unknown })?.text);
  if (!isRun || !span.endTime) return span;
  const produced = memory.answers.get(span.id);
  memory.answers.delete(span.id); // kept only while the run is in flight
  const turn = memory.turns.get(span.traceId);
  const resumed = turn?.id === span.id || (turn?.entityId !== undefined && turn.entityId === span.entityId);
  if (span.parentSpanId && !resumed) return span;
  const metadata = { ...span.metadata };
  const said = span.parentSpanId ? [] : newUserMessages(genAiInput(type === WORKFLOW_RUN ? textOf(span.input) : span.input));
  const answer = answerOf(span, produced);
  if (said.length > 0) metadata['gen_ai.input.messages'] = JSON.stringify(said);
  if (answer) metadata['gen_ai.output.messages'] = JSON.stringify([answer]);
  return { ...span, metadata } as Span;
}

/** A run's answer: its text (a workflow's result), else, if the caller stopped it, the text its model had produced. */
function answerOf(span: Span, produced: unknown) {
  const output = span.output as { text?: unknown; status?: unknown } | undefined;
  const text = span.type === WORKFLOW_RUN ? textOf(output) : output?.text;
  if (typeof text === 'string') return { role: 'assistant', parts: genAiParts(text), finish_reason: 'stop' };
  if (output?.status === 'aborted' && typeof produced === 'string')
    return { role: 'assistant', parts: genAiParts(produced), finish_reason: STOPPED_FINISH_REASON };
  return undefined;
}

function remember<V>(map: Map<string, V>, key: string, value: V) {
  map.delete(key); // most recent last
  map.set(key, value);
  if (map.size > KEPT) map.delete(map.keys().next().value!);
}

// OpenTelemetry's GenAI message form: [{ role, parts: [{ type: 'text', content }] }].
type GenAiMessage = { role: string; parts: object[] };
function genAiParts(content: unknown): object[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  const { parts } = (content ?? {}) as { parts?: unknown }; // Mastra's stored form: { format: 2, parts }
  if (!Array.isArray(content)) return Array.isArray(parts) ? genAiParts(parts) : [];
  return content.map((part: { type?: unknown; text?: unknown } | null) =>
    part?.type === 'text' ? { type: 'text', content: part.text } : { type: String(part?.type) },
  );
}
/** A turn's input: a string, a message ({ role, content } or { role, parts }; Studio's { type, contents }), or a list. */
function genAiInput(input: unknown): GenAiMessage[] {
  return (Array.isArray(input) ? input : [input]).flatMap((message: unknown) => {
    if (typeof message === 'string') return [{ role: 'user', parts: genAiParts(message) }];
    const { role, type, content, parts, contents } = (message ?? {}) as Record<string, unknown>;
    return typeof (role ?? type) === 'string' ? [{ role: String(role ?? type), parts: genAiParts(content || parts || contents) }] : [];
  });
}
/** The user's messages after the last answer: a client that resends the history (useChat) sent only these anew. */
function newUserMessages(messages: GenAiMessage[]): GenAiMessage[] {
  let first = messages.length; // not findLastIndex: create-mastra's tsconfig targets ES2022
  while (first > 0 && messages[first - 1]!.role === 'user') first--;
  return messages.slice(first);
}
/** A workflow's input or result as text: a string, an object's only string field, else its JSON. */
function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null || typeof value === 'string') return value ?? undefined;
  const strings = typeof value === 'object' ? Object.values(value).filter((field) => typeof field === 'string') : [];
  return strings.length === 1 && Object.keys(value).length === 1 ? strings[0] : JSON.stringify(value);
}

// ---- The export ----

/** Agnost's own grouping keys (and OpenTelemetry's user.id / session.id) from the ids, else memory's resource and thread; tool spans named as Agnost classifies them. */
function withAgnostKeys(span: ReadableSpan): ReadableSpan {
  const attributes = { ...span.attributes };
  for (const key of TURN_KEYS.filter((name) => `mastra.metadata.${name}` in attributes)) {
    attributes[key] = attributes[`mastra.metadata.${key}`];
    delete attributes[`mastra.metadata.${key}`];
  }
  const userId = attributes['mastra.metadata.userId'] ?? attributes['mastra.metadata.resourceId']; // memory's resource is its user
  const sessionId =
    attributes['mastra.metadata.conversationId'] ?? attributes['mastra.metadata.threadId'] ?? attributes['gen_ai.conversation.id'];
  if (userId !== undefined) Object.assign(attributes, { 'agnost.user_id': userId, 'user.id': userId });
  if (sessionId !== undefined) Object.assign(attributes, { 'agnost.session_id': sessionId, 'session.id': sessionId });
  // Agnost takes a span named tool.<name> as a tool call; Mastra names it execute_tool <name>.
  const tool = attributes['gen_ai.operation.name'] === 'execute_tool' ? attributes['gen_ai.tool.name'] : undefined;
  return { ...span, attributes, ...(tool !== undefined ? { name: `tool.${String(tool)}` } : {}) };
}

/** Agnost's OTLP/protobuf export with the keys above, publishing each export's outcome (the exporter tells nobody). */
class AgnostSpanExporter implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #url: string;
  readonly #outcomes = channel(EXPORT_CHANNEL);

  constructor(url: string, headers: Record<string, string>, timeoutMillis: number) {
    this.#url = url;
    // Typed as what OtelExporter takes, not as its class: a package manager may install two copies of the
    // OpenTelemetry SDK (pnpm does), whose ReadableSpan types then differ though the objects are the same.
    this.#inner = new OTLPTraceExporter({ url, headers, timeoutMillis }) as unknown as SpanExporter;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const sent = spans.map(withAgnostKeys);
    this.#inner.export(sent, (result) => {
      const failed = result.error !== undefined || result.code !== 0; // 0: ExportResultCode.SUCCESS
      const error = failed ? (result.error ?? new Error('export failed')) : undefined;
      if (this.#outcomes.hasSubscribers) this.#outcomes.publish({ url: this.#url, sent, error } satisfies ExportOutcome);
      resultCallback(result);
    });
  }

  forceFlush = () => this.#inner.forceFlush?.() ?? Promise.resolve();
  shutdown = () => this.#inner.shutdown();
}

/**
 * When to export. now(): after the flush in flight, if any (never two at once: past the OTLP exporter's
 * limit of concurrent exports it drops whole traces). soon(): now, unless a flush started less than
 * `windowMs` ago; then at the end of that window, once for every trace that ended meanwhile. A lone
 * turn goes as it ends; under load one export carries many (BENCHMARKS.md has what an export costs).
 */
function exportSchedule(flush: () => Promise<void>, windowMs: number) {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let startedAt = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  const now = (): Promise<void> => {
    // Failures are published on EXPORT_CHANNEL: a flush itself always resolves.
    if (running) return (queued ??= running.then(() => ((queued = undefined), now())));
    startedAt = performance.now();
    return (running = flush()
      .catch(() => {})
      .finally(() => (running = undefined)));
  };
  const soon = () => {
    const wait = startedAt + windowMs - performance.now();
    if (wait <= 0) void now();
    else timer ??= setTimeout(() => ((timer = undefined), void now()), wait); // not unref'd: exit waits for it
  };
  return { now, soon };
}
