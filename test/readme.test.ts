// The README and docs/ cannot drift from the code: every code block that shows project code is the
// source it names (whole, or an excerpt whose lines appear in it in order), and the commands,
// variables, files, folders and pages they name exist. Each failure says what to change. The checks that
// only make sense for this repository as a template are in test/template/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { appVariableNames } from '../src/settings/app-env.ts';
import { ENV_VARIABLES } from '../src/settings/env.ts';
import { codeBlocks, docPages, namedPaths, pathExists } from './helpers/docs.ts';
import { PROJECT_ROOT as ROOT } from './helpers/project-files.ts';
import { newWorkDir } from './helpers/run-script.ts';

const pages = docPages();
const readme = pages.find(([page]) => page === 'README.md')![1];
const blocks = codeBlocks(pages);
const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
const MAX_README_LINES = 200;

describe('code blocks in the README and docs/', () => {
  it.each(
    blocks.filter((block) => block.kind === 'snippet' && block.name.includes('/')).map((block) => [block.page, block.name, block.body]),
  )('%s: snippet %s is the whole source file', (page, file, body) => {
    expect(
      existsSync(join(ROOT, file)),
      `${page} shows \`<!-- snippet: ${file} -->\`, which does not exist: fix the path or drop the block`,
    ).toBe(true);
    expect(body, `${page}: the snippet of ${file} differs from the file: paste the file's current text into the block`).toBe(
      readFileSync(join(ROOT, file), 'utf8'),
    );
  });

  it.each(blocks.filter((block) => block.kind === 'excerpt').map((block) => [block.page, block.name, block.body]))(
    '%s: excerpt of %s appears in the source, in order',
    (page, file, body) => {
      expect(
        existsSync(join(ROOT, file)),
        `${page} shows \`<!-- excerpt: ${file} -->\`, which does not exist: fix the path or drop the block`,
      ).toBe(true);
      const source = lines(readFileSync(join(ROOT, file), 'utf8'));
      let at = 0;
      for (const line of lines(body)) {
        at = source.indexOf(line, at);
        expect(
          at,
          `${page}: this excerpt line is not in ${file} (or not in the same order): copy it again from the source\n  ${line}`,
        ).toBeGreaterThanOrEqual(0);
      }
    },
  );

  it('every TypeScript block is checked: a snippet, an excerpt, or an example a test runs', () => {
    for (const [page, text] of pages) {
      const tsBlocks = (text.match(/```ts\n/g) ?? []).length;
      const checked = blocks.filter((block) => block.page === page && block.language === 'ts').length;
      expect(
        tsBlocks,
        `${page} has a \`\`\`ts block with no \`<!-- snippet|excerpt|example: ... -->\` line right above it: add one naming the source it shows`,
      ).toBe(checked);
    }
  });
});

describe('README and docs/ references', () => {
  it(`the README is a front page: at most ${MAX_README_LINES} lines`, () => {
    const count = readme.split('\n').length;
    expect(count, `README.md has ${count} lines: move detail into a page under docs/ and link to it`).toBeLessThanOrEqual(MAX_README_LINES);
  });

  // These three list every offender at once, so one run shows all there is to fix.
  it('name only npm scripts that exist', () => {
    const problems: string[] = [];
    for (const [page, text] of pages) {
      for (const [, run, lifecycle] of text.matchAll(/\bnpm (?:run ([\w:-]+)|(test|start)\b)/g)) {
        const script = run ?? lifecycle!;
        if (!(script in packageJson.scripts))
          problems.push(`${page} names \`npm run ${script}\`, which package.json's "scripts" lacks: add it or fix the page`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('link only to pages that exist', () => {
    const problems: string[] = [];
    for (const [page, text] of pages) {
      for (const [, target] of text.matchAll(/\]\(((?!https?:)[^)#\s]+)(#[^)]*)?\)/g)) {
        if (!existsSync(join(ROOT, dirname(page), target!)))
          problems.push(`${page} links to ${target}, which does not exist: fix or drop the link`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('document every environment variable, as does .env.example', () => {
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    for (const variable of ENV_VARIABLES) {
      expect(readme, `README.md's variables table has no row \`| \\\`${variable}\\\` | default | what it does |\`: add one`).toContain(
        `| \`${variable}\` |`,
      );
      expect(example, `.env.example has no line \`${variable}=\` (empty, with a comment above): add one`).toMatch(
        new RegExp(`^${variable}=$`, 'm'),
      );
    }
    // The product's own variables (src/settings/app-env.ts) are documented in .env.example only.
    for (const variable of appVariableNames()) {
      expect(
        example,
        `.env.example has no line \`${variable}=\` (empty, with a comment above): add one under "Your product's own variables"`,
      ).toMatch(new RegExp(`^${variable}=$`, 'm'));
    }
  });

  it('name only files and folders that exist (paths under src/, scripts/, test/, bench/, docs/, web/ in inline code)', () => {
    const problems = namedPaths(pages)
      .filter(({ path }) => !pathExists(path))
      .map(({ page, line, path }) => `${page}:${line} names \`${path}\`, which does not exist: fix the path, or drop what names it`);
    expect(problems).toEqual([]);
  });

  it('gives .ci/run the same test command as the quickstart', () => {
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    expect(readme, 'README.md shows no `npm test` line of its own: the quickstart names the command .ci/run runs').toContain(
      '\nnpm test\n',
    );
    expect(ci, '.ci/run must install from the lockfile with a line starting `npm ci`').toMatch(/^npm ci\b/m);
    expect(ci, ".ci/run must run the README's test command, `npm test`, on a line of its own").toMatch(/^npm test$/m);
  });
});

// The path check itself, on a project of its own: what a fork's deletions and renames leave behind.
describe('the docs path check', () => {
  it('finds the project paths in inline code, with their lines, and none in fenced blocks', () => {
    const page = [
      'Edit `src/agents/assistant-agent.ts`, then `rm -r test/template`.',
      '```bash',
      'npx vitest run test/chat.test.ts',
      '```',
      'Not `node_modules/x/src/y.ts` or `https://example.com/docs/a.md`; see `docs/chat.md`.',
    ].join('\n');
    expect(namedPaths([['docs/guide.md', page]])).toEqual([
      { page: 'docs/guide.md', line: 1, path: 'src/agents/assistant-agent.ts' },
      { page: 'docs/guide.md', line: 1, path: 'test/template' },
      { page: 'docs/guide.md', line: 5, path: 'docs/chat.md' },
    ]);
  });

  it('takes a file or folder that exists, a pattern with a match, a file still to write in a folder that exists, and build output', () => {
    const root = newWorkDir();
    mkdirSync(join(root, 'src', 'tools'), { recursive: true });
    writeFileSync(join(root, 'src', 'tools', 'calculator-tool.ts'), '');
    mkdirSync(join(root, 'web'));
    const present = [
      'src/tools/calculator-tool.ts',
      'src/tools/',
      'src/tools/calculator*.ts',
      'src/**/*.ts',
      'src/tools/<name>-tool.ts',
      'web/dist',
      'web/dist/index.html',
    ];
    expect(present.filter((path) => !pathExists(path, root))).toEqual([]);
  });

  it('refuses a deleted or renamed file or folder, a pattern with no match, and a folder that is gone with its build output', () => {
    const root = newWorkDir();
    mkdirSync(join(root, 'src', 'tools'), { recursive: true });
    writeFileSync(join(root, 'src', 'tools', 'weather-lookup-tool.ts'), '');
    const gone = [
      'src/tools/calculator-tool.ts',
      'test/template/',
      'src/tools/calculator*.ts',
      'bench/**/*.ts',
      'src/workflows/<name>.ts',
      'web/dist',
      'web/dist/index.html',
    ];
    expect(gone.filter((path) => pathExists(path, root))).toEqual([]);
  });
});
