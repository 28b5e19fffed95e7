// What a user with their own Mastra app does, as the README says, for the oldest and the newest
// @mastra/core the exporter packages accept: an app made like `create-mastra`'s at that version (its
// tsconfig.json, @mastra/core with the memory and storage built with it), then the README's install
// line, the copied src/mastra/agnost.ts alone, and the README's example app. Each version is installed
// once from the npm registry (the only network this test uses), shared by its cases, with npm and with
// pnpm, and kept for the next runs for a day (install-cache.ts); each run copies it. To add
// a version: a row in VERSIONS, with the @mastra/memory and @mastra/libsql whose
// devDependencies['@mastra/core'] is that version (`npm view @mastra/libsql@1.7 devDependencies`), and
// the zod its AI SDK accepts.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.ts';
import { groupingKeys } from '../helpers/grouping-keys.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.ts';
import { PROJECT_ROOT } from '../helpers/project-files.ts';
import { keptInstall, linkedCopy } from './install-cache.ts';
import { newWorkDir } from '../helpers/run-script.ts';

const VERSIONS = [
  { core: '1.16.0', memory: '1.10.0', libsql: '1.7.2', zod: '^3.25.76' }, // the oldest @mastra/observability and otel-exporter accept
  { core: 'latest', memory: 'latest', libsql: 'latest', zod: '^4' },
];
const PNPM = 'pnpm@12.21.0';
const APPS = VERSIONS.flatMap((version) => (['npm', 'pnpm'] as const).map((manager) => ({ manager, version })));
// Each limit bounds one child process, generously (a cold cache on a busy machine); a hook or test
// waits a little longer than the children it waits for, so a slow child fails with its own timeout.
const INSTALL_TIMEOUT_MS = 600_000;
const RUN_TIMEOUT_MS = 300_000;
const MARGIN_MS = 10_000;

const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
const installLine = readme.match(/<!-- snippet: install -->\n```bash\n(npm install .*)\n```/)?.[1] ?? '';

// create-mastra's default tsconfig.json.
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ES2022',
    moduleResolution: 'bundler',
    esModuleInterop: true,
    forceConsistentCasingInFileNames: true,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    outDir: 'dist',
  },
  include: ['src/**/*'],
};

// The app's src/mastra/index.ts: the README's example, as `mastra dev` would load it (extensionless imports).
const APP_INDEX = readme.match(/<!-- example: app -->\n```ts\n([\s\S]*?)```/)?.[1] ?? '';

// Run by Node itself (type stripping needs the .ts extension): one answer, no flush, a natural exit. The
// one change: the model string's OpenAI-compatible form, to reach the fake model at OPENAI_BASE_URL.
const APP_MAIN = `
${APP_INDEX.replace("from './agnost'", "from './src/mastra/agnost.ts'").replace(
  "'openai/gpt-5-mini'",
  "{ id: 'openai/gpt-5-mini', url: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY }",
)}
process.stdout.write(await ask('Where is my order ORDER-4471?', 'customer-7', 'ticket-99'));
`;

// The machine's environment (its proxy and CA settings reach the registry), without this project's own variables.
const machineEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(OPENAI|AGNOST|MASTRA|OTEL|CHAT|ALLOWED)_/.test(name)),
) as Record<string, string>;

/** `npm install <packages>`, or `pnpm add <packages>`, in `cwd`: what it printed. */
async function add(manager: 'npm' | 'pnpm', packages: string[], cwd: string) {
  const [command, args] =
    manager === 'npm' ? ['npm', ['install', '--no-audit', '--no-fund', '--loglevel=warn']] : ['npx', ['--yes', PNPM, 'add']];
  // CI=true: no prompts, as in a pipeline.
  const options = { cwd, encoding: 'utf8' as const, timeout: INSTALL_TIMEOUT_MS, env: { ...machineEnv, CI: 'true' } };
  const { stdout, stderr } = await promisify(execFile)(command, [...(args as string[]), ...packages], options);
  return stdout + stderr;
}

/** pnpm's list of unmet peer dependencies (its install only says there are some); npm prints them as it installs. */
async function peerIssues(manager: 'npm' | 'pnpm', cwd: string) {
  if (manager === 'npm') return '';
  const run = promisify(execFile)('npx', ['--yes', PNPM, 'peers', 'check'], {
    cwd,
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
    env: { ...machineEnv, CI: 'true' },
  });
  const { stdout, stderr } = await run.catch((error: { stdout: string; stderr: string }) => error);
  return `${stdout}${stderr}`.replace(/^.*(No peer|✓).*$/gm, '');
}

/** What the second output warns about peer dependencies that the first did not. */
const newPeerWarnings = (before: string, after: string) =>
  after.split('\n').filter((line) => /peer|ERESOLVE/i.test(line) && !before.includes(line.trim()));

/** An app as create-mastra makes one at `version`, then the README's install line (kept between runs: install-cache.ts), and the copied file. */
async function createApp({ manager, version }: (typeof APPS)[number]) {
  const installed = await keptInstall({ manager, version, PNPM, installLine, TSCONFIG }, (dir) => installApp(dir, { manager, version }));
  const app = newWorkDir();
  linkedCopy(installed.dir, app);
  mkdirSync(join(app, 'src', 'mastra'), { recursive: true });
  copyFileSync(join(PROJECT_ROOT, 'src', 'mastra', 'agnost.ts'), join(app, 'src', 'mastra', 'agnost.ts'));
  writeFileSync(join(app, 'src', 'mastra', 'index.ts'), APP_INDEX);
  writeFileSync(join(app, 'main.ts'), APP_MAIN);
  return { app, ...installed.result };
}

/** The app create-mastra makes at `version` in `app`, then the README's install line (with pnpm, `pnpm add`). */
async function installApp(app: string, { manager, version }: (typeof APPS)[number]) {
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'support-app', version: '3.1.4', type: 'module' }));
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  const appPackages = [
    `@mastra/core@${version.core}`,
    `@mastra/memory@${version.memory}`,
    `@mastra/libsql@${version.libsql}`,
    `zod@${version.zod}`,
    'typescript@5.9.3',
    '@types/node@24',
  ];
  const baseOutput = (await add(manager, appPackages, app)) + (await peerIssues(manager, app));
  const core = installedVersion(app, '@mastra/core');
  // As the README says: pnpm 11 and later stop at an install script nobody allowed or declined.
  if (manager === 'pnpm') writeFileSync(join(app, 'pnpm-workspace.yaml'), 'allowBuilds:\n  protobufjs: false\n');
  const installOutput = (await add(manager, installLine.split(' ').slice(2), app)) + (await peerIssues(manager, app));
  return { core, peerWarnings: newPeerWarnings(baseOutput, installOutput) };
}

const installedVersion = (app: string, name: string) =>
  (JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

let model: FakeOpenAI;
const apps = APPS.map((app) => ({ ...app, ready: undefined as ReturnType<typeof createApp> | undefined }));

beforeAll(
  async () => {
    model = await startFakeOpenAI({ reply: 'It ships tomorrow.' });
    for (const entry of apps) entry.ready = createApp(entry); // all at once; each case awaits its own
    await Promise.allSettled(apps.map((entry) => entry.ready));
  },
  2 * (INSTALL_TIMEOUT_MS + RUN_TIMEOUT_MS) + MARGIN_MS,
); // an app: two installs, each with pnpm's peer check

afterAll(async () => {
  const removed = apps.map(async (entry) => {
    const created = await entry.ready?.catch(() => undefined);
    if (created) await rm(created.app, { recursive: true, force: true });
  });
  await Promise.all([model?.close(), ...removed]);
}, RUN_TIMEOUT_MS); // each app's node_modules: thousands of files on a disk other tests use

/** `run` once, on the first call; every call gets that run's result. */
function once<T>(run: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= run());
}

/** A receiver of this test's own (the apps' cases run at once), closed when the test ends. */
async function ownReceiver(onTestFinished: (fn: () => Promise<void>) => void): Promise<OtlpReceiver> {
  const receiver = await startOtlpReceiver();
  onTestFinished(() => receiver.close());
  return receiver;
}

it('the README names the packages to install, as ranges that never downgrade', () => {
  expect(installLine).toMatch(/^npm install /);
  expect(installLine).toContain('@mastra/otel-exporter@^');
  expect(installLine).toContain('@mastra/observability@^');
});

// The apps' cases at once: they mostly wait on their child processes, and each uses its own receiver.
describe.concurrent.each(apps.map((entry) => [entry.version.core, entry.manager, entry] as const))(
  'src/mastra/agnost.ts copied alone into a create-mastra app on @mastra/core %s with %s',
  (_core, _manager, entry) => {
    /** Runs a script in the app, with only the environment given (no flush, no process.exit in it). */
    async function runApp(env: Record<string, string>, script = 'main.ts') {
      const { app } = await entry.ready!;
      // Not execFileSync: the receiver and the fake model answer from this process's event loop.
      return promisify(execFile)(process.execPath, [script], {
        cwd: app,
        encoding: 'utf8',
        timeout: RUN_TIMEOUT_MS,
        env: { PATH: process.env.PATH ?? '', OPENAI_API_KEY: 'sk-app-key-0123456789', OPENAI_BASE_URL: model.baseUrl, ...env },
      });
    }

    it(
      "the install line keeps the app's @mastra/core and adds no peer dependency warning",
      async () => {
        const { app, core, peerWarnings } = await entry.ready!;
        expect(installedVersion(app, '@mastra/core')).toBe(core);
        expect(peerWarnings).toEqual([]);
        // One valid @opentelemetry/api for every OpenTelemetry package (npm ls fails on an invalid one).
        if (entry.manager === 'npm')
          await promisify(execFile)('npm', ['ls', '--all', '@opentelemetry/api'], { cwd: app, timeout: RUN_TIMEOUT_MS, env: machineEnv });
      },
      RUN_TIMEOUT_MS + MARGIN_MS,
    );

    it(
      "typechecks with create-mastra's tsconfig.json",
      async () => {
        const { app } = await entry.ready!;
        const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
        const result = await promisify(execFile)(process.execPath, [tsc, '-p', app], { encoding: 'utf8', timeout: RUN_TIMEOUT_MS }).catch(
          (error) => error,
        );
        expect(`${result.stdout}${result.stderr}`).toBe('');
      },
      RUN_TIMEOUT_MS + MARGIN_MS,
    );

    it(
      'delivers the trace of a generate with the ids under every key, with no flush, before the process exits',
      async ({ onTestFinished }) => {
        const receiver = await ownReceiver(onTestFinished);
        const { stdout, stderr } = await runApp({ AGNOST_ORG_ID: 'org_copied_app', AGNOST_OTEL_ENDPOINT: receiver.tracesUrl });
        expect(stdout).toBe('It ships tomorrow.');
        expect(stderr).toBe('');
        const spans = receiver.spans();
        const roots = spans.filter((span) => span.parentSpanId === '');
        expect(roots).toHaveLength(1);
        expect(String(roots[0]!.attributes['gen_ai.input.messages'])).toContain('Where is my order ORDER-4471?');
        expect(String(roots[0]!.attributes['gen_ai.output.messages'])).toContain('It ships tomorrow.');
        for (const span of spans) {
          expect(span.attributes, span.name).toMatchObject(groupingKeys('customer-7', 'ticket-99'));
          expect(span.resource['service.name']).toBe('support-app');
        }
        expect(receiver.requests.every((request) => request.headers['x-agnost-org-id'] === 'org_copied_app')).toBe(true);
        expect(receiver.requests.some((request) => request.body.includes('sk-app-key'))).toBe(false);
      },
      RUN_TIMEOUT_MS + MARGIN_MS,
    );

    it(
      'sends nothing without an org id, and says so in one line',
      async ({ onTestFinished }) => {
        const receiver = await ownReceiver(onTestFinished);
        const { stdout, stderr } = await runApp({ AGNOST_OTEL_ENDPOINT: receiver.tracesUrl });
        // Through Mastra's logger: on stderr, or on stdout with the logger of older cores.
        expect(`${stderr}${stdout}`).toBe('agnost disabled: AGNOST_ORG_ID is not set, so no traces are sent to Agnost\nIt ships tomorrow.');
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(receiver.requests).toEqual([]);
      },
      RUN_TIMEOUT_MS + MARGIN_MS,
    );

    // One process for both: the import first (nothing printed, nothing changed), then a bad setting.
    const importThenConstruct = once(async () => {
      const { app } = await entry.ready!;
      writeFileSync(
        join(app, 'import-then-construct.ts'),
        `const before = JSON.stringify(process.env);
const { AgnostExporter } = await import('./src/mastra/agnost.ts');
process.stdout.write(\`environment unchanged: \${JSON.stringify(process.env) === before}\\n\`);
try { new AgnostExporter(); } catch (error) { process.stdout.write(String(error)); }
process.stdout.write(' (still running)');`,
      );
      return runApp(
        { AGNOST_ORG_ID: 'org_copied_app', AGNOST_OTEL_ENDPOINT: 'otel.agnost.ai/v1/traces', AGNOST_DISABLE_INPUT: '' },
        'import-then-construct.ts',
      );
    });

    it(
      'does nothing at import: no output, no change to the environment',
      async () => {
        const { stdout, stderr } = await importThenConstruct();
        expect(stdout.split('\n')[0]).toBe('environment unchanged: true');
        expect(stderr).toBe('');
      },
      RUN_TIMEOUT_MS + MARGIN_MS,
    );

    it(
      'throws a named error for a bad endpoint, and does not end the process itself',
      async () => {
        const { stdout } = await importThenConstruct();
        expect(stdout.split('\n')[1]).toBe(
          'AgnostConfigError: Invalid AGNOST_OTEL_ENDPOINT: must be an http:// or https:// URL, e.g. https://otel.agnost.ai/v1/traces. (still running)',
        );
      },
      RUN_TIMEOUT_MS + MARGIN_MS,
    );
  },
);
