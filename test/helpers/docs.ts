// The README and docs/ pages as the docs checks read them: each page's text, its checked code blocks (a
// fenced block right after an HTML comment `<!-- KIND: NAME -->`), and the project paths it names.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isGenerated, PROJECT_ROOT, projectFiles } from './project-files.ts';

export type BlockKind = 'snippet' | 'excerpt' | 'example';

export interface CodeBlock {
  page: string;
  kind: BlockKind;
  /** A source file's path for snippets and excerpts; a label for examples. */
  name: string;
  language: string;
  body: string;
}

/** [path relative to the project root, text] of README.md and every docs/*.md. */
export function docPages(): (readonly [string, string])[] {
  return ['README.md', ...projectFiles('docs').filter((file) => file.endsWith('.md'))].map(
    (file) => [file, readFileSync(join(PROJECT_ROOT, file), 'utf8')] as const,
  );
}

export function codeBlocks(pages: (readonly [string, string])[]): CodeBlock[] {
  return pages.flatMap(([page, text]) =>
    [...text.matchAll(/<!-- (snippet|excerpt|example): (\S+) -->\n```(\w*)\n([\s\S]*?)```/g)].map(([, kind, name, language, body]) => ({
      page,
      kind: kind as BlockKind,
      name: name!,
      language: language!,
      body: body!,
    })),
  );
}

export interface NamedPath {
  page: string;
  line: number;
  path: string;
}

// A project path in inline code: under one of the project's folders, not part of another path or URL.
const PROJECT_PATH = /(?<![\w./@-])((?:src|scripts|test|bench|docs|web)\/[\w.*<>/-]*)/g;

/**
 * Every project path a page names in inline code (`src/tools/calculator.ts`, `rm -r test/template`), with
 * its line. Fenced blocks are left out: their code is checked as code (snippets, excerpts, examples).
 */
export function namedPaths(pages: (readonly [string, string])[]): NamedPath[] {
  return pages.flatMap(([page, text]) =>
    text
      .replace(/^```[\s\S]*?^```/gm, (block) => block.replace(/[^\n]/g, '')) // blanked, so the line numbers stay
      .split('\n')
      .flatMap((line, index) =>
        [...line.matchAll(/`([^`]+)`/g)].flatMap(([, code]) =>
          [...code!.matchAll(PROJECT_PATH)].map(([, path]) => ({ page, line: index + 1, path: path!.replace(/[.:]+$/, '') })),
        ),
      ),
  );
}

/**
 * Whether `path` names something in the project: a file or a folder; for a pattern (`src/tools/calculator*.ts`),
 * at least one match; for a file still to be written (`src/tools/<name>-tool.ts`) or a build's output
 * (`web/dist`), the folder it goes in.
 */
export function pathExists(path: string, root = PROJECT_ROOT): boolean {
  const segments = path.replace(/\/$/, '').split('/');
  const pending = segments.findIndex((segment, index) => segment.includes('<') || isGenerated(segments.slice(0, index + 1).join('/')));
  if (pending >= 0) return existsSync(join(root, ...segments.slice(0, pending)));
  const pattern = segments.findIndex((segment) => segment.includes('*'));
  if (pattern < 0) return existsSync(join(root, path));
  const folder = join(root, ...segments.slice(0, pattern));
  const matches = new RegExp(`^${segments[pattern]!.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*+/g, '.*')}$`);
  return existsSync(folder) && (segments[pattern] === '**' || readdirSync(folder).some((name) => matches.test(name)));
}
