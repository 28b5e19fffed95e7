// Mastra's log lines through OneLineLogger: one line each, with no stack frames or file paths, even
// when Mastra puts the stack into the message itself (as its workflow step errors do).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OneLineLogger } from '../src/mastra/logger.ts';

afterEach(() => vi.restoreAllMocks());

function logged(write: (logger: OneLineLogger) => void): string {
  let output = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((output += String(chunk)), true));
  write(new OneLineLogger({ level: 'warn' }));
  return output;
}

describe('OneLineLogger', () => {
  it('drops the stack from a message that carries one', () => {
    const output = logged((logger) =>
      logger.error(
        "Error executing step prepare-memory-step: TypeError: Cannot use 'in' operator to search for 'content' in 5 at TypeDetector.isMastraDBMessage (file:///app/.mastra/output/node_modules/@mastra/core/dist/message-list.js:33:28) at async run (node:internal/process/task_queues:104:5)",
      ),
    );
    expect(output).toBe("Error executing step prepare-memory-step: TypeError: Cannot use 'in' operator to search for 'content' in 5\n");
  });

  it('keeps an error object to its name and message, on one line', () => {
    const error = new Error('storage is down\nsecond line');
    const output = logged((logger) => logger.error('Memory storage unavailable', error));
    expect(output).toBe('Memory storage unavailable: Error: storage is down second line\n');
    expect(output).not.toMatch(/ at |\.ts:\d+/);
  });
});
