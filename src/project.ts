// This product: its agents and workflows. The server (src/mastra/index.ts), Studio, the chat and the
// doctor assemble it (src/mastra/assembly.ts); the template's tests assemble their own fixtures instead.
import type { Project } from './mastra/assembly.ts';
import { AGENTS } from './agents/index.ts';
import { WORKFLOWS } from './workflows/index.ts';

export const project: Project = { agents: AGENTS, workflows: WORKFLOWS };
