// The project's own files, read from the folder rather than from git: a copy made with `npx degit` or
// `create-mastra --template` has no .git, and its tests must pass all the same.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

// What .gitignore keeps out of the repository: installs, build output, local databases, env files.
const GENERATED = /(^|\/)(node_modules|\.git|\.mastra|dist|coverage)$|\.(db|duckdb)(-\w+|\.wal)?$|(^|\/)\.env(?!\.example$)(\.|$)/;

/** Whether a path relative to the project root is one of those (web/dist, a database), not a project file. */
export const isGenerated = (path: string) => GENERATED.test(path);

/** Paths relative to the project root, below `folders` (the whole project by default), sorted. */
export function projectFiles(...folders: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const relativePath = relative(PROJECT_ROOT, path);
      if (isGenerated(relativePath)) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(relativePath);
    }
  };
  for (const folder of folders.length > 0 ? folders : ['.']) walk(join(PROJECT_ROOT, folder));
  return files.sort();
}
