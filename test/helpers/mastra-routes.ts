// Mastra's own route table (SERVER_ROUTES in @mastra/server), the one the built server registers, read
// at test time so a new Mastra version's routes are swept too. @mastra/server is not a dependency of
// this project: it comes with the Mastra CLI (mastra -> @mastra/deployer -> @mastra/server), so it is
// resolved along that chain, which works with npm's hoisted node_modules and pnpm's nested ones alike.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './project-files.ts';

export interface MastraRoute {
  method: string;
  path: string;
  requiresAuth?: boolean;
}

export async function mastraRoutes(): Promise<MastraRoute[]> {
  const fromProject = createRequire(join(PROJECT_ROOT, 'package.json'));
  const fromCli = createRequire(fromProject.resolve('mastra/package.json'));
  const fromDeployer = createRequire(fromCli.resolve('@mastra/deployer/package.json'));
  const { SERVER_ROUTES } = (await import(pathToFileURL(fromDeployer.resolve('@mastra/server/server-adapter')).href)) as {
    SERVER_ROUTES: MastraRoute[];
  };
  return SERVER_ROUTES;
}
