// The README and docs/ cannot drift from the code: every code block that shows project code is the
// source it names (whole, or an excerpt whose lines appear in it in order), and the commands,
// variables, folders and pages they name exist. Each failure says what to change. The checks that
// only make sense for this repository as a template are in test/template/.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { appVariableNames } from '../src/settings/app-env.ts';
import { ENV_VARIABLES } from '../src/settings/env.ts';
import { codeBlocks, docPages } from './helpers/docs.ts';
import { PROJECT_ROOT as ROOT } from './helpers/project-files.ts';

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

  it("name only folders that exist (the README's paths under src/, scripts/, test/, bench/, docs/, web/)", () => {
    const named = [...readme.matchAll(/`((?:src|scripts|test|bench|docs|web)\/[^`\s]*)`/g)].map(([, path]) => path!);
    const problems: string[] = [];
    for (const path of named) {
      // A path may name a file still to be written (`src/tools/<name>-tool.ts`): only its folder must exist.
      const folder = path.endsWith('/') ? path.slice(0, -1) : dirname(path);
      const exists = existsSync(join(ROOT, folder)) && statSync(join(ROOT, folder)).isDirectory();
      if (!exists) problems.push(`README.md names \`${path}\`, but there is no folder ${folder}/: fix the path in README.md`);
    }
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
