// The entry point `mastra dev`, `mastra build` and `mastra start` load: the server's Mastra instance.
// What it is made of (agents, workflows, storage, observability, middleware, auth) is in assembly.ts,
// which the chat and the doctor use too. A bad setting stops the start with one line (exit 2).
import { Mastra } from '@mastra/core/mastra';
import { loadConfigOrExit } from '../settings/config.ts';
import { assemble } from './assembly.ts';

const project = await assemble(loadConfigOrExit(), { mode: 'server' });

export const mastra = new Mastra(project.options);

project.wire(mastra);
