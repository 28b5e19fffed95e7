// The Mastra instance of the chat and the doctor, assembled for a short-lived process: the agents
// (createAgents, on the model chosen once), memory, Studio's trace file only if Studio created it (so no DuckDB
// otherwise), the Agnost export, and no server, no auth, no failure report (each script reports
// export failures in its own words, from the outcomes AgnostExporter publishes).
import type { Agent } from '@mastra/core/agent';
import { Mastra } from '@mastra/core/mastra';
import { secretsOf, type AppConfig } from '../settings/env.ts';
import { OneLineLogger } from '../mastra/logger.ts';
import { createObservability } from '../mastra/observability.ts';
import { createStorage } from '../mastra/storage.ts';

export async function createCliMastra(config: AppConfig, agents: Record<string, Agent>) {
  const { storage, traceStore, localTraces } = await createStorage(config, { localTraces: 'if-present' });
  const mastra = new Mastra({
    agents,
    storage,
    observability: createObservability(config, { localTraces: localTraces === 'kept' }),
    // Model errors are the scripts' to report, in one line with the fix (errors.ts).
    logger: new OneLineLogger({ level: 'warn', secrets: secretsOf(config), ignore: /Upstream LLM API error/ }),
  });
  return { mastra, traceStore, localTraces };
}
