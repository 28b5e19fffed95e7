// The README and docs/ cannot drift from the code: every code block that shows project code is the
// source it names (whole, or an excerpt whose lines appear in it in order), and the commands,
// variables, files and pages they name exist.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { ENV_VARIABLES } from '../src/settings/env.ts';
import { PROJECT_ROOT as ROOT, projectFiles } from './helpers/project-files.ts';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const pages = ['README.md', ...projectFiles('docs').filter((file) => file.endsWith('.md'))].map(
  (file) => [file, readFileSync(join(ROOT, file), 'utf8')] as const,
);

/** `<!-- KIND: NAME -->` followed by a fenced block: [page, kind, NAME, block body, block language]. */
const blocks = pages.flatMap(([page, text]) =>
  [...text.matchAll(/<!-- (snippet|excerpt|example): (\S+) -->\n```(\w*)\n([\s\S]*?)```/g)].map(
    ([, kind, name, language, body]) => [page, kind!, name!, body!, language!] as const,
  ),
);
const lines = (text: string) => text.split('\n').map((line) => line.trim()).filter(Boolean);
const dependencies: Record<string, string> = { ...packageJson.dependencies, ...packageJson.devDependencies };

describe('code blocks in the README and docs/', () => {
  it.each(blocks.filter(([, kind, name]) => kind === 'snippet' && name.includes('/')))('%s: %s %s is the whole source file', (_page, _kind, file, body) => {
    expect(body).toBe(readFileSync(join(ROOT, file), 'utf8'));
  });

  it.each(blocks.filter(([, kind]) => kind === 'excerpt'))('%s: %s of %s appears in the source, in order', (_page, _kind, file, body) => {
    const source = lines(readFileSync(join(ROOT, file), 'utf8'));
    let at = 0;
    for (const line of lines(body)) {
      at = source.indexOf(line, at);
      expect(at, line).toBeGreaterThanOrEqual(0);
    }
  });

  it('every TypeScript block is checked: a snippet, an excerpt, or an example a test runs', () => {
    for (const [page, text] of pages) {
      const tsBlocks = text.match(/```ts\n/g) ?? [];
      expect(tsBlocks.length, page).toBe(blocks.filter(([where, , , , language]) => where === page && language === 'ts').length);
    }
  });

  it("the example app is the one test/template/copy-into-app.test.ts runs", () => {
    const test = readFileSync(join(ROOT, 'test', 'template', 'copy-into-app.test.ts'), 'utf8');
    expect(blocks.filter(([, kind]) => kind === 'example').map(([, , name]) => name)).toEqual(['app']);
    expect(test).toContain('<!-- example: app -->');
  });

  it('install: each package is a range (^ or ~) whose lowest version is the one this project installs', () => {
    const install = blocks.find(([, , name]) => name === 'install')?.[3] ?? '';
    const packages = [...install.matchAll(/(@?[\w./-]+)@([\^~])(\d[\w.-]*)/g)];
    expect(packages.length).toBe(install.split(' ').length - 2);
    for (const [, name, , version] of packages) {
      const installed = JSON.parse(readFileSync(join(ROOT, 'node_modules', name!, 'package.json'), 'utf8')) as { version: string };
      expect(dependencies[name!] ?? installed.version, name).toBe(version);
    }
  });
});

describe('README and docs/ references', () => {
  it('the README is a front page: at most 200 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
  });

  it('name only npm scripts that exist', () => {
    const named = pages.flatMap(([, text]) => [...text.matchAll(/\bnpm (?:run ([\w:-]+)|(test|start)\b)/g)].map(([, run, lifecycle]) => run ?? lifecycle!));
    expect(named).toContain('chat');
    for (const script of new Set(named)) expect(packageJson.scripts, `npm run ${script}`).toHaveProperty(script);
  });

  it('link only to pages that exist', () => {
    for (const [page, text] of pages) {
      for (const [, target] of text.matchAll(/\]\(((?!https?:)[^)#\s]+)(#[^)]*)?\)/g)) {
        expect(existsSync(join(ROOT, dirname(page), target!)), `${page} -> ${target}`).toBe(true);
      }
    }
  });

  it('document every environment variable, as does .env.example', () => {
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    for (const variable of ENV_VARIABLES) {
      expect(readme, variable).toContain(`| \`${variable}\` |`);
      expect(example, variable).toMatch(new RegExp(`^${variable}=$`, 'm'));
    }
  });

  it('"Where things live" names paths that exist, and every folder that holds source', () => {
    const map = readme.slice(readme.indexOf('## Where things live'), readme.indexOf('## Where next'));
    const listed = [...map.matchAll(/`((?:src|scripts|test|bench)\b[\w./-]*)`/g)].map(([, path]) => path!);
    for (const path of listed) expect(existsSync(join(ROOT, path)), path).toBe(true);
    for (const file of projectFiles('src', 'scripts', 'bench')) {
      const place = /^src\/[^/]+$/.test(file) ? file : `${dirname(file)}/`; // a folder, or a file at the top of src/
      expect(map.includes(`\`${place}\``), `${file}: name \`${place}\` in the README's "Where things live"`).toBe(true);
    }
  });

  it('gives .ci/run the same test command as the quickstart', () => {
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    expect(readme).toContain('\nnpm test\n');
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
