// The Mastra instance: the agent, its storage, and observability (see observability.ts).
import { Mastra } from '@mastra/core/mastra';
import { assistantAgent } from '../agents/assistant-agent.ts';
import { flushPerRequest } from './flush-per-request.ts';
import { OneLineLogger } from './logger.ts';
import { observability } from './observability.ts';
import { requestIds } from './request-ids.ts';
import { storage } from './storage.ts';

export const mastra = new Mastra({
  agents: { assistantAgent },
  storage,
  observability,
  // PORT is honoured (default 4111). requestIds threads x-user-id / x-conversation-id into traces and memory.
  server: { middleware: [requestIds, flushPerRequest] },
  // Warnings and errors only, one line each on stderr: stdout stays for the answers (and --json output).
  logger: new OneLineLogger({ level: 'warn' }),
});
