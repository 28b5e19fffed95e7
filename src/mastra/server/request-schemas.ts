// The pieces the allowed routes' schemas (routes.ts) are made of: what a caller may send, and nothing
// more. Every object is strict (an unknown key at any depth is refused with its path), every list and
// string bounded, so no field a schema does not name can reach Mastra. Ids, tracing, memory and the
// request context are not among them: the server sets those (routes.ts's forward).
import { z } from 'zod';
import { ID_RULE, isValidId } from '../../settings/ids.ts';

/** Messages in one request, whatever route and field carries them: the history comes from memory. */
export const MAX_MESSAGES = 100;
/** Parts in one message (text, images, files), and in the whole request. */
export const MAX_PARTS = 50;
export const MAX_PARTS_PER_REQUEST = 100;
/** Images and files in the whole request: each costs Mastra far more than text. */
export const MAX_MEDIA_PER_REQUEST = 10;
const MEDIA_PART_TYPES = new Set(['image', 'file']);

export const id = z.string().refine(isValidId, { message: `use ${ID_RULE}` });

/** A media field: inline base64, a data: URL, or a URL (checked against the allowed prefixes later). */
const media = z.string().min(1);
const mediaType = z.string().max(255);

const textPart = z.strictObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.strictObject({ type: z.literal('image'), image: media, mediaType: mediaType.optional() });
/** A file as a model message writes it (`data`) or as a UI message (useChat) does (`url`: a data: URL or an allowed URL). */
const filePart = z
  .strictObject({
    type: z.literal('file'),
    data: media.optional(),
    url: media.optional(),
    mediaType,
    filename: z.string().max(255).optional(),
  })
  .refine((part) => (part.data === undefined) !== (part.url === undefined), { message: 'give the file as data or as url, one of them' });
const PART_KINDS = { error: 'must be a part: { type: "text", text }, { type: "image", image } or { type: "file", data, mediaType }' };
const parts = z
  .array(z.discriminatedUnion('type', [textPart, imagePart, filePart], PART_KINDS))
  .min(1)
  .max(MAX_PARTS);
const content = z.union([z.string(), parts], { error: 'must be a text or a list of parts' });

/** A message as the AI SDK's model messages write it (content), or as its UI messages (useChat) do (parts). */
const message = z
  .strictObject({
    id: z.string().max(128).optional(),
    role: z.enum(['user', 'assistant']),
    content: content.optional(),
    parts: parts.optional(),
  })
  .refine((given) => (given.content === undefined) !== (given.parts === undefined), {
    message: 'give content (a text or a list of parts), or parts',
  });

/** A message as AI SDK UI's useChat sends it (a UI message): its id, role and parts. */
const uiTextPart = z.strictObject({ type: z.literal('text'), text: z.string(), state: z.enum(['streaming', 'done']).optional() });
const UI_PART_KINDS = { error: 'must be a part: { type: "text", text }, { type: "file", url, mediaType } or { type: "step-start" }' };
export const uiMessage = z.strictObject({
  id: z.string().min(1).max(128),
  role: z.enum(['user', 'assistant']),
  parts: z
    .array(z.discriminatedUnion('type', [uiTextPart, filePart, z.strictObject({ type: z.literal('step-start') })], UI_PART_KINDS))
    .min(1)
    .max(MAX_PARTS),
});

/** An agent call's input: a text, a message, or a list of them. */
export const messages = z.union(
  [
    z.string(),
    message,
    z
      .array(z.union([z.string(), message], { error: 'must be a text or a message { role, content }' }))
      .min(1)
      .max(MAX_MESSAGES),
  ],
  { error: 'must be a text, a message { role, content } or a list of them' },
);

/** Studio's message on send-message: its text (or parts) and the id its page gave it. */
export const studioMessage = z.union(
  [content, z.strictObject({ contents: content, metadata: z.strictObject({ clientMessageId: z.string().max(128) }).optional() })],
  { error: 'must be a text, a list of parts, or { contents }' },
);

/** How a Mastra client names the conversation: memory: { thread, resource }. */
export const memory = z.strictObject({
  thread: z.union([id, z.strictObject({ id })]),
  resource: id.optional(),
});

/** The ids under Agnost's keys, as the README's calls write them; the server writes its own. */
export const tracingOptions = z.strictObject({
  metadata: z.strictObject({ userId: id.optional(), conversationId: id.optional() }).optional(),
});

/** What a caller may tune about a run: how many steps, and the model's sampling. */
export const runSettings = {
  maxSteps: z.int().min(1).max(50).optional(),
  modelSettings: z
    .strictObject({
      temperature: z.number().min(0).max(2).optional(),
      topP: z.number().min(0).max(1).optional(),
      maxOutputTokens: z.int().min(1).max(100_000).optional(),
      maxRetries: z.int().min(0).max(5).optional(),
    })
    .optional(),
};

/** Mastra's clients send an empty request context along ({}); anything in it would reach the run. */
export const emptyRequestContext = z.strictObject({});

/** A query value Mastra's clients send as JSON or base64 JSON: read as Mastra reads it. */
function decodedJson(value: string): unknown {
  for (const text of [value, Buffer.from(value, 'base64').toString('utf8')]) {
    try {
      return JSON.parse(text);
    } catch {
      // not this form
    }
  }
  return value;
}

/** `?requestContext=` as Studio sends it: empty ({} or { requestContext: {} }), in JSON or base64. */
export const emptyRequestContextQuery = z.preprocess(
  decodedJson,
  z.union([emptyRequestContext, z.strictObject({ requestContext: emptyRequestContext })], {
    error: 'must be empty: the server sets the request context',
  }),
);

const digits = (max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, 'must be a whole number')
    .refine((value) => Number(value) <= max, `must be at most ${max}`);
const orderBy = (fields: [string, ...string[]]) =>
  z.preprocess(decodedJson, z.strictObject({ field: z.enum(fields).optional(), direction: z.enum(['ASC', 'DESC']).optional() }));

/** Query parameters, each given at most once. */
export const query = {
  agentId: id,
  resourceId: id,
  requestContext: emptyRequestContextQuery,
  page: digits(100_000),
  perPage: digits(1_000),
  threadsOrderBy: orderBy(['createdAt', 'updatedAt']),
  messagesOrderBy: orderBy(['createdAt']),
  flag: z.enum(['true', 'false']),
};

/** A route without a body: nothing, or an empty JSON object. */
export const noBody = z.strictObject({});

/** The caps on the whole validated request, whatever field holds its parts. */
export function capsProblem(body: unknown): string | undefined {
  let parts = 0;
  let media = 0;
  const pending = [body];
  while (pending.length > 0) {
    const node = pending.pop();
    if (!node || typeof node !== 'object') continue;
    const { type } = node as { type?: unknown };
    if (typeof type === 'string' && (type === 'text' || MEDIA_PART_TYPES.has(type))) {
      parts++;
      if (MEDIA_PART_TYPES.has(type)) media++;
    }
    pending.push(...Object.values(node));
  }
  if (parts > MAX_PARTS_PER_REQUEST) return `${parts} parts in one request; send at most ${MAX_PARTS_PER_REQUEST}`;
  if (media > MAX_MEDIA_PER_REQUEST) return `${media} images and files in one request; send at most ${MAX_MEDIA_PER_REQUEST}`;
  return undefined;
}

type Issue = z.core.$ZodIssue;

/**
 * Of a union's failed options, the issue that got furthest into the value (what the caller most likely
 * meant); a union whose options all fail where it stands speaks for itself, unless one says the list is
 * too long or too short.
 */
function deepestIssue(issue: Issue): Issue {
  if (issue.code !== 'invalid_union') return issue;
  const inner = issue.errors.flat().map((nested) => deepestIssue({ ...nested, path: [...issue.path, ...nested.path] } as Issue));
  const deepest = inner.reduce<Issue>((best, candidate) => (candidate.path.length > best.path.length ? candidate : best), issue);
  if (deepest !== issue) return deepest;
  return inner.find((candidate) => candidate.code === 'too_big' || candidate.code === 'too_small') ?? issue;
}

/** A field's path as a caller writes it: ifIdle.streamOptions.context, messages[0].content. */
function pathOf(where: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    where,
  );
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (value, key) => (value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined),
    input,
  );
}

/** Unknown keys named in one answer; the rest are counted. */
const NAMED_KEYS = 3;

/** One line naming the field's path: "ifIdle.streamOptions.context: not accepted here". */
export function describeIssue(first: Issue, input: unknown, where = ''): string {
  const issue = deepestIssue(first);
  const path = pathOf(where, issue.path);
  const field = path || 'the body';
  if (issue.code === 'unrecognized_keys') {
    const named = issue.keys.slice(0, NAMED_KEYS).map((key) => pathOf(path, [key]));
    const more = issue.keys.length > NAMED_KEYS ? ` and ${issue.keys.length - NAMED_KEYS} more` : '';
    return `${named.join(', ')}${more}: not accepted here`;
  }
  if (issue.path.length > 0 && valueAt(input, issue.path) === undefined) return `${field}: is required`;
  if (issue.code === 'too_big' || issue.code === 'too_small') {
    const bound = issue.code === 'too_big' ? `at most ${issue.maximum}` : `at least ${issue.minimum}`;
    const unit = issue.origin === 'array' ? 'items' : issue.origin === 'string' ? 'characters' : '';
    return `${field}: ${bound}${unit ? ` ${unit}` : ''}`;
  }
  return `${field}: ${issue.message.replace(/^Invalid input: /, '')}`;
}
