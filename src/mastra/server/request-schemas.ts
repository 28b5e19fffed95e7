// The pieces the allowed routes' schemas (routes.ts) are made of: what a caller may send, and nothing
// more. Every object is strict (an unknown key at any depth is refused with its path), every list and
// string bounded, so no field a schema does not name can reach Mastra. Ids, tracing, memory and the
// request context are not among them: the server sets those (routes.ts's forward).
import { z } from 'zod';
import { ID_RULE, isValidId } from '../../settings/ids.ts';

/** Messages in one request, whatever route and field carries them: the history comes from memory. */
export const MAX_MESSAGES = 200;
/** Parts in one message (text, images, files). */
export const MAX_PARTS = 50;

export const id = z.string().refine(isValidId, { message: `use ${ID_RULE}` });

/** A media field: inline base64, a data: URL, or a URL (checked against the allowed prefixes later). */
const media = z.string().min(1);
const mediaType = z.string().max(255);

const textPart = z.strictObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.strictObject({ type: z.literal('image'), image: media, mediaType: mediaType.optional() });
const filePart = z.strictObject({ type: z.literal('file'), data: media, mediaType, filename: z.string().max(255).optional() });
/** The AI SDK's UI form of a file (useChat): `url` is a data: URL or an allowed URL. */
const uiFilePart = z.strictObject({ type: z.literal('file'), url: media, mediaType, filename: z.string().max(255).optional() });

const parts = <T extends z.ZodType>(part: T) => z.array(part).min(1).max(MAX_PARTS);

/** A message as the AI SDK's model messages write it, or as its UI messages (useChat) do. */
const modelMessage = z.union([
  z.strictObject({ role: z.literal('user'), content: z.union([z.string(), parts(z.discriminatedUnion('type', [textPart, imagePart, filePart]))]) }),
  z.strictObject({ role: z.literal('assistant'), content: z.union([z.string(), parts(textPart)]) }),
]);
const uiMessage = z.strictObject({
  id: z.string().max(128).optional(),
  role: z.enum(['user', 'assistant']),
  parts: parts(z.union([textPart, uiFilePart])),
});

/** An agent call's input: a text, a message, or a list of them. */
export const messages = z.union([
  z.string(),
  modelMessage,
  uiMessage,
  z.array(z.union([z.string(), modelMessage, uiMessage])).min(1).max(MAX_MESSAGES),
]);

/** Studio's message on send-message: its text (or parts) and the id its page gave it. */
export const studioMessage = z.union([
  z.string(),
  parts(z.discriminatedUnion('type', [textPart, filePart])),
  z.strictObject({
    contents: z.union([z.string(), parts(z.discriminatedUnion('type', [textPart, filePart]))]),
    metadata: z.strictObject({ clientMessageId: z.string().max(128) }).optional(),
  }),
]);

/** How a Mastra client names the conversation: memory: { thread, resource }. */
export const memory = z.strictObject({
  thread: z.union([id, z.strictObject({ id })]),
  resource: id.optional(),
});

/** The ids under Agnost's keys, as the README's calls write them; the server writes its own. */
export const tracingOptions = z.strictObject({
  metadata: z.strictObject({ userId: id.optional(), conversationId: id.optional() }),
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
  z.union([emptyRequestContext, z.strictObject({ requestContext: emptyRequestContext })], { error: 'must be empty: the server sets the request context' }),
);

const digits = (max: number) => z.string().regex(/^\d{1,6}$/, 'must be a whole number').refine((value) => Number(value) <= max, `must be at most ${max}`);
const orderBy = (fields: [string, ...string[]]) =>
  z.preprocess(decodedJson, z.strictObject({ field: z.enum(fields).optional(), direction: z.enum(['ASC', 'DESC']).optional() }));

/** Query parameters, each given at most once. */
export const query = {
  agentId: id,
  resourceId: id,
  requestContext: emptyRequestContextQuery,
  page: digits(100_000),
  perPage: digits(100),
  threadsOrderBy: orderBy(['createdAt', 'updatedAt']),
  messagesOrderBy: orderBy(['createdAt']),
  flag: z.enum(['true', 'false']),
};

/** A route without a body: nothing, or an empty JSON object. */
export const noBody = z.strictObject({});

/** One line per problem, naming the field's path: "ifIdle.streamOptions.context: not accepted here". */
export function describeIssue(issue: z.core.$ZodIssue, where: string): string {
  const path = [where, ...issue.path.map(String)].filter((part) => part !== '').join('.');
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (issue.code === 'unrecognized_keys') return `${issue.keys.map(at).join(', ')}: not accepted here`;
  return `${path || 'the body'}: ${issue.message}`;
}
