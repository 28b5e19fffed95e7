// vitest globalSetup: `npm run build` once before the test files that run the built server.
import { buildProject } from './server.ts';

export function setup(): void {
  buildProject();
}
