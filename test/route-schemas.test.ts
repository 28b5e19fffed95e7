// The allowed routes' strict schemas (src/mastra/server/routes.ts) on their own: a request that fills
// every field each takes is accepted, and an unknown key at any depth of it is refused, naming its path.
// The same requests over HTTP, in both modes: hostile-requests.test.ts.
import { describe, expect, it } from 'vitest';
import { describeIssue } from '../src/mastra/server/request-schemas.ts';
import { ALLOWED_ROUTES } from '../src/mastra/server/routes.ts';
import { queriesWithUnknownKey, routeByKey, samples, withUnknownKeyAtEveryDepth } from './helpers/route-samples.ts';

const SAMPLES = samples('agent-1', 'user-1', 'conv-1');
const problemOf = (schema: (typeof ALLOWED_ROUTES)[number]['body'], value: unknown, where = '') => {
  const result = schema.safeParse(value);
  return result.success ? undefined : describeIssue(result.error.issues[0]!, value, where);
};

it('has a full request for every allowed route', () => {
  expect(Object.keys(SAMPLES).sort()).toEqual(ALLOWED_ROUTES.map(({ method, path }) => `${method} ${path}`).sort());
});

describe.each(Object.entries(SAMPLES))('%s', (key, sample) => {
  const route = routeByKey(key);

  it('accepts the request that fills every field', () => {
    expect(problemOf(route.query, sample.query, 'query')).toBeUndefined();
    expect(problemOf(route.body, sample.body ?? {})).toBeUndefined();
  });

  it('refuses an unknown key at every depth of its body and query, naming where', () => {
    const bodies = withUnknownKeyAtEveryDepth(sample.body ?? {});
    expect(bodies.length).toBeGreaterThan(0);
    for (const [where, body] of bodies) expect(problemOf(route.body, body), where).toBe(`${where}: not accepted here`);
    for (const [where, query] of queriesWithUnknownKey(sample.query)) {
      expect(problemOf(route.query, query, 'query'), where).toBe(`${where}: not accepted here`);
    }
  });
});

it('names the field of a wrong value in a line a caller can act on', () => {
  const generate = routeByKey('POST /agents/:agentId/generate');
  expect(problemOf(generate.body, {})).toBe('messages: is required');
  expect(problemOf(generate.body, { messages: [{ role: 'user', content: 5 }] })).toBe(
    'messages[0].content: must be a text or a list of parts',
  );
  expect(problemOf(generate.body, { messages: 'hi', maxSteps: 'many' })).toBe('maxSteps: expected number, received string');
  expect(problemOf(generate.body, { messages: 'hi', memory: { thread: 'has spaces' } })).toBe(
    'memory.thread: use 1 to 128 printable characters without spaces',
  );
});
