// A product that drops the web chat: `rm -r web`, or `git rm -r web`, which leaves the git-ignored build
// (web/dist) behind. Whether the page is there is asked of its sources (web/index.html), by package.json's
// scripts and by the server alike, so neither tries to typecheck, build or serve a page that is gone.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { hasWebChat } from '../src/mastra/server/web-chat.ts';
import { newWorkDir } from './helpers/run-script.ts';

/** A project folder whose web/ holds only `files`. */
function projectWith(files: string[]): string {
  const dir = newWorkDir();
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), '');
  }
  return dir;
}

const SCRIPTS = ['dev', 'build', 'typecheck'] as const;
const scripts: Record<string, string> = packageJson.scripts;

/** Whether the script's part for the page runs in `dir`: its guard, `[ ... ] || <the page's part>`, run by sh. */
function runsThePagePart(script: (typeof SCRIPTS)[number], dir: string): boolean {
  const guard = scripts[script]!.match(/\[ [^\]]*web[^\]]* \]/)?.[0];
  expect(guard, `package.json's "${script}" script no longer asks whether web/ is there`).toBeDefined();
  return execFileSync('sh', ['-c', `${guard} || echo page`], { cwd: dir, encoding: 'utf8' }).trim() === 'page';
}

describe('a project without the web chat', () => {
  const deleted = { 'rm -r web': projectWith([]), 'git rm -r web (web/dist left)': projectWith(['web/dist/index.html']) };
  const kept = projectWith(['web/index.html', 'web/dist/index.html']);

  it.each(SCRIPTS)('npm run %s skips the page when its sources are gone, and not otherwise', (script) => {
    for (const [how, dir] of Object.entries(deleted)) expect(runsThePagePart(script, dir), how).toBe(false);
    expect(runsThePagePart(script, kept)).toBe(true);
  });

  it('the server has no web chat when its sources are gone, and has one otherwise', () => {
    for (const [how, dir] of Object.entries(deleted)) expect(hasWebChat(join(dir, 'web')), how).toBe(false);
    expect(hasWebChat(join(kept, 'web'))).toBe(true);
  });
});
