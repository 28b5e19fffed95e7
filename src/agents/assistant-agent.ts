// The demo agent: instructions, its calculator tool, and memory. The model is given (model.ts chooses
// it once for every agent); the registry (index.ts) lists this agent.
import { Agent } from '@mastra/core/agent';
import { Memory } from '@mastra/memory';
import { calculatorTool } from '../tools/calculator-tool.ts';
import type { AgentParts } from '../mastra/registry.ts';

export function createAssistantAgent({ model }: AgentParts) {
  // <string>: TypeScript checks the options against Agent's types rather than inferring its type
  // parameters from them, which takes seconds in every typecheck and editor.
  return new Agent<string>({
    id: 'assistant',
    name: 'Assistant',
    description: 'A concise general-purpose assistant with an exact calculator.',
    instructions: [
      'You are a helpful, concise assistant.',
      'Use the calculator tool for every arithmetic question, then state the result plainly.',
      'If you do not know something, say so rather than guessing.',
    ].join('\n'),
    model,
    tools: { calculator: calculatorTool },
    // Keeps each conversation's history, keyed by the memory thread (the conversation id) and resource
    // (the user id), in the storage of the Mastra instance the agent is registered with.
    memory: new Memory({ options: { lastMessages: 20 } }),
  });
}
