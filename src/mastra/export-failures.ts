// Why traces are not reaching the endpoint, in one line with the fix, and the server's report of it:
// one line when exports start failing, at most one more a minute while they keep failing (with the
// spans dropped), one line when they recover. Fed by the outcomes AgnostExporter publishes.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { EXPORT_CHANNEL, type ExportOutcome } from './agnost.ts';

export interface DeliveryFailure {
  /** HTTP status, when the endpoint answered. */
  status: number | undefined;
  /** One line: what happened and what to fix. */
  reason: string;
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

export const REPORT_INTERVAL_MS = 60_000;

/** Reports export failures through `write` (one line each), rate-limited; returns a function that stops it. */
export function reportExportFailures(write: (line: string) => void, now: () => number = Date.now): () => void {
  let failing = false;
  let reportedAt = 0;
  let dropped = 0;
  const onOutcome = (message: unknown) => {
    const { url, sent, error } = message as ExportOutcome;
    if (error === undefined) {
      if (failing) write(`Traces reach ${url} again (${dropped} spans were dropped meanwhile).`);
      failing = false;
      dropped = 0;
      return;
    }
    dropped += sent.length;
    const { reason } = describeExportError(error);
    if (!failing) {
      write(`Traces are not reaching ${url}: ${reason} (${dropped} spans dropped so far; reported again at most once a minute).`);
    } else if (now() - reportedAt >= REPORT_INTERVAL_MS) {
      write(`Traces are still not reaching ${url}: ${reason} (${dropped} spans dropped since it started failing).`);
    } else {
      return;
    }
    failing = true;
    reportedAt = now();
  };
  subscribe(EXPORT_CHANNEL, onOutcome);
  return () => void unsubscribe(EXPORT_CHANNEL, onOutcome);
}
