// The Mastra instance: the agent, its storage, and observability (see observability.ts).
import { ConsoleLogger } from '@mastra/core/logger';
import { Mastra } from '@mastra/core/mastra';
import { assistantAgent } from '../agents/assistant-agent.ts';
import { observability } from './observability.ts';
import { storage } from './storage.ts';

export const mastra = new Mastra({
  agents: { assistantAgent },
  storage,
  observability,
  // Warnings and errors only, on stderr: stdout stays for the agent's answers (and --json output).
  logger: new ConsoleLogger({ name: 'Mastra', level: 'warn' }),
});
