// Makes export outcomes visible. The OTLP exporter reports failures to nobody by default, which is
// the usual reason "nothing shows up in Agnost". This watches every trace export the Agnost
// exporter makes and keeps a tally the chat and `npm run doctor` turn into one-line reports.
// It is tooling for this project's scripts; an app that copies observability.ts does not need it.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';

export interface DeliveryFailure {
  /** HTTP status, when the endpoint answered. */
  status: number | undefined;
  /** One line: what happened and what to fix. */
  reason: string;
}

export interface DeliveryTally {
  spansExported: number;
  spansFailed: number;
  exports: number;
  lastFailure: DeliveryFailure | undefined;
}

type Listener = (failure: DeliveryFailure) => void;

const tally: DeliveryTally = { spansExported: 0, spansFailed: 0, exports: 0, lastFailure: undefined };
const listeners = new Set<Listener>();
let installed = false;

/** The URL the OTLP exporter derives from an endpoint: the base, then /v1/traces. */
export function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '').replace(/\/v1\/(traces|logs)$/, '');
  return `${base}/v1/traces`;
}

const HTTP_ADVICE: Record<number, string> = {
  400: 'the endpoint rejected the payload: check that it accepts OTLP http/protobuf',
  401: 'check AGNOST_ORG_ID',
  403: 'check AGNOST_ORG_ID (the organization may not have access)',
  404: 'check AGNOST_OTEL_ENDPOINT (it should end in /v1/traces)',
  405: 'check AGNOST_OTEL_ENDPOINT (it should end in /v1/traces)',
  413: 'the batch is too large for the endpoint',
  415: 'the endpoint does not accept application/x-protobuf',
  429: 'rate limited: try again later',
};

const NETWORK_ADVICE: Record<string, string> = {
  ECONNREFUSED: 'connection refused: is AGNOST_OTEL_ENDPOINT right and the collector running?',
  ENOTFOUND: 'host not found: check AGNOST_OTEL_ENDPOINT, DNS or your proxy',
  EAI_AGAIN: 'host lookup failed: check your network, DNS or proxy',
  ECONNRESET: 'connection reset by the endpoint or a proxy',
  ETIMEDOUT: 'connection timed out: check your network or proxy',
  EHOSTUNREACH: 'host unreachable: check your network or proxy',
  EPROTO: 'TLS handshake failed: check http:// versus https:// in AGNOST_OTEL_ENDPOINT, or your proxy',
  CERT_HAS_EXPIRED: 'TLS certificate expired on the endpoint',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate on the endpoint',
};

function errorCode(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Turns an export error into a one-line reason with the likely fix, e.g. "401 Unauthorized: check AGNOST_ORG_ID". */
export function describeExportError(error: unknown): DeliveryFailure {
  const status = (error as { code?: unknown } | undefined)?.code;
  if (typeof status === 'number') {
    const text = error instanceof Error && error.message ? error.message : 'HTTP error';
    const advice = HTTP_ADVICE[status] ?? (status >= 500 ? 'the endpoint failed: try again later' : 'unexpected answer from the endpoint');
    return { status, reason: `${status} ${text}: ${advice}` };
  }
  const code = errorCode(error);
  if (code && NETWORK_ADVICE[code]) return { status: undefined, reason: NETWORK_ADVICE[code] };
  const message = error instanceof Error ? error.message : String(error);
  if (/retryable/i.test(message)) {
    return { status: undefined, reason: 'the endpoint kept answering 429/502/503/504 until the export timed out: try again later' };
  }
  if (/timeout|timed out/i.test(message)) {
    return { status: undefined, reason: 'timed out: the endpoint did not answer in time (check AGNOST_OTEL_ENDPOINT, network or proxy)' };
  }
  return { status: undefined, reason: message.split('\n')[0] || 'export failed' };
}

/** Starts watching trace exports (idempotent) and calls `onFailure` for each failed export. */
export function watchTraceDelivery(onFailure?: Listener): DeliveryTally {
  if (onFailure) listeners.add(onFailure);
  if (installed) return tally;
  installed = true;
  // The OtelExporter builds its OTLPTraceExporter from this same class (loaded by package name), and
  // exposes no export results; wrapping the class's export method observes every export it makes.
  const originalExport = OTLPTraceExporter.prototype.export;
  OTLPTraceExporter.prototype.export = function (spans, resultCallback) {
    originalExport.call(this, spans, (result) => {
      tally.exports += 1;
      if (result.error === undefined && result.code === 0 /* ExportResultCode.SUCCESS */) {
        tally.spansExported += spans.length;
      } else {
        tally.spansFailed += spans.length;
        tally.lastFailure = describeExportError(result.error);
        for (const listener of listeners) listener(tally.lastFailure);
      }
      resultCallback(result);
    });
  };
  return tally;
}

/** The chat's last line about traces: where they went, how many spans, or why not. */
export function summarizeDelivery(tally: DeliveryTally, agnostEnabled: boolean, endpoint: string, localTraces = true): string {
  if (!agnostEnabled) {
    return `Traces: ${localTraces ? 'kept in local storage only' : 'not kept (local traces are off)'} (set AGNOST_ORG_ID to send them to Agnost).`;
  }
  const url = tracesUrl(endpoint);
  const total = tally.spansExported + tally.spansFailed;
  if (tally.lastFailure) return `Traces: ${tally.spansExported} of ${total} spans exported to ${url} (${tally.lastFailure.reason}).`;
  if (total === 0) return `Traces: nothing exported to ${url} (no answered turn, or the export did not finish before exit).`;
  return `Traces: ${tally.spansExported} spans exported to ${url}.`;
}
