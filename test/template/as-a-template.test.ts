// What `npx create-mastra --template <repo-url>` checks, and what `npx degit` needs: a repo that
// works as a copy, with no git hooks and no paths that assume the original clone.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { PROJECT_ROOT as ROOT, projectFiles } from '../helpers/project-files.ts';

const files = projectFiles();

describe('as a Mastra template', () => {
  it('depends on @mastra/core', () => {
    expect(packageJson.dependencies, 'create-mastra --template refuses a repository without @mastra/core in "dependencies"').toHaveProperty(
      '@mastra/core',
    );
  });

  it('exports the Mastra instance the way create-mastra looks for it', () => {
    expect(
      readFileSync(join(ROOT, 'src/mastra/index.ts'), 'utf8'),
      'src/mastra/index.ts must say `export const mastra = new Mastra(`, as create-mastra looks for it',
    ).toContain('export const mastra = new Mastra(');
  });

  it('has no git hooks or install-time scripts of its own', () => {
    const scripts: Record<string, string> = packageJson.scripts;
    for (const hook of ['prepare', 'preinstall', 'install', 'postinstall']) {
      expect(scripts, `package.json's "${hook}" script runs in every copy at install: drop it`).not.toHaveProperty(hook);
    }
    expect(existsSync(join(ROOT, '.husky'))).toBe(false);
    expect(files.some((file) => file.startsWith('.githooks/') || file.startsWith('.husky/'))).toBe(false);
  });

  it('holds no absolute paths from the original clone', () => {
    for (const file of files.filter((file) => /\.(ts|json|md|example)$/.test(file) && file !== 'package-lock.json')) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      expect(text, `${file} holds an absolute path from this machine: make it relative to the project`).not.toMatch(
        /\/(work|home|Users|root)\/[\w.-]+\//,
      );
    }
  });
});
