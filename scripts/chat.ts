// npm run chat: the chat (src/cli/chat.ts) on this product's agents and workflows (src/project.ts).
// package.json starts it with two flags for a quick start: Node's compile cache on before any TypeScript
// loads (scripts/compile-cache.js) and a small young generation (--max-semi-space-size=8: less peak
// memory, no slower; see BENCHMARKS.md).
import { runChat } from '../src/cli/chat.ts';

await runChat(() => import('../src/project.ts').then((module) => module.project), process.argv.slice(2));
