// The template's proofs in this folder install apps from the npm registry. An install is kept between
// runs and used again while its inputs are the same and it is younger than INSTALL_MAX_AGE_MS; after
// that the registry's newest versions are resolved again. A run works in its own copy of the install
// (hard links: a second or two), never in the kept one. FRESH_INSTALLS=1 installs afresh.
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const INSTALL_CACHE_DIR = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mastra-agnost-starter', 'installs');
export const INSTALL_MAX_AGE_MS = 24 * 3_600_000;
/** Installs nobody used for this long are removed when a new one is kept. */
const UNUSED_FOR_MS = 3 * 24 * 3_600_000;
const RESULT = 'result.json'; // written last: an entry without it is an install that never finished

export interface KeptInstall<T> {
  /** The kept install: read it, copy it (linkedCopy), never write into it. */
  dir: string;
  /** What the install returned (its output, the versions it resolved). */
  result: T;
  /** Whether it was installed by an earlier run. */
  kept: boolean;
}

/** `install(dir)` into a new folder, or the install an earlier run made with the same `inputs`. */
export async function keptInstall<T>(inputs: unknown, install: (dir: string) => Promise<T>): Promise<KeptInstall<T>> {
  const entry = join(INSTALL_CACHE_DIR, createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 24));
  const resultFile = join(entry, RESULT);
  if (!process.env.FRESH_INSTALLS && existsSync(resultFile) && Date.now() - statSync(resultFile).mtimeMs < INSTALL_MAX_AGE_MS) {
    const now = new Date();
    utimesSync(entry, now, now); // used: kept from pruning
    return { dir: join(entry, 'app'), result: JSON.parse(readFileSync(resultFile, 'utf8')) as T, kept: true };
  }
  // A folder of its own, renamed into place when done: two runs at once never share a half-made install.
  const making = `${entry}.${randomUUID()}`;
  mkdirSync(join(making, 'app'), { recursive: true });
  try {
    const result = await install(join(making, 'app'));
    writeFileSync(join(making, RESULT), JSON.stringify(result));
    rmSync(entry, { recursive: true, force: true });
    try {
      renameSync(making, entry);
    } catch {
      rmSync(making, { recursive: true, force: true }); // another run kept the same install first
    }
    pruneUnused();
    return { dir: join(entry, 'app'), result, kept: false };
  } catch (error) {
    rmSync(making, { recursive: true, force: true });
    throw error;
  }
}

/** A copy of `from` at `to` whose files are hard links: fast, and a file a run adds stays in its copy. */
export function linkedCopy(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  execFileSync('cp', ['-al', `${from}/.`, to]);
}

function pruneUnused() {
  for (const name of readdirSync(INSTALL_CACHE_DIR)) {
    const path = join(INSTALL_CACHE_DIR, name);
    if (Date.now() - statSync(path).mtimeMs > UNUSED_FOR_MS) rmSync(path, { recursive: true, force: true });
  }
}
