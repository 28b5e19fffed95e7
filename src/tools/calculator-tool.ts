// The demo agent's tool: exact arithmetic, so every trace that asks for a sum shows a tool-call span.
// A tool is one createTool() in one file; the agents that use it list it in their `tools`.
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import { ARITHMETIC, evaluateExpression, formatNumber } from './calculator.ts';

export const calculatorTool = createTool({
  id: 'calculator',
  description:
    'Evaluates an arithmetic expression exactly. Supports + - * / % ^ and parentheses, e.g. "(12.5 + 7) * 3". ' +
    'Use it for every calculation instead of doing arithmetic yourself.',
  inputSchema: z.object({
    // The pattern also tells the offline demo model which part of a message to pass (offline-model.ts).
    expression: z.string().regex(ARITHMETIC).describe('The arithmetic expression, e.g. "17 * 23"'),
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
