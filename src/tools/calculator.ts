// Exact arithmetic for the agent: models are unreliable at it, and a tool call makes the trace show one.
// A small recursive-descent parser, so no input is ever evaluated as code.

const MAX_EXPRESSION_LENGTH = 200;

/** Numbers joined by operators, e.g. "17 * 23" or "(2 + 3) ^ 2", anywhere in a text; a number alone does not count. */
export const ARITHMETIC = /[(\-+]*\s*(?:\d+(?:\.\d+)?|\.\d+)(?:\s*\)*\s*[-+*/%^×]\s*\(*\s*-?(?:\d+(?:\.\d+)?|\.\d+))+\s*\)*/;

/** Evaluates + - * (or ×) / % ^ and parentheses over decimal numbers; throws Error with a user-facing reason. */
export function evaluateExpression(expression: string): number {
  if (expression.length > MAX_EXPRESSION_LENGTH) throw new Error(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const tokens = (expression.match(/\d+(?:\.\d+)?|\.\d+|[-+*/%^×()]|\S/g) ?? []).map((token) => (token === '×' ? '*' : token));
  let position = 0;
  const peek = () => tokens[position];
  const take = () => tokens[position++];

  // expression := term (('+' | '-') term)*
  const parseExpression = (): number => {
    let value = parseTerm();
    while (peek() === '+' || peek() === '-') value = take() === '+' ? value + parseTerm() : value - parseTerm();
    return value;
  };
  // term := power (('*' | '/' | '%') power)*
  const parseTerm = (): number => {
    let value = parsePower();
    for (let op = peek(); op === '*' || op === '/' || op === '%'; op = peek()) {
      take();
      const right = parsePower();
      if ((op === '/' || op === '%') && right === 0) throw new Error('division by zero');
      value = op === '*' ? value * right : op === '/' ? value / right : value % right;
    }
    return value;
  };
  // power := unary ('^' power)?   (right-associative)
  const parsePower = (): number => {
    const base = parseUnary();
    if (peek() !== '^') return base;
    take();
    return base ** parsePower();
  };
  // unary := ('-' | '+') unary | number | '(' expression ')'
  const parseUnary = (): number => {
    const token = take();
    if (token === '-') return -parseUnary();
    if (token === '+') return parseUnary();
    if (token === '(') {
      const value = parseExpression();
      if (take() !== ')') throw new Error('missing closing parenthesis');
      return value;
    }
    if (token !== undefined && /^(\d|\.\d)/.test(token)) return Number(token);
    throw new Error(token === undefined ? 'expression ends too early' : `unexpected "${token}"`);
  };

  if (tokens.length === 0) throw new Error('expression is empty');
  const result = parseExpression();
  if (position < tokens.length) throw new Error(`unexpected "${tokens[position]}"`);
  if (!Number.isFinite(result)) throw new Error('result is too large');
  return result;
}

/** Rounds away binary floating-point noise (0.1 + 0.2 gives 0.3, not 0.30000000000000004). */
export function formatNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}
