// The agent the server tests call: its id, named once (the integrator points it at the agent registry).
export const DEMO_AGENT_ID = 'assistant';
