// Refuses what a caller can get wrong in an agent request before Mastra sees it, with a 400 that says
// what to fix (Mastra answers these with a 500 and a stack in its log), and refuses media given as a
// URL: the AI SDK downloads image and file URLs that a model cannot take itself, so a caller could make
// this server fetch any address it can reach (cloud metadata, internal admin ports). Media goes inline
// (base64 or a data: URL), or from the URL prefixes a deployment allows in ALLOWED_MEDIA_URL_PREFIXES.
import type { MastraJwtAuth } from '@mastra/auth';
import type { Middleware } from '@mastra/core/server';
import { tokenUser } from './auth.ts';
import { readJsonBody } from './request-body.ts';

export const MAX_BODY_DEPTH = 32;
const ROLES = ['user', 'assistant', 'system', 'tool'];
const MEDIA_PART_TYPES = new Set(['image', 'file', 'image_url', 'input_image', 'input_file']);
const MEDIA_FIELDS = ['image', 'data', 'url', 'file_url', 'image_url'];
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** The deepest nesting of arrays and objects in JSON text, counted without parsing (so without recursion). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') deepest = Math.max(deepest, ++depth);
    else if (char === '}' || char === ']') depth--;
  }
  return deepest;
}

type Problem = string | undefined;

function checkMedia(value: unknown, where: string, allowedPrefixes: readonly string[]): Problem {
  if (typeof value !== 'string') return undefined; // objects are walked into; binary arrays are inline data
  if (value.startsWith('data:')) {
    const [meta = '', payload = ''] = value.slice('data:'.length).split(',', 2);
    return meta.endsWith(';base64') && !BASE64.test(payload.replace(/\s/g, '')) ? `${where}: the data: URL is not valid base64` : undefined;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    if (allowedPrefixes.some((prefix) => value.startsWith(prefix))) return undefined;
    return `${where}: media URLs are not fetched by this server; send the file inline (base64 or a data: URL)`;
  }
  return BASE64.test(value.replace(/\s/g, '')) ? undefined : `${where}: inline media must be base64 or a data: URL`;
}

/** Media fields anywhere inside a part (e.g. image_url: { url }), however the part spells them. */
function checkPart(part: unknown, where: string, allowedPrefixes: readonly string[]): Problem {
  if (!part || typeof part !== 'object' || Array.isArray(part)) return `${where}: must be an object with a type`;
  const { type, text } = part as { type?: unknown; text?: unknown };
  if (typeof type !== 'string') return `${where}.type: must be a string such as "text" or "image"`;
  if (type === 'text' && typeof text !== 'string') return `${where}.text: must be a string`;
  if (!MEDIA_PART_TYPES.has(type)) return undefined;
  const pending: [unknown, string][] = [[part, where]];
  while (pending.length > 0) {
    const [node, path] = pending.pop()!;
    if (!node || typeof node !== 'object') continue;
    for (const [key, value] of Object.entries(node)) {
      const problem = MEDIA_FIELDS.includes(key) ? checkMedia(value, `${path}.${key}`, allowedPrefixes) : undefined;
      if (problem) return problem;
      if (value && typeof value === 'object') pending.push([value, `${path}.${key}`]);
    }
  }
  return undefined;
}

function checkContent(content: unknown, where: string, allowedPrefixes: readonly string[]): Problem {
  if (typeof content === 'string') return undefined;
  if (!Array.isArray(content)) return `${where}: must be a string or a list of parts`;
  for (const [index, part] of content.entries()) {
    const problem = checkPart(part, `${where}[${index}]`, allowedPrefixes);
    if (problem) return problem;
  }
  return undefined;
}

function checkMessage(message: unknown, where: string, allowedPrefixes: readonly string[]): Problem {
  if (typeof message === 'string') return undefined;
  if (!message || typeof message !== 'object' || Array.isArray(message)) return `${where}: must be a string or a message object`;
  const { role, content, parts, contents, experimental_attachments: attachments } = message as Record<string, unknown>;
  if (role === undefined && contents !== undefined) return checkContent(contents, `${where}.contents`, allowedPrefixes); // Studio's form
  if (typeof role !== 'string' || !ROLES.includes(role)) return `${where}.role: must be one of ${ROLES.join(', ')}`;
  if (content === undefined && parts === undefined) return `${where}: needs content (a string or a list of parts)`;
  if (content === undefined && !Array.isArray(parts)) return `${where}.parts: must be a list of parts`;
  const problem = content !== undefined ? checkContent(content, `${where}.content`, allowedPrefixes) : checkContent(parts, `${where}.parts`, allowedPrefixes);
  if (problem || attachments === undefined) return problem;
  if (!Array.isArray(attachments)) return `${where}.experimental_attachments: must be a list`;
  return checkContent(attachments.map((attachment) => ({ type: 'file', ...attachment })), `${where}.experimental_attachments`, allowedPrefixes);
}

/** The first problem with an agent request's body, in words a caller can act on; undefined if none. */
export function bodyProblem(body: Record<string, unknown>, allowedPrefixes: readonly string[] = []): Problem {
  // instructions: a caller may override the agent's system prompt (a Mastra option) with the same forms.
  for (const field of ['messages', 'message', 'instructions'] as const) {
    const value = body[field];
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0 && field !== 'instructions') return `${field}: is empty; send at least one message`;
    const list = Array.isArray(value) ? value : [value];
    for (const [index, message] of list.entries()) {
      const problem = checkMessage(message, Array.isArray(value) ? `${field}[${index}]` : field, allowedPrefixes);
      if (problem) return problem;
    }
  }
  return undefined;
}

export function requestGuard({ auth, allowedMediaUrlPrefixes = [] }: { auth?: MastraJwtAuth; allowedMediaUrlPrefixes?: readonly string[] } = {}): Middleware {
  return {
    path: '/api/agents/*',
    handler: async (c, next) => {
      if (c.req.method !== 'POST') return next();
      // Without a valid token the route answers 401 itself: a stranger learns nothing about the body rules.
      if (auth && !(await tokenUser(auth, c.req.header('authorization')))) return next();
      const { text, json } = await readJsonBody(c.req.raw);
      const problem =
        jsonDepth(text) > MAX_BODY_DEPTH
          ? `the body is nested deeper than ${MAX_BODY_DEPTH} levels`
          : bodyProblem(json, allowedMediaUrlPrefixes);
      if (!problem) return next();
      c.get('mastra').getLogger().warn(`Refused ${c.req.method} ${new URL(c.req.url).pathname} (400): ${problem}`);
      return c.json({ error: `Invalid request: ${problem}.` }, 400);
    },
  };
}
