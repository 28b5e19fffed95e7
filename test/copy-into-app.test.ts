// The README's "copying into an existing app": the files its `cp` lines name, copied into an empty
// app with its own agent, send the same traces (ids on every span, the org id header, the app's
// own service name and version) and keep the API key out of them.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from './helpers/fake-openai.ts';
import { startOtlpReceiver } from './helpers/otlp-receiver.ts';
import { newWorkDir } from './helpers/run-script.ts';

const ROOT = join(import.meta.dirname, '..');
const API_KEY = 'sk-copied-app-key-0123456789';
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const copyBlock = readme.match(/<!-- snippet: copy -->\n```bash\n([\s\S]*?)```/)?.[1] ?? '';

const APP_INDEX = `
import { createOpenAI } from '@ai-sdk/openai';
import { Agent } from '@mastra/core/agent';
import { Mastra } from '@mastra/core/mastra';
import { Memory } from '@mastra/memory';
import { LibSQLStore } from '@mastra/libsql';
import { createObservability } from './observability.ts';

const storage = new LibSQLStore({ id: 'app', url: ':memory:' });
const model = createOpenAI({ apiKey: process.env.OPENAI_API_KEY, baseURL: process.env.OPENAI_BASE_URL }).chat('app-model');
const supportAgent = new Agent({ id: 'support', name: 'Support', instructions: 'Help.', model, memory: new Memory({ storage }) });
export const mastra = new Mastra({ agents: { supportAgent }, storage, observability: createObservability() });
`;
const APP_MAIN = `
import { mastra } from './src/mastra/index.ts';
import { askAgent } from './src/ask-agent.ts';
const answer = await askAgent(mastra.getAgent('supportAgent'), 'Where is my order?', { userId: 'customer-7', conversationId: 'ticket-99' });
await mastra.observability?.flush();
process.stdout.write(JSON.stringify(answer));
process.exit(0);
`;

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

describe('the README copy list', () => {
  it('names the files to copy', () => {
    expect(copyBlock).toMatch(/^cp .*observability\.ts/m);
  });

  it('is enough for an existing app to send the same traces', async () => {
    const app = newWorkDir();
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'support-app', version: '3.1.4', type: 'module' }));
    symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');
    for (const line of copyBlock.trim().split('\n')) {
      const [, ...args] = line.split(/\s+/);
      const destination = args.pop()!.replace('<your-app>', app);
      mkdirSync(destination, { recursive: true });
      for (const file of args) cpSync(join(ROOT, file), join(destination, file.split('/').pop()!));
    }
    writeFileSync(join(app, 'src', 'mastra', 'index.ts'), APP_INDEX);
    writeFileSync(join(app, 'main.ts'), APP_MAIN);

    const [receiver, model] = await Promise.all([startOtlpReceiver(), startFakeOpenAI({ reply: 'It ships tomorrow.' })]);
    closers.push(() => receiver.close(), () => model.close());
    // Not execFileSync: the receiver and the fake model answer from this process's event loop.
    const { stdout } = await promisify(execFile)(process.execPath, ['main.ts'], {
      cwd: app,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        AGNOST_ORG_ID: 'org_copied_app',
        AGNOST_OTEL_ENDPOINT: receiver.tracesUrl,
        OPENAI_API_KEY: API_KEY,
        OPENAI_BASE_URL: model.baseUrl,
      },
    });
    expect(JSON.parse(stdout).text).toBe('It ships tomorrow.');
    const spans = receiver.spans();
    expect(spans.length).toBeGreaterThan(2);
    for (const span of spans) {
      expect(span.attributes['mastra.metadata.userId']).toBe('customer-7');
      expect(span.attributes['mastra.metadata.conversationId']).toBe('ticket-99');
      expect(span.resource['service.name']).toBe('support-app');
      expect(span.resource['service.version']).toBe('3.1.4');
    }
    expect(receiver.requests.every((request) => request.headers['x-agnost-org-id'] === 'org_copied_app')).toBe(true);
    expect(receiver.requests.some((request) => request.body.includes(API_KEY))).toBe(false);
  });
});
