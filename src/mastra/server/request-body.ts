// An agent request's JSON body, read once for every middleware that looks at it (request-guard.ts,
// request-ids.ts); the agent route still reads the untouched original.

/** What a body that is not a JSON object (or not JSON at all) reads as: the route answers for those. */
const NOT_AN_OBJECT: Record<string, unknown> = Object.freeze({});
const bodies = new WeakMap<Request, Promise<{ text: string; json: Record<string, unknown> }>>();

async function read(request: Request) {
  if (!request.headers.get('content-type')?.includes('application/json')) return { text: '', json: NOT_AN_OBJECT };
  const text = await request.clone().text();
  try {
    const json: unknown = JSON.parse(text);
    return { text, json: json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : NOT_AN_OBJECT };
  } catch {
    return { text, json: NOT_AN_OBJECT }; // malformed JSON: the agent route answers 400 itself
  }
}

/** The body's raw text and, when it is a JSON object, the parsed object (else `{}`). */
export function readJsonBody(request: Request) {
  let body = bodies.get(request);
  if (!body) bodies.set(request, (body = read(request)));
  return body;
}
