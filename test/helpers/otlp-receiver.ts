// A real OTLP/HTTP receiver on 127.0.0.1 for tests and benchmarks. It decodes protobuf
// ExportTraceServiceRequest bodies with its own copy of the OTLP schema (independent of the exporter's
// encoder) and can answer 200, any error status, or never answer at all.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { leaveIdleConnectionsToClients } from './idle-connections.ts';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

// The subset of opentelemetry/proto (collector/trace/v1, trace/v1, common/v1, resource/v1) that traces use.
const OTLP_TRACE_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
  string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10;
  Status status = 15; fixed32 flags = 16;
}
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
`;

const ExportTraceServiceRequest = protobuf.parse(OTLP_TRACE_PROTO).root.lookupType('otlp.ExportTraceServiceRequest');

export type AttributeValue = string | number | boolean | AttributeValue[] | { [key: string]: AttributeValue } | null;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, AttributeValue>;
  resource: Record<string, AttributeValue>;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Decoded spans, for protobuf POSTs to /v1/traces; empty otherwise. */
  spans: ReceivedSpan[];
}

/** How the receiver answers: a status (200 with an empty ExportTraceServiceResponse), optionally after a delay, or never. */
export type ReceiverMode = { status: number; delayMs?: number } | 'hang';

interface DecodedKeyValue {
  key: string;
  value?: DecodedAnyValue;
}
interface DecodedAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values?: DecodedAnyValue[] };
  kvlistValue?: { values?: DecodedKeyValue[] };
  bytesValue?: string;
}
interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: DecodedKeyValue[];
}
interface DecodedRequest {
  resourceSpans?: { resource?: { attributes?: DecodedKeyValue[] }; scopeSpans?: { spans?: DecodedSpan[] }[] }[];
}

function toValue(value: DecodedAnyValue | undefined): AttributeValue {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(toValue);
  if (value.kvlistValue) return toAttributes(value.kvlistValue.values);
  if (value.bytesValue !== undefined) return value.bytesValue;
  return null;
}

function toAttributes(keyValues: DecodedKeyValue[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((keyValues ?? []).map(({ key, value }) => [key, toValue(value)]));
}

export function decodeTraceRequest(body: Uint8Array): ReceivedSpan[] {
  const decoded = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), {
    longs: String,
    bytes: String, // base64; converted to hex ids below
    oneofs: false,
    defaults: false,
  }) as DecodedRequest;
  const hex = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('hex');
  return (decoded.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = toAttributes(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans) =>
      (scopeSpans.spans ?? []).map((span) => ({
        traceId: hex(span.traceId),
        spanId: hex(span.spanId),
        parentSpanId: hex(span.parentSpanId),
        name: span.name,
        attributes: toAttributes(span.attributes),
        resource,
      })),
    );
  });
}

export interface OtlpReceiver {
  /** Base URL, e.g. http://127.0.0.1:4318 */
  url: string;
  /** Full traces URL, e.g. http://127.0.0.1:4318/v1/traces */
  tracesUrl: string;
  requests: ReceivedRequest[];
  spans(): ReceivedSpan[];
  setMode(mode: ReceiverMode): void;
  /** Resolves once at least `count` spans have arrived, or rejects after `timeoutMs`. */
  waitForSpans(count: number, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(mode: ReceiverMode = { status: 200 }): Promise<OtlpReceiver> {
  let currentMode = mode;
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const waiters = new Set<() => void>();
  const spans = () => requests.flatMap((request) => request.spans);

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = request.url ?? '';
      const isProtobufTraces =
        request.method === 'POST' && path === '/v1/traces' && request.headers['content-type'] === 'application/x-protobuf';
      requests.push({
        method: request.method ?? '',
        path,
        headers: request.headers,
        body,
        spans: isProtobufTraces && body.length > 0 ? decodeTraceRequest(body) : [],
      });
      for (const wake of waiters) wake();
      if (currentMode === 'hang') {
        hanging.add(response);
        return;
      }
      const { status, delayMs = 0 } = currentMode;
      const answer = () => {
        response.writeHead(status, { 'content-type': 'application/x-protobuf' });
        response.end(); // an empty body is a valid, empty ExportTraceServiceResponse
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  leaveIdleConnectionsToClients(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    tracesUrl: `${url}/v1/traces`,
    requests,
    spans,
    setMode(next) {
      currentMode = next;
    },
    waitForSpans(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (spans().length < count) return;
          cleanup();
          resolve(spans());
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`expected ${count} spans within ${timeoutMs} ms, got ${spans().length}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
