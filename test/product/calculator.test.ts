import { describe, expect, it } from 'vitest';
import { ARITHMETIC, evaluateExpression, formatNumber } from '../../src/tools/calculator.ts';

describe('evaluateExpression', () => {
  it.each([
    ['17 * 23', 391],
    ['(12.5 + 7) * 3', 58.5],
    ['2 ^ 3 ^ 2', 512], // right-associative
    ['-4 + 10 / 4', -1.5],
    ['10 % 4', 2],
    ['2^-1', 0.5],
    ['.5 + .25', 0.75],
    ['6 × 7', 42],
  ])('%s = %d', (expression, result) => {
    expect(evaluateExpression(expression)).toBe(result);
  });

  it.each([
    ['1 / 0', 'division by zero'],
    ['(1 + 2', 'missing closing parenthesis'],
    ['2 +', 'expression ends too early'],
    ['2 + abc', 'unexpected "a"'],
    ['process.exit()', 'unexpected "p"'],
    ['', 'expression is empty'],
    ['9 ^ 9 ^ 9', 'result is too large'],
    ['1+'.repeat(150), 'longer than 200 characters'],
  ])('%j is rejected: %s', (expression, reason) => {
    expect(() => evaluateExpression(expression)).toThrow(reason);
  });

  it('formats away floating-point noise', () => {
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
  });
});

// The tool's input pattern: the offline demo model passes the part of a message that matches it.
describe('ARITHMETIC (the expression in a message)', () => {
  it.each([
    ['What is 17 * 23?', '17 * 23'],
    ['please compute (2 + 3) * 4 for me', '(2 + 3) * 4'],
    ['what is 6 × 7', '6 × 7'],
  ])('%j -> %j', (message, expression) => {
    expect(message.match(ARITHMETIC)?.[0].trim()).toBe(expression);
  });

  it.each(['hello there', 'I have 3 cats and 2 dogs', 'version 24'])('%j has no arithmetic', (message) => {
    expect(message.match(ARITHMETIC)).toBeNull();
  });
});
