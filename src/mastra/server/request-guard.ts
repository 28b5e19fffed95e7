// Refuses, on the API routes routes.ts does not list (open only without auth), what could hurt the
// server before Mastra sees it, with a 400 that says what to fix (Mastra answers malformed messages with
// a 500 and a stack in its log); the listed routes take only what their schemas name (route-gate.ts),
// and their media is checked here too (mediaProblem):
// - media given as a URL, wherever a body carries media (message content and parts, UI file parts,
//   attachments, `context`, `system` / `instructions`, A2A file parts, messages saved to memory):
//   the AI SDK downloads image and file URLs that a model cannot take itself, so a caller could make
//   this server fetch any address it reaches (cloud metadata, internal admin ports), at once or when
//   a stored message is replayed. Media goes inline (base64, checked by decoding it, or a data: URL),
//   or from the URL prefixes a deployment allows in ALLOWED_MEDIA_URL_PREFIXES;
// - any other URL the server would call, in a field named for one (url, uri, endpoint, webhook, ...):
//   A2A push-notification configs make the server POST each task's answer to their URL, MCP and
//   stored-agent configs connect to theirs. Only the ALLOWED_MEDIA_URL_PREFIXES are called;
// - more messages than MAX_MESSAGES in one request, a body nested deeper than MAX_BODY_DEPTH, and a
//   body over BODY_LIMIT_BYTES (413, read no further than that where Mastra has not read it already);
// - on the agent routes, messages a model cannot take (no content, an unknown role, wrong types).
import type { Middleware } from '@mastra/core/server';
import { BODY_LIMIT_BYTES, readBody } from './request-body.ts';
import { isApiPath, refuse } from './refusal.ts';
import { MAX_MESSAGES } from './request-schemas.ts';
import { allowedRoute } from './routes.ts';

export const MAX_BODY_DEPTH = 32;
export { MAX_MESSAGES };
const ROLES = ['user', 'assistant', 'system', 'tool'];
/** Part types (`type`, or A2A's `kind`) whose fields the AI SDK or Mastra may download. */
const MEDIA_PART_TYPES = new Set(['image', 'file', 'image_url', 'input_image', 'input_file', 'input_audio', 'audio']);
/** Fields of a media part that hold the media: inline data or an address. */
const MEDIA_FIELDS = new Set(['image', 'data', 'url', 'uri', 'file_url', 'image_url', 'file_data', 'bytes', 'raw']);
/** Fields by which a part declares that it carries media. */
const MEDIA_TYPE_FIELDS = ['mediaType', 'mimeType', 'contentType', 'media_type', 'mime_type'];
/** Body fields that hold lists of messages, on any route (agents, memory, the Responses API). */
const MESSAGE_LISTS = ['messages', 'context', 'input'];
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const AGENT_ROUTE = /^\/api\/agents\/[^/]+\/[^/]/;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x7b, 0x5b]); // { [
const CLOSERS = new Set([0x7d, 0x5d]); // } ]

/** Where the string that opens at `open` ends (its closing quote), or -1 if it never does. */
function stringEnd(text: string, open: number): number {
  // indexOf skips a string's content at native speed (a body at the cap is mostly one long text).
  for (let end = text.indexOf('"', open + 1); end >= 0; end = text.indexOf('"', end + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end; // not an escaped quote
  }
  return -1;
}

/** The deepest nesting of arrays and objects in JSON text, counted without parsing (so without recursion). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      index = stringEnd(text, index);
      if (index < 0) break; // an unterminated string: nothing after it counts
    } else if (OPENERS.has(code)) deepest = Math.max(deepest, ++depth);
    else if (CLOSERS.has(code)) depth--;
  }
  return deepest;
}

/** Field names that hold an address the server may call: url, uri, endpoint, webhook, baseUrl, serverUrl, ... */
const URL_FIELD = /(url|uri|endpoint|webhook|href)$/i;

/**
 * Whether `value` lies under one of `prefixes`, read as URLs: the same scheme, host and port, and a path
 * below the prefix's (so https://cdn.example.com@127.0.0.1/ is not under https://cdn.example.com).
 */
export function isUnderPrefix(value: string, prefixes: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // Only a URL written as the parser writes it back (lower-case scheme, no dot segments, no default port)
  // and without an encoded slash or backslash, which a server may read as a folder.
  if (url.href !== value || url.username || url.password || /%2f|%5c/i.test(url.pathname)) return false;
  return prefixes.some((prefix) => {
    const allowed = new URL(prefix);
    return url.protocol === allowed.protocol && url.host === allowed.host && url.pathname.startsWith(allowed.pathname);
  });
}

/**
 * Standard base64, padded: what the AI SDK decodes as inline data. Anything else in a media field it
 * takes for a URL and tries to download.
 */
export function isBase64(value: string): boolean {
  return value.length > 0 && /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value);
}

/** Control characters, which URL parsing drops or strips: "\u0001http://..." is read as http://... */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

type Problem = string | undefined;

function checkMedia(value: unknown, where: string, allowedPrefixes: readonly string[]): Problem {
  if (typeof value !== 'string') return undefined; // objects are walked into; binary arrays are inline data
  if (CONTROL_CHARACTERS.test(value)) return `${where}: contains a control character`;
  if (value.startsWith('data:')) {
    const comma = value.indexOf(',');
    const meta = value.slice('data:'.length, comma < 0 ? undefined : comma);
    if (comma < 0) return `${where}: the data: URL has no comma before its data`;
    // The AI SDK takes only base64 data: URLs; it tries to download any other kind (and fails with a 500).
    if (!meta.endsWith(';base64')) return `${where}: a data: URL must be base64 (data:<type>;base64,<data>)`;
    return isBase64(value.slice(comma + 1)) ? undefined : `${where}: the data: URL is not valid base64`;
  }
  if (/^https?:\/\//.test(value) && isUnderPrefix(value, allowedPrefixes)) return undefined;
  if (isBase64(value)) return undefined;
  return /^[a-z][a-z0-9+.-]*:/i.test(value)
    ? `${where}: media URLs are not fetched by this server; send the file inline (base64 or a data: URL)`
    : `${where}: inline media must be base64 or a data: URL`;
}

/** Whether a URL-named field's value is an address the server would call: read as URL parsing reads it. */
function callsOut(value: string, allowedPrefixes: readonly string[]): boolean {
  if (CONTROL_CHARACTERS.test(value) || /^\s*[/\\]{2}/.test(value)) return true;
  return URL.canParse(value.trim()) && !isUnderPrefix(value, allowedPrefixes);
}

/** The first field anywhere in the body that holds an address the server would call (or bad inline media). */
export function mediaProblem(body: unknown, allowedPrefixes: readonly string[] = []): Problem {
  // [node, path, inside a media part]; a list, not recursion: the depth is checked separately.
  const pending: [unknown, string, boolean][] = [[body, 'body', false]];
  while (pending.length > 0) {
    const [node, path, inMedia] = pending.pop()!;
    if (!node || typeof node !== 'object') continue;
    const { type, kind } = node as { type?: unknown; kind?: unknown };
    // A part is media by its type (`type`, A2A's `kind`), or by declaring a media type (A2A v1 parts have neither).
    const declaresMediaType = MEDIA_TYPE_FIELDS.some((field) => typeof (node as Record<string, unknown>)[field] === 'string');
    const isMedia = inMedia || declaresMediaType || MEDIA_PART_TYPES.has(String(type)) || MEDIA_PART_TYPES.has(String(kind));
    for (const [key, value] of Object.entries(node)) {
      const where = path === 'body' ? key : Array.isArray(node) ? `${path}[${key}]` : `${path}.${key}`;
      if (isMedia && MEDIA_FIELDS.has(key)) {
        const problem = checkMedia(value, where, allowedPrefixes);
        if (problem) return problem;
      }
      if (!isMedia && URL_FIELD.test(key) && typeof value === 'string' && callsOut(value, allowedPrefixes)) {
        return `${where}: this server calls no URL a request names; leave it out`;
      }
      // Attachments (experimental_attachments, and Mastra's stored form) are media whatever their type says.
      const isAttachments = key === 'experimental_attachments' || key === 'attachments';
      if (value && typeof value === 'object') pending.push([value, where, isMedia || isAttachments]);
    }
  }
  return undefined;
}

/** How many messages the body's message lists hold together (a lone message counts one). */
export function messageCount(body: Record<string, unknown>): number {
  return MESSAGE_LISTS.reduce((count, field) => count + (Array.isArray(body[field]) ? (body[field] as unknown[]).length : 0), 0);
}

function checkContent(content: unknown, where: string): Problem {
  if (typeof content === 'string') return undefined;
  if (!Array.isArray(content)) return `${where}: must be a string or a list of parts`;
  for (const [index, part] of content.entries()) {
    if (!part || typeof part !== 'object' || Array.isArray(part)) return `${where}[${index}]: must be an object with a type`;
    const { type, text } = part as { type?: unknown; text?: unknown };
    if (typeof type !== 'string') return `${where}[${index}].type: must be a string such as "text" or "image"`;
    if (type === 'text' && typeof text !== 'string') return `${where}[${index}].text: must be a string`;
  }
  return undefined;
}

function checkMessage(message: unknown, where: string): Problem {
  if (typeof message === 'string') return undefined;
  if (!message || typeof message !== 'object' || Array.isArray(message)) return `${where}: must be a string or a message object`;
  const { role, content, parts, contents, experimental_attachments: attachments } = message as Record<string, unknown>;
  if (role === undefined && contents !== undefined) return checkContent(contents, `${where}.contents`); // Studio's form
  if (typeof role !== 'string' || !ROLES.includes(role)) return `${where}.role: must be one of ${ROLES.join(', ')}`;
  if (content === undefined && parts === undefined) return `${where}: needs content (a string or a list of parts)`;
  if (parts !== undefined && !Array.isArray(parts)) return `${where}.parts: must be a list of parts`;
  const problem = content !== undefined ? checkContent(content, `${where}.content`) : checkContent(parts, `${where}.parts`);
  if (problem) return problem;
  if (content !== undefined && parts !== undefined) {
    const partsProblem = checkContent(parts, `${where}.parts`);
    if (partsProblem) return partsProblem;
  }
  if (attachments !== undefined && !Array.isArray(attachments)) return `${where}.experimental_attachments: must be a list`;
  return undefined;
}

/** The first problem with an agent request's messages, in words a caller can act on; undefined if none. */
export function agentBodyProblem(body: Record<string, unknown>): Problem {
  // instructions / system: a caller may override the agent's system prompt (a Mastra option) with the same forms.
  for (const field of ['messages', 'message', 'instructions', 'system', 'context'] as const) {
    const value = body[field];
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0 && (field === 'messages' || field === 'message')) {
      return `${field}: is empty; send at least one message`;
    }
    const list = Array.isArray(value) ? value : [value];
    for (const [index, message] of list.entries()) {
      const problem = checkMessage(message, Array.isArray(value) ? `${field}[${index}]` : field);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** Everything this guard refuses in a parsed body, first problem first. */
export function bodyProblem(path: string, text: string, body: Record<string, unknown>, allowedPrefixes: readonly string[] = []): Problem {
  if (jsonDepth(text) > MAX_BODY_DEPTH) return `the body is nested deeper than ${MAX_BODY_DEPTH} levels`;
  const count = messageCount(body);
  if (count > MAX_MESSAGES) return `${count} messages in one request; send at most ${MAX_MESSAGES} (memory keeps the history)`;
  return (AGENT_ROUTE.test(path) ? agentBodyProblem(body) : undefined) ?? mediaProblem(body, allowedPrefixes);
}

export function requestGuard({ allowedMediaUrlPrefixes = [] }: { allowedMediaUrlPrefixes?: readonly string[] } = {}): Middleware {
  return {
    path: '*',
    handler: async (c, next) => {
      if (!BODY_METHODS.has(c.req.method) || !isApiPath(c.req.path) || allowedRoute(c.req.method, c.req.path)) return next();
      const body = await readBody(c.req.raw);
      if (body.tooLarge) return refuse(c, 413, `the body is larger than ${BODY_LIMIT_BYTES} bytes`);
      if (body.malformed) return refuse(c, 400, 'the body is not valid JSON');
      const problem = bodyProblem(c.req.path, body.text, body.json, allowedMediaUrlPrefixes);
      return problem ? refuse(c, 400, problem) : next();
    },
  };
}
