// The README's section for adding Agnost to another app: its install line takes ranges that start at
// the versions this project runs, and its example app is the one a test builds and runs (copy-into-app.test.ts).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { codeBlocks, docPages } from '../helpers/docs.ts';
import { PROJECT_ROOT, projectFiles } from '../helpers/project-files.ts';

const blocks = codeBlocks(docPages());
const dependencies: Record<string, string> = { ...packageJson.dependencies, ...packageJson.devDependencies };
const SECTION = 'the README\'s section "Add Agnost to your own Mastra app"';
const OR_DELETE = 'or, for a product that does not ship it, delete test/template (see test/template/README.md)';

/** The package.json of `name` as Node resolves it from `from` (a file), found above its entry point. */
function packageJsonOf(name: string, from: string): string | undefined {
  let entry: string;
  try {
    entry = createRequire(from).resolve(name);
  } catch {
    return undefined;
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === name) return file;
  }
  return undefined;
}

/**
 * The installed version of `name`: from the project, else from the package that uses it, as Node
 * finds it (pnpm keeps a package the project only overrides, such as @opentelemetry/api, out of the
 * top of node_modules, beside @mastra/otel-exporter's own files instead).
 */
function installedVersion(name: string): string | undefined {
  const project = join(PROJECT_ROOT, 'package.json');
  const users = Object.keys(dependencies).flatMap((dependency) => packageJsonOf(dependency, project) ?? []);
  const file = [project, ...users].map((from) => packageJsonOf(name, from)).find(Boolean);
  return file && (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

describe("the README's example for another app", () => {
  it('install: each package is a range (^ or ~) that starts at the version this project installs', () => {
    const install = blocks.find((block) => block.kind === 'snippet' && block.name === 'install');
    expect(install, `no \`<!-- snippet: install -->\` block: restore it in ${SECTION}, ${OR_DELETE}`).toBeDefined();
    const named = install!.body.split(/\s+/).filter((word) => /^@?[\w./-]+@/.test(word));
    expect(named.length, 'the install block names no package: list each package it installs, with a range').toBeGreaterThan(0);
    for (const word of named) {
      const [, name, range, version] = word.match(/^(@?[\w./-]+)@([\^~]?)(\d[\w.-]*)$/) ?? [];
      // A range never downgrades an app that already has a newer version; an exact pin would.
      expect(range, `the install line has ${word}: write it as ${name ?? word}@^<version> (or ~), so it never downgrades an app`).toMatch(
        /^[\^~]$/,
      );
      const installed = dependencies[name!] ?? installedVersion(name!);
      expect(installed, `the install line names ${name}, which is not installed: install it or drop it from the line`).toBeDefined();
      expect(installed, `the install line starts ${name} at ${version}: make it the version this project installs`).toBe(version);
    }
  });

  it('the example app is the one a test runs', () => {
    const examples = blocks.filter((block) => block.kind === 'example');
    expect(
      examples.map((block) => block.name),
      `one \`<!-- example: app -->\` block is expected, in ${SECTION}: restore it, ${OR_DELETE}`,
    ).toEqual(['app']);
    const marker = `<!-- example: ${examples[0]!.name} -->`;
    const runners = projectFiles('test').filter((file) => file.endsWith('.test.ts') && !file.endsWith('readme-example.test.ts'));
    const runner = runners.find((file) => readFileSync(join(PROJECT_ROOT, file), 'utf8').includes(marker));
    expect(
      runner,
      `no test reads the README's ${marker} block: the copy-into-app test builds an app from it; restore it, ${OR_DELETE}`,
    ).toBeDefined();
  });
});
