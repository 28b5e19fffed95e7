// A request's body, read once for every middleware that looks at it (request-guard.ts,
// route-gate.ts), in the forms Mastra's routes parse: JSON, and multipart form data whose text fields
// Mastra parses as JSON. The route still reads the untouched original, unless the reader replaces it
// (`consume`: route-gate.ts hands Mastra a body it builds), which saves copying every chunk.

/** Mastra's own default, given to it as server.bodySizeLimit (server-options.ts) so both agree. */
export const BODY_LIMIT_BYTES = 4.5 * 1024 * 1024;

/**
 * `value`: the parsed body, whatever its type (undefined when there is none); `json`: the same when it is
 * an object, else `{}`. `malformed`: declared JSON that does not parse; refused, never passed on unchecked.
 */
export type ReadBody =
  { text: string; value?: unknown; json: Record<string, unknown>; malformed?: boolean; tooLarge?: false } | { tooLarge: true };

/** What a body that is not a JSON object (or not JSON at all) reads as: the route answers for those. */
const NOT_AN_OBJECT: Record<string, unknown> = Object.freeze({});
const bodies = new WeakMap<Request, Promise<ReadBody>>();

/** The body's bytes, or undefined past `limit` (read no further: a chunked upload is not buffered whole). */
async function bytesUpTo(request: Request, limit: number, consume: boolean): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get('content-length'));
  if (declared > limit) return undefined;
  const reader = (consume ? request : request.clone()).body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength;
    if (size > limit) {
      // Read no further, but leave the stream as it is: cancelling it would drop the connection under a
      // client still sending, which then gets no 413 at all. Node discards the rest once the 413 is sent.
      reader.releaseLock();
      return undefined;
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks);
}

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : NOT_AN_OBJECT;
}

async function read(request: Request, consume: boolean): Promise<ReadBody> {
  const type = request.headers.get('content-type') ?? '';
  const isJson = type.includes('application/json');
  const isForm = type.includes('multipart/form-data');
  if (!isJson && !isForm) return { text: '', json: NOT_AN_OBJECT };
  const bytes = await bytesUpTo(request, BODY_LIMIT_BYTES, consume);
  if (!bytes) return { tooLarge: true };
  if (isForm) {
    // Mastra parses each text field as JSON (a `messages` field included): read them the same way.
    const fields: Record<string, unknown> = {};
    try {
      for (const [key, value] of await new Response(bytes, { headers: { 'content-type': type } }).formData()) {
        if (typeof value !== 'string') continue; // uploaded files are inline data
        try {
          fields[key] = JSON.parse(value);
        } catch {
          fields[key] = value;
        }
      }
    } catch {
      return { text: '', json: NOT_AN_OBJECT }; // malformed form data: the route answers 400 itself
    }
    return { text: JSON.stringify(fields), value: fields, json: fields };
  }
  // Decoded as Mastra's route reads it (Request.text(): a leading byte-order mark is dropped), so the
  // checks see the body the route will see.
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === '') return { text, json: NOT_AN_OBJECT }; // Mastra reads it as no body
  try {
    const value: unknown = JSON.parse(text);
    return { text, value, json: asObject(value) };
  } catch {
    return { text, json: NOT_AN_OBJECT, malformed: true };
  }
}

/**
 * The body's text and, when it is an object, the parsed object (else `{}`); or that it is too large.
 * `consume`: read the request's own body, not a copy, for a reader that replaces it before the route
 * runs. That reading is its reader's alone, and not kept: a body near the size cap, read and parsed,
 * is then garbage once its reader is done, not held for as long as the route runs.
 */
export function readBody(request: Request, { consume = false } = {}): Promise<ReadBody> {
  if (consume) return read(request, true);
  let body = bodies.get(request);
  if (!body) bodies.set(request, (body = read(request, false)));
  return body;
}
