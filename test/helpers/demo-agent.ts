// The demo agent's key in the Mastra instance (src/mastra/index.ts), named here once for the tests.
export const DEMO_AGENT_ID = 'assistantAgent';
