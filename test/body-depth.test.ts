// jsonDepth (src/mastra/server/request-guard.ts), which the gate and the guard use to refuse a body
// nested deeper than MAX_BODY_DEPTH before anything walks it: the depth it reads from the text is the
// nesting of the value JSON.parse makes of it, whatever the strings hold (brackets, quotes, escapes).
import { describe, expect, it } from 'vitest';
import { jsonDepth } from '../src/mastra/server/request-guard.ts';

/** The nesting of arrays and objects in a parsed value. */
function depthOf(value: unknown): number {
  if (!value || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

/** Strings made to trip a scanner: brackets, quotes, backslashes, in every order. */
const TRICKY = ['', '{', ']', '"', '\\', '\\"', '"\\', '\\\\', '\\\\"', '{"a":[1]}', '[[[[', '}}]]', 'a"b\\"c\\\\"d', '\u2028{'];

describe('jsonDepth', () => {
  it('reads the depth of the parsed value, whatever its strings hold', () => {
    for (const text of TRICKY) {
      for (const value of [text, [text], { [text]: text }, { a: [text, { b: [text] }] }, [[text], { c: { [text]: [[]] } }]]) {
        const json = JSON.stringify(value);
        expect(jsonDepth(json), json).toBe(depthOf(value));
      }
    }
  });

  it('counts a body 5000 deep, and a long text as one level', () => {
    expect(jsonDepth(`{"messages":${'['.repeat(5000)}${']'.repeat(5000)}}`)).toBe(5001);
    expect(jsonDepth(JSON.stringify({ messages: [{ role: 'user', content: `${'{['.repeat(100_000)}"\\` }] }))).toBe(3);
  });

  it('stops at a string that never ends, counting what came before it', () => {
    expect(jsonDepth('{"a":[["b')).toBe(3);
    expect(jsonDepth('[["a\\"]]]')).toBe(2);
  });
});
