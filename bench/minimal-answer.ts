// The cold-start baseline: import Mastra, answer once with the offline model, exit. No storage,
// memory, observability or CLI.
import { Agent } from '@mastra/core/agent';
import { Mastra } from '@mastra/core/mastra';
import { createOfflineModel } from '../src/agents/offline-model.ts';

const agent = new Agent({ id: 'minimal', name: 'Minimal', instructions: 'Answer.', model: createOfflineModel() });
const mastra = new Mastra({ agents: { agent } });
const result = await mastra.getAgent('agent').generate('hello');
process.stdout.write(`${result.text}\n`);
process.exit(0);
