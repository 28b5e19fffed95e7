// AgnostExporter: a Mastra agent's traces to Agnost (https://agnost.ai), grouped by user and conversation.
// Copy this one file into your app, then: exporters: [new AgnostExporter()] in your Observability config,
// and tracingOptions: { metadata: { userId, conversationId } } on every agent call. It reads AGNOST_ORG_ID
// (without it, it sends nothing), AGNOST_OTEL_ENDPOINT, AGNOST_DISABLE_INPUT/OUTPUT when constructed;
// options given to the constructor win. Nothing happens at import.
import { channel } from 'node:diagnostics_channel';
import { SpanType, TracingEventType, type AnyExportedSpan, type TracingEvent } from '@mastra/core/observability';
import { OtelExporter, type OtelExporterConfig } from '@mastra/otel-exporter';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';

export const AGNOST_DEFAULT_ENDPOINT = 'https://otel.agnost.ai/v1/traces';
/** Each export's outcome is published here: subscribe(EXPORT_CHANNEL, ...) from node:diagnostics_channel. */
export const EXPORT_CHANNEL = 'agnost:trace-export';

type SpanExporter = NonNullable<OtelExporterConfig['exporter']>;
type ReadableSpan = Parameters<SpanExporter['export']>[0][number];
type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];

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
  /** Bounds each export, retries included, so a dead endpoint cannot hold a process for long. Default: 2000. */
  timeoutMillis?: number;
  /** E.g. { 'service.version': '1.2.0' } (otherwise it is @mastra/core's version). */
  resourceAttributes?: OtelExporterConfig['resourceAttributes'];
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

/** A value left in from a copied .env.example or a tutorial: "<your-org-id>", "your_api_key", "changeme", "xxx". */
export const PLACEHOLDER = /^(<.*>|\[.*\]|\{.*\}|your[\s_-].*|changeme|change[_-]me|replace[_-]?me|todo|xxx+|\.\.\.|null|undefined)$/i;

export const isHttpUrl = (value: string) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol) && !/\s/.test(value);

/** The settings from the options, else the environment (empty means unset); throws AgnostConfigError. */
export function resolveAgnostSettings(options: AgnostExporterOptions = {}, env = process.env) {
  // An empty value means unset: a copied .env.example has empty values.
  const pick = (option: keyof AgnostExporterOptions, variable: string) =>
    options[option] !== undefined ? { name: option, value: String(options[option]) || undefined } : { name: variable, value: env[variable] || undefined };
  const org = pick('orgId', 'AGNOST_ORG_ID');
  const orgFix = 'copy the organization id from your Agnost settings, or leave it unset to send nothing';
  if (org.value && /[\s\u0000-\u001f\u007f]/.test(org.value)) throw new AgnostConfigError(org.name, `contains whitespace or a control character; ${orgFix}`);
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
  return {
    orgId: org.value,
    endpoint: endpoint.value ?? AGNOST_DEFAULT_ENDPOINT,
    disableInput: flag('disableInput', 'AGNOST_DISABLE_INPUT'),
    disableOutput: flag('disableOutput', 'AGNOST_DISABLE_OUTPUT'),
  };
}

/** The URL the spans are posted to: the endpoint's base, then /v1/traces. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '').replace(/\/v1\/(traces|logs)$/, '')}/v1/traces`;
}

// OpenTelemetry's GenAI message form: [{ role, parts: [{ type: 'text', content }] }].
function genAiParts(content: unknown): object[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.map((part: { type?: unknown; text?: unknown } | null) =>
    part?.type === 'text' ? { type: 'text', content: part.text } : { type: String(part?.type) },
  );
}
/** A turn's input: a string, a message ({ role, content } or { role, parts }; Studio's { type, contents }), or a list. */
function genAiInput(input: unknown): { role: string; parts: object[] }[] {
  return (Array.isArray(input) ? input : [input]).flatMap((message: unknown) => {
    if (typeof message === 'string') return [{ role: 'user', parts: genAiParts(message) }];
    const { role, type, content, parts, contents } = (message ?? {}) as Record<string, unknown>;
    return typeof (role ?? type) === 'string' ? [{ role: String(role ?? type), parts: genAiParts(content || parts || contents) }] : [];
  });
}

// Spans whose input holds both sides of the conversation (history included), and those whose output does.
const { MODEL_GENERATION, MODEL_STEP, MODEL_INFERENCE, MEMORY_OPERATION, PROCESSOR_RUN } = SpanType;
const BOTH_SIDES_IN = new Set<string>([MODEL_GENERATION, MODEL_STEP, MODEL_INFERENCE, MEMORY_OPERATION, PROCESSOR_RUN]);
const BOTH_SIDES_OUT = new Set<string>([MEMORY_OPERATION, PROCESSOR_RUN]);
const STEP_INPUTS_KEPT = 10_000; // steps in flight at once; more means steps that never ended

// What Agnost reads of a conversation, as a customSpanFormatter (on this exporter's copy only): each model
// call's input (Mastra 1.71 leaves it empty: the messages of the step that made the call), each agent
// run's input and answer as gen_ai.input/output.messages, and the privacy switches.
function conversationContent({ disableInput, disableOutput }: ReturnType<typeof resolveAgnostSettings>) {
  const stepInputs = new Map<string, unknown>();
  return (span: AnyExportedSpan): AnyExportedSpan => {
    if (!span.endTime && span.type !== MODEL_STEP) return span; // only ended spans are exported
    let { input, output } = span;
    if (span.type === MODEL_STEP) {
      if (span.endTime) stepInputs.delete(span.id);
      else if (input !== undefined) stepInputs.set(span.id, input);
      if (stepInputs.size > STEP_INPUTS_KEPT) stepInputs.delete(stepInputs.keys().next().value!);
    }
    if (span.type === MODEL_INFERENCE && input === undefined && stepInputs.has(span.parentSpanId ?? '')) {
      input = { messages: stepInputs.get(span.parentSpanId!) };
    }
    if (disableInput || (disableOutput && BOTH_SIDES_IN.has(span.type))) input = undefined;
    if (disableOutput || (disableInput && BOTH_SIDES_OUT.has(span.type))) output = undefined;
    const metadata = { ...span.metadata };
    if (disableOutput) delete metadata.body; // a model step's raw response from the provider
    if (span.type === SpanType.AGENT_RUN && span.endTime) {
      // A caller may send earlier answers along with the new message: only the users' messages then.
      if (disableOutput && Array.isArray(input)) input = input.filter((item) => typeof item === 'string' || item?.role === 'user');
      // Written as mastra.metadata.gen_ai.*, then moved to gen_ai.* on export (see withAgnostKeys).
      const text = (output as { text?: unknown } | undefined)?.text;
      if (input !== undefined) metadata['gen_ai.input.messages'] = JSON.stringify(genAiInput(input));
      if (typeof text === 'string') metadata['gen_ai.output.messages'] = JSON.stringify([{ role: 'assistant', parts: genAiParts(text), finish_reason: 'stop' }]);
    }
    return { ...span, input, output, metadata } as AnyExportedSpan;
  };
}

/** Agnost's own grouping keys (and OpenTelemetry's user.id / session.id) from the ids Mastra put on the span. */
function withAgnostKeys(span: ReadableSpan): ReadableSpan {
  const attributes = { ...span.attributes };
  for (const key of Object.keys(attributes).filter((name) => name.startsWith('mastra.metadata.gen_ai.'))) {
    attributes[key.slice('mastra.metadata.'.length)] = attributes[key];
    delete attributes[key];
  }
  const userId = attributes['mastra.metadata.userId'];
  const sessionId = attributes['mastra.metadata.conversationId'] ?? attributes['mastra.metadata.threadId'] ?? attributes['gen_ai.conversation.id'];
  if (userId !== undefined) Object.assign(attributes, { 'agnost.user_id': userId, 'user.id': userId });
  if (sessionId !== undefined) Object.assign(attributes, { 'agnost.session_id': sessionId, 'session.id': sessionId });
  return { ...span, attributes };
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
 * turn goes as it ends; under load one export carries many (each costs about 1 ms of CPU; BENCHMARKS.md).
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
    return (running = flush().catch(() => {}).finally(() => (running = undefined)));
  };
  const soon = () => {
    const wait = startedAt + windowMs - performance.now();
    if (wait <= 0) void now();
    else timer ??= setTimeout(() => ((timer = undefined), void now()), wait); // not unref'd: exit waits for it
  };
  return { now, soon };
}

export class AgnostExporter extends OtelExporter {
  override name = 'agnost';
  readonly #exports = exportSchedule(() => super.flush(), 200);

  /** Throws AgnostConfigError, naming the variable or option, on a bad setting. */
  constructor(options: AgnostExporterOptions = {}) {
    const settings = resolveAgnostSettings(options);
    const orgId = settings.orgId ?? '';
    const timeout = options.timeoutMillis ?? 2_000;
    super({
      // Agnost's documented configuration:
      provider: {
        custom: {
          endpoint: settings.endpoint,
          headers: { 'X-Agnost-Org-ID': orgId },
          protocol: 'http/protobuf',
        },
      },
      // The same OTLP/protobuf export to the same URL with the same header, plus grouping keys and outcomes.
      ...(orgId ? { exporter: new AgnostSpanExporter(tracesUrl(settings.endpoint), { 'X-Agnost-Org-ID': orgId }, timeout) } : {}),
      customSpanFormatter: conversationContent(settings),
      signals: { logs: false }, // Agnost takes traces only: nothing to /v1/logs
      timeout,
      ...(options.resourceAttributes ? { resourceAttributes: options.resourceAttributes } : {}),
    });
    if (!settings.orgId) this.setDisabled('AGNOST_ORG_ID is not set, so no traces are sent to Agnost');
  }

  override init(options: Parameters<OtelExporter['init']>[0]): void {
    if (!this.isDisabled) super.init(options); // disabled: no exporter is ever set up
  }

  // Each trace is exported as soon as its root span ends (within 200 ms under load), not up to 5 s later:
  // a server that is stopped or frozen (serverless) right after answering loses nothing.
  protected override async _exportTracingEvent(event: TracingEvent): Promise<void> {
    await super._exportTracingEvent(event);
    if (event.type === TracingEventType.SPAN_ENDED && event.exportedSpan.isRootSpan) this.#exports.soon();
  }

  override flush(): Promise<void> {
    return this.#exports.now();
  }
}
