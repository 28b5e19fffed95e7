// The web chat's page (`npm run build:web`: web/ into web/dist) for the test files that load it from the
// server on the tests' project, which serves web/dist as the product's server does. useWebBuild() builds
// it once per change of the page's sources (a hash kept in web/dist, which every build of the page
// empties) and otherwise reuses it, under the tests' one build lock (build.ts). A failed build says why:
// it timed out, or its own error.
import { join } from 'node:path';
import { beforeAll } from 'vitest';
import { BUILD_TIMEOUT_MS, stampedBuild } from './build.ts';
import { PROJECT_ROOT } from './project-files.ts';

// The lockfile too: the page bundles React and the AI SDK's client.
const INPUTS = ['web/src', 'web/index.html', 'web/vite.config.ts', 'web/tsconfig.json', 'package-lock.json'];

/** web/dist, up to date with the page's sources. */
export const ensureWebBuilt = stampedBuild(join(PROJECT_ROOT, 'web', 'dist'), {
  entry: 'index.html',
  inputs: INPUTS,
  command: ['npm', 'run', 'build:web'],
});

/** In a test file that loads the page: build it (or reuse the build) before the file's own beforeAll. */
export function useWebBuild(): void {
  beforeAll(ensureWebBuilt, BUILD_TIMEOUT_MS + 90_000);
}
