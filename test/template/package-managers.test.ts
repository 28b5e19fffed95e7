// The template with the package manager people bring: a copy made the way `create-mastra --template`
// makes one (the project's files without .git, the package renamed, .env from .env.example) installs
// with pnpm, typechecks and sends one traced answer. pnpm resolves afresh (there is no pnpm lockfile),
// so this also proves the code does not depend on npm's exact set of transitive versions.
// It installs from the npm registry: the only network this suite uses. It resolves from the metadata
// and the store pnpm keeps in HOME (offline first): a cold cache fetches what it lacks, only slower.
// An install is kept for the next runs while package.json and pnpm's settings stay the same, for a day
// (install-cache.ts); each run copies it.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.ts';
import { PROJECT_ROOT, projectFiles } from '../helpers/project-files.ts';
import { keptInstall, linkedCopy } from './install-cache.ts';
import { newWorkDir } from '../helpers/run-script.ts';
import { TOOL_MESSAGE } from '../helpers/agent.ts';

const PNPM_LATEST = 'pnpm@12.21.0';
const PNPM_10 = 'pnpm@10.34.9';
// Each limit bounds one child process, generously (a cold cache on a busy machine); a test waits a
// little longer than the child it waits for, so a slow child fails with its own timeout.
const INSTALL_TIMEOUT_MS = 600_000;
const RUN_TIMEOUT_MS = 300_000;
const MARGIN_MS = 10_000;

/** The copy create-mastra makes: every project file, the package renamed, .env copied from .env.example. */
function templateCopy(app = newWorkDir()): string {
  for (const file of projectFiles()) {
    mkdirSync(dirname(join(app, file)), { recursive: true });
    cpSync(join(PROJECT_ROOT, file), join(app, file));
  }
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { name: string };
  writeFileSync(join(app, 'package.json'), JSON.stringify({ ...manifest, name: 'my-agnost-app' }, null, 2));
  cpSync(join(app, '.env.example'), join(app, '.env'));
  return app;
}

// The machine's environment (its proxy and CA settings reach the registry), without this project's own
// variables, so that a developer's .env values or keys cannot change what is tested.
const machineEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(OPENAI|AGNOST|MASTRA|OTEL|CHAT|ALLOWED)_/.test(name)),
) as Record<string, string>;

function pnpm(version: string, args: string[], cwd: string, env: Record<string, string> = {}, timeout = RUN_TIMEOUT_MS) {
  const child = promisify(execFile)('npx', ['--yes', version, ...args], {
    cwd,
    encoding: 'utf8',
    timeout,
    // CI=true: no prompts, as in a pipeline. npm_config_prefer_offline: the npm that the `node`
    // package's install script runs takes Node's binary from npm's cache too.
    env: { ...machineEnv, CI: 'true', MASTRA_TELEMETRY_DISABLED: '1', npm_config_prefer_offline: 'true', ...env },
  });
  child.child.stdin?.end();
  return child;
}

/** package.json's fields that pnpm installs from (a change to a script or the description installs nothing new). */
const INSTALLED_FROM = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'overrides', 'pnpm', 'engines'];

/** What a pnpm install of the template depends on: a change to any of these installs afresh. */
const installInputs = (version: string) => {
  const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  return {
    version,
    manifest: INSTALLED_FROM.map((field) => manifest[field]),
    files: ['.npmrc', 'pnpm-workspace.yaml'].map((file) =>
      existsSync(join(PROJECT_ROOT, file)) ? readFileSync(join(PROJECT_ROOT, file), 'utf8') : undefined,
    ),
  };
};

/** A copy installed with `pnpm install` (kept between runs: install-cache.ts), and what the install printed. */
const pnpmInstall = (version: string) =>
  keptInstall(installInputs(version), async (dir) => {
    const { stdout, stderr } = await pnpm(version, ['install', '--prefer-offline'], templateCopy(dir), {}, INSTALL_TIMEOUT_MS);
    return stdout + stderr;
  });

/** A fresh copy with what `pnpm install` made, and what it printed. */
async function installCopy(version: string) {
  const installed = await pnpmInstall(version);
  const copy = templateCopy();
  copies.push(copy);
  linkedCopy(join(installed.dir, 'node_modules'), join(copy, 'node_modules'));
  cpSync(join(installed.dir, 'pnpm-lock.yaml'), join(copy, 'pnpm-lock.yaml')); // without it, pnpm would resolve again before a run
  return { copy, output: installed.result };
}

/** Started at once, awaited by the test that checks it (a failure is reported there, not as unhandled). */
function started<T>(work: Promise<T>): Promise<T> {
  work.catch(() => {});
  return work;
}

const copies: string[] = [];
let receiver: OtlpReceiver;
let app: string;
let installOutput: string;
let pnpm10Install: ReturnType<typeof pnpmInstall>;
let nodeVersion: Promise<{ stdout: string; stderr: string }>;
let typecheck: Promise<{ stdout: string; stderr: string }>;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // Both installs at once (they mostly wait on the network and the disk), and the typecheck as soon as
  // its install is done, while the other install still runs.
  pnpm10Install = started(pnpmInstall(PNPM_10)); // only its output is checked: no copy
  ({ copy: app, output: installOutput } = await installCopy(PNPM_LATEST));
  nodeVersion = started(pnpm(PNPM_LATEST, ['exec', 'node', '--version'], app));
  typecheck = started(pnpm(PNPM_LATEST, ['exec', 'tsc', '--noEmit'], app));
}, INSTALL_TIMEOUT_MS + MARGIN_MS);

afterAll(async () => {
  await Promise.allSettled([pnpm10Install, nodeVersion, typecheck]);
  receiver?.close();
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
}, INSTALL_TIMEOUT_MS + MARGIN_MS);

// Pinned exactly (2.10.0) by the 0.221 exporters and as ^2.10 by @mastra/otel-exporter: without the
// overrides, npm installs four copies of core and three of resources, and the chat loads each of them;
// pnpm also resolves two versions of @opentelemetry/api and then copies every package that peers on it.
const SHARED_OTEL = /^@opentelemetry\+(api|core|resources|sdk-trace)@/;

describe('npm', () => {
  it("installs one copy of each of OpenTelemetry's packages the chat loads (the overrides)", () => {
    const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    const copies = Object.keys(lock.packages).filter((path) =>
      /(^|\/)node_modules\/@opentelemetry\/(api|core|resources|sdk-trace)$/.test(path),
    );
    expect(copies).toEqual([
      'node_modules/@opentelemetry/api',
      'node_modules/@opentelemetry/core',
      'node_modules/@opentelemetry/resources',
      'node_modules/@opentelemetry/sdk-trace',
    ]);
  });
});

describe(`a create-mastra-style copy with ${PNPM_LATEST}`, () => {
  it('installs without prompts or errors, running only the builds the project allows', () => {
    expect(installOutput).not.toMatch(/ERR_PNPM|Ignored build scripts/);
  });

  // Here pnpm itself runs on that Node (npm test puts it first on PATH): on the system's Node 20, pnpm 12
  // would warn about each package that needs Node >= 22 unless nodeVersion says otherwise.
  it("checks the packages' engines against the Node the scripts run on (the node devDependency)", () => {
    const workspace = readFileSync(join(PROJECT_ROOT, 'pnpm-workspace.yaml'), 'utf8');
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(workspace.match(/^nodeVersion: (\S+)$/m)?.[1]).toBe(manifest.devDependencies.node);
  });

  it("installs one copy of each of OpenTelemetry's packages the chat loads (the overrides)", () => {
    const copies = readdirSync(join(app, 'node_modules', '.pnpm')).filter((name) => SHARED_OTEL.test(name));
    // One version each, and one copy of each (pnpm makes a copy per version of @opentelemetry/api they see).
    expect(copies.map((name) => name.split('@')[1])).toEqual([
      'opentelemetry+api',
      'opentelemetry+core',
      'opentelemetry+resources',
      'opentelemetry+sdk-trace',
    ]);
  });

  it("resolves the @opentelemetry/api minor version npm's lockfile holds (the SDK's packages do not accept the next one yet)", () => {
    const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string }>;
    };
    const minor = (version: string) => version.split('.').slice(0, 2).join('.');
    const installed = readdirSync(join(app, 'node_modules', '.pnpm')).flatMap(
      (name) => name.match(/^@opentelemetry\+api@([\d.]+)/)?.[1] ?? [],
    );
    expect(installed.map(minor)).toEqual([minor(lock.packages['node_modules/@opentelemetry/api']!.version)]);
  });

  it(
    'gives the scripts the Node 24 they need, whatever the system Node',
    async () => {
      const { stdout } = await nodeVersion;
      expect(stdout).toMatch(/^v24\./);
    },
    RUN_TIMEOUT_MS + MARGIN_MS,
  );

  it(
    'typechecks',
    async () => {
      const { stdout, stderr } = await typecheck.catch((error: { stdout: string; stderr: string }) => error);
      expect(stdout + stderr).toBe('');
    },
    RUN_TIMEOUT_MS + MARGIN_MS,
  );

  it(
    'answers through `pnpm run chat -- --message`, and the trace reaches the receiver with both ids',
    async () => {
      const { stdout } = await pnpm(PNPM_LATEST, ['run', '--silent', 'chat', '--', '--message', TOOL_MESSAGE, '--user', 'user-pnpm'], app, {
        AGNOST_ORG_ID: 'org_pnpm',
        AGNOST_OTEL_ENDPOINT: receiver.tracesUrl,
      });
      expect(stdout.trim(), 'the chat printed no answer').not.toBe('');
      const root = receiver.spans().find((span) => span.parentSpanId === '');
      expect(root?.attributes['agnost.user_id']).toBe('user-pnpm');
      expect(root?.attributes['agnost.session_id']).toEqual(expect.any(String));
      expect(root?.resource['service.name']).toBe('my-agnost-app');
    },
    RUN_TIMEOUT_MS + MARGIN_MS,
  );
});

describe(`a create-mastra-style copy with ${PNPM_10}`, () => {
  it(
    'installs without prompts or errors',
    async () => {
      const { result } = await pnpm10Install;
      expect(result).not.toMatch(/ERR_PNPM|Ignored build scripts/);
    },
    INSTALL_TIMEOUT_MS + MARGIN_MS,
  );
});
