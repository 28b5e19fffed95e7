// What a user with their own Mastra app does, as the README says: install the packages its install
// line names, copy src/mastra/agnost.ts alone, add `new AgnostExporter()` and the ids. The app is made
// here like `create-mastra`'s (its tsconfig.json; an agent on @ai-sdk/openai, pointed at a fake
// OpenAI server), and sees no package but the install line's and what such an app already has.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from './helpers/fake-openai.ts';
import { groupingKeys } from './helpers/grouping-keys.ts';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.ts';
import { newWorkDir } from './helpers/run-script.ts';

const ROOT = join(import.meta.dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const installLine = readme.match(/<!-- snippet: install -->\n```bash\n(npm install .*)\n```/)?.[1] ?? '';
const installed = [...installLine.matchAll(/(@?[\w./-]+)@\d[\w.-]*/g)].map(([, name]) => name!);
// What `create-mastra` gives an app already (and the app's own model provider).
const APP_PACKAGES = ['@mastra/core', '@mastra/memory', '@mastra/libsql', '@ai-sdk/openai', 'zod', 'typescript', '@types/node'];

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

// Run by Node itself (type stripping needs the .ts extension): one answer, no flush, a natural exit.
const APP_MAIN = `
${APP_INDEX.replace("from './agnost'", "from './src/mastra/agnost.ts'")}
process.stdout.write(await ask('Where is my order ORDER-4471?', 'customer-7', 'ticket-99'));
`;

let app: string;
let receiver: OtlpReceiver;
let model: FakeOpenAI;

beforeAll(async () => {
  app = newWorkDir();
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'support-app', version: '3.1.4', type: 'module' }));
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  for (const name of [...APP_PACKAGES, ...installed]) {
    mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), join(app, 'node_modules', name), 'dir');
  }
  mkdirSync(join(app, 'src', 'mastra'), { recursive: true });
  copyFileSync(join(ROOT, 'src', 'mastra', 'agnost.ts'), join(app, 'src', 'mastra', 'agnost.ts'));
  writeFileSync(join(app, 'src', 'mastra', 'index.ts'), APP_INDEX);
  writeFileSync(join(app, 'main.ts'), APP_MAIN);
  [receiver, model] = await Promise.all([startOtlpReceiver(), startFakeOpenAI({ reply: 'It ships tomorrow.' })]);
});

afterAll(async () => {
  await Promise.all([receiver?.close(), model?.close()]);
});

/** Runs main.ts in the app, with only the environment given (no flush, no process.exit in it). */
function runApp(env: Record<string, string>, script = 'main.ts') {
  // Not execFileSync: the receiver and the fake model answer from this process's event loop.
  return promisify(execFile)(process.execPath, [script], {
    cwd: app,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', OPENAI_API_KEY: 'sk-app-key-0123456789', OPENAI_BASE_URL: model.baseUrl, ...env },
  });
}

describe('src/mastra/agnost.ts copied alone into an app made like create-mastra’s', () => {
  it('the README names the packages to install', () => {
    expect(installed).toContain('@mastra/otel-exporter');
  });

  it("typechecks with create-mastra's tsconfig.json", async () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', app], { encoding: 'utf8' }).catch((error) => error);
    expect(`${result.stdout}${result.stderr}`).toBe('');
  });

  it('delivers the trace of a generate with the ids under every key, with no flush, before the process exits', async () => {
    receiver.requests.length = 0;
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
  });

  it('sends nothing without an org id, and says so in one line', async () => {
    receiver.requests.length = 0;
    const { stdout, stderr } = await runApp({ AGNOST_OTEL_ENDPOINT: receiver.tracesUrl });
    expect(stdout).toBe('It ships tomorrow.');
    expect(stderr).toBe('agnost disabled: AGNOST_ORG_ID is not set, so no traces are sent to Agnost\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.requests).toEqual([]);
  });

  it('does nothing at import: no output, no change to the environment', async () => {
    writeFileSync(
      join(app, 'import-only.ts'),
      `const before = JSON.stringify(process.env);
await import('./src/mastra/agnost.ts');
process.stdout.write(String(JSON.stringify(process.env) === before));`,
    );
    const { stdout, stderr } = await runApp({ AGNOST_ORG_ID: '', AGNOST_DISABLE_INPUT: '' }, 'import-only.ts');
    expect([stdout, stderr]).toEqual(['true', '']);
  });

  it('throws a named error for a bad endpoint, and does not end the process itself', async () => {
    writeFileSync(
      join(app, 'bad-endpoint.ts'),
      `import { AgnostExporter } from './src/mastra/agnost.ts';
try { new AgnostExporter(); } catch (error) { process.stdout.write(String(error)); }
process.stdout.write(' (still running)');`,
    );
    const { stdout } = await runApp({ AGNOST_ORG_ID: 'org_copied_app', AGNOST_OTEL_ENDPOINT: 'otel.agnost.ai/v1/traces' }, 'bad-endpoint.ts');
    expect(stdout).toBe(
      'AgnostConfigError: Invalid AGNOST_OTEL_ENDPOINT: must be an http:// or https:// URL, e.g. https://otel.agnost.ai/v1/traces. (still running)',
    );
  });
});
