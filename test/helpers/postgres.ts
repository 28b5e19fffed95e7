// A real PostgreSQL server for tests: a throwaway cluster made with Debian's postgresql binaries
// (which .ci/run installs when missing), on a free port on 127.0.0.1, with a password, so the tests
// can stop and start it under traffic. As root, the server runs as the postgres user.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server.ts';

const VERSIONS = '/usr/lib/postgresql';
const binDir = existsSync(VERSIONS)
  ? readdirSync(VERSIONS)
      .map((version) => join(VERSIONS, version, 'bin'))
      .find((dir) => existsSync(join(dir, 'initdb')))
  : undefined;
export const hasPostgres = binDir !== undefined;

export interface Postgres {
  url: string;
  password: string;
  port: number;
  stop(): void;
  start(): void;
  close(): void;
}

export async function startPostgres(): Promise<Postgres> {
  if (!binDir) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const asRoot = userInfo().uid === 0;
  const run = (command: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : join(binDir, command), asRoot ? ['-u', 'postgres', '--', join(binDir, command), ...args] : args, {
      stdio: 'pipe',
    });
  const dir = mkdtempSync(join(tmpdir(), 'pg-test-'));
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, 'pwfile'), password);
  if (asRoot) {
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
    chownSync(dir, uid!, gid!);
    chownSync(join(dir, 'pwfile'), uid!, gid!);
  }
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'mastra', `--pwfile=${join(dir, 'pwfile')}`, '--auth=scram-sha-256', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
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
