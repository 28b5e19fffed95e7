// The README cannot drift from the code: every code block that shows project code must equal the
// source it names, and the commands, variables and files it lists must exist.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { ENV_VARIABLES } from '../src/env.ts';
import { PROJECT_ROOT as ROOT, projectFiles } from './helpers/project-files.ts';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** `<!-- snippet: NAME -->` followed by a fenced block: [NAME, block body]. */
const snippets = [...readme.matchAll(/<!-- snippet: (\S+) -->\n```\w*\n([\s\S]*?)```/g)].map(
  ([, name, body]) => [name!, body!] as const,
);
const dependencies: Record<string, string> = { ...packageJson.dependencies, ...packageJson.devDependencies };

describe('README snippets', () => {
  it('exist', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(4);
  });

  it.each(snippets.filter(([name]) => name.includes('/')))('%s matches the source file', (file, body) => {
    expect(body).toBe(readFileSync(join(ROOT, file), 'utf8'));
  });

  it('install: every package@version is the one package.json pins', () => {
    const install = snippets.find(([name]) => name === 'install')?.[1] ?? '';
    const packages = [...install.matchAll(/(@?[\w./-]+)@(\d[\w.-]*)/g)];
    expect(packages.length).toBeGreaterThan(0);
    for (const [, name, version] of packages) expect(dependencies[name!], name).toBe(version);
  });

  it('every TypeScript block is a checked snippet', () => {
    const tsBlocks = readme.match(/```ts\n/g) ?? [];
    const checked = snippets.filter(([name]) => name.endsWith('.ts'));
    expect(tsBlocks.length).toBe(checked.length);
  });
});

describe('README references', () => {
  it('names only npm scripts that exist', () => {
    const named = [...readme.matchAll(/\bnpm (?:run ([\w:-]+)|(test|start)\b)/g)].map(([, run, lifecycle]) => run ?? lifecycle!);
    expect(named).toContain('chat');
    for (const script of new Set(named)) expect(packageJson.scripts, `npm run ${script}`).toHaveProperty(script);
  });

  it('documents every environment variable, as does .env.example', () => {
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    for (const variable of ENV_VARIABLES) {
      expect(readme, variable).toContain(`| \`${variable}\` |`);
      expect(example, variable).toMatch(new RegExp(`^${variable}=$`, 'm'));
    }
  });

  it('lists files that exist, and every source file', () => {
    const fileMap = readme.slice(readme.indexOf('## File map'), readme.indexOf('## Variables'));
    const listed = [...fileMap.matchAll(/`((?:src|scripts|test|bench)\/[\w./*-]+)`/g)].map(([, path]) => path!);
    for (const path of listed.filter((path) => !path.includes('*'))) expect(existsSync(join(ROOT, path)), path).toBe(true);
    for (const file of projectFiles('src', 'scripts')) {
      const name = file.split('/').pop()!;
      const covered = fileMap.includes(file) || fileMap.includes(`\`${name}\``) || file.startsWith('src/cli/');
      expect(covered, file).toBe(true);
    }
  });

  it('gives .ci/run the same test command as the quickstart', () => {
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    expect(readme).toContain('\nnpm test\n');
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
