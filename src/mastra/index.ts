// The entry point `mastra dev`, `mastra build` and `mastra start` load: the server's Mastra instance.
// What it is made of (agents, workflows, storage, observability, middleware, auth) is in assembly.ts,
// which the chat and the doctor use too. A bad setting stops the start with one line (exit 2).
import { Mastra } from '@mastra/core/mastra';
import { project } from '../project.ts';
import { loadConfigOrExit } from '../settings/config.ts';
import { assemble } from './assembly.ts';

const assembly = await assemble(loadConfigOrExit(), { mode: 'server', project });

export const mastra = new Mastra(assembly.options);

assembly.wire(mastra);
