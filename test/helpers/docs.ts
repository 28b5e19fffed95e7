// The README and docs/ pages as the docs checks read them: each page's text, and its checked code
// blocks (a fenced block right after an HTML comment `<!-- KIND: NAME -->`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, projectFiles } from './project-files.ts';

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
