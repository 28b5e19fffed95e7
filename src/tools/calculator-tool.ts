// The agent's one tool: deterministic arithmetic, so every trace that asks for a sum shows a tool-call span.
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import { evaluateExpression, formatNumber } from './calculator.ts';

export const calculatorTool = createTool({
  id: 'calculator',
  description:
    'Evaluates an arithmetic expression exactly. Supports + - * / % ^ and parentheses, e.g. "(12.5 + 7) * 3". ' +
    'Use it for every calculation instead of doing arithmetic yourself.',
  inputSchema: z.object({
    expression: z.string().describe('The arithmetic expression, e.g. "17 * 23"'),
  }),
  outputSchema: z.object({
    expression: z.string(),
    result: z.string().optional(),
    error: z.string().optional(),
  }),
  execute: async ({ expression }) => {
    try {
      return { expression, result: formatNumber(evaluateExpression(expression)) };
    } catch (error) {
      // Returned, not thrown: the model can then tell the user what was wrong with the expression.
      return { expression, error: error instanceof Error ? error.message : String(error) };
    }
  },
});
