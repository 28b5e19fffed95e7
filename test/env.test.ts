import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { AGNOST_DEFAULT_ENDPOINT } from '../src/mastra/agnost.ts';
import type { AppVariable } from '../src/settings/app-env.ts';
import { ConfigError, displayStorageUrl, parseEnv, secretsOf } from '../src/settings/env.ts';
import { childEnv } from './helpers/child-env.ts';
import { inTurns, newWorkDir, runChat } from './helpers/run-script.ts';

// The chats these tests start run concurrently, a few at a time; a test's time includes waiting its turn.
const inTurn = inTurns(3);
const PROCESS_TESTS = { timeout: 180_000 };

describe('parseEnv', () => {
  it('runs with no configuration at all: no model key, Agnost off, local storage', () => {
    const config = parseEnv({});
    expect(config.openaiApiKey).toBeUndefined();
    expect(config.agnostOrgId).toBeUndefined();
    expect(config.agnostEndpoint).toBe(AGNOST_DEFAULT_ENDPOINT);
    expect(config.serviceName).toBe(packageJson.name); // renamed in a copy made from the template
    expect(config.storageUrl).toBe(`file:${join(process.cwd(), 'mastra.db')}`);
  });

  it('treats the empty values of a copied .env.example as unset', () => {
    const config = parseEnv({ AGNOST_ORG_ID: '', OPENAI_API_KEY: '', AGNOST_OTEL_ENDPOINT: '', OTEL_SERVICE_NAME: '' });
    expect(config.agnostOrgId).toBeUndefined();
    expect(config.openaiApiKey).toBeUndefined();
    expect(config.agnostEndpoint).toBe(AGNOST_DEFAULT_ENDPOINT);
  });

  it('takes valid values as given', () => {
    const config = parseEnv({
      AGNOST_ORG_ID: 'org_8f2c1d',
      AGNOST_OTEL_ENDPOINT: 'http://127.0.0.1:4318/v1/traces',
      OPENAI_BASE_URL: 'http://localhost:11434/v1',
      OTEL_SERVICE_NAME: 'support-bot',
      MASTRA_STORAGE_URL: 'libsql://db.example.turso.io',
    });
    expect(config).toMatchObject({
      agnostOrgId: 'org_8f2c1d',
      agnostEndpoint: 'http://127.0.0.1:4318/v1/traces',
      openaiBaseUrl: 'http://localhost:11434/v1',
      serviceName: 'support-bot',
      storageUrl: 'libsql://db.example.turso.io',
    });
  });
});

// A fork's own variables, as it declares them in src/settings/app-env.ts.
const PRODUCT_VARIABLES: AppVariable[] = [
  { name: 'WEATHER_API_URL', rule: 'url', default: 'https://weather.example.com/v1', fix: 'e.g. https://api.example.com/weather' },
  { name: 'WEATHER_API_KEY', rule: 'token', secret: true, fix: 'paste the key from your weather provider' },
  { name: 'WEATHER_RETRIES', rule: 'integer', fix: 'e.g. 3' },
];

describe("a product's own variables (src/settings/app-env.ts)", () => {
  it('get their defaults when unset or empty, and are undefined without one', () => {
    const { app } = parseEnv({ WEATHER_API_URL: '' }, PRODUCT_VARIABLES);
    expect(app).toEqual({ WEATHER_API_URL: 'https://weather.example.com/v1', WEATHER_API_KEY: undefined, WEATHER_RETRIES: undefined });
  });

  it('take valid values as given, and a secret one is among the secrets', () => {
    const config = parseEnv(
      { WEATHER_API_URL: 'http://127.0.0.1:9/w', WEATHER_API_KEY: 'wk-0123456789abcdef', WEATHER_RETRIES: '3' },
      PRODUCT_VARIABLES,
    );
    expect(config.app).toEqual({ WEATHER_API_URL: 'http://127.0.0.1:9/w', WEATHER_API_KEY: 'wk-0123456789abcdef', WEATHER_RETRIES: '3' });
    expect(secretsOf(config)).toContain('wk-0123456789abcdef');
    expect(secretsOf(config)).not.toContain('http://127.0.0.1:9/w');
  });

  it.each([
    [
      'WEATHER_API_URL',
      'weather.example.com',
      'Invalid WEATHER_API_URL: must be an http:// or https:// URL; e.g. https://api.example.com/weather.',
    ],
    ['WEATHER_API_KEY', 'your-key-here', 'Invalid WEATHER_API_KEY: is still a placeholder; paste the key from your weather provider.'],
    ['WEATHER_API_KEY', 'two words', 'Invalid WEATHER_API_KEY: contains whitespace; paste the key from your weather provider.'],
    ['WEATHER_RETRIES', 'three', 'Invalid WEATHER_RETRIES: must be a whole number; e.g. 3.'],
  ])('%s=%j is refused in one line naming it, as the template variables are', (name, value, line) => {
    let error: unknown;
    try {
      parseEnv({ [name]: value }, PRODUCT_VARIABLES);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(line);
  });

  it("reach the processes the tests start, and nothing else of this run's environment does", () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { WEATHER_API_URL: 'http://127.0.0.1:9/w', OPENAI_API_KEY: 'sk-developer-0123456789' });
      const env = childEnv({ MASTRA_STORAGE_URL: ':memory:' }, { names: ['WEATHER_API_URL', 'WEATHER_API_KEY'] });
      expect(env).toMatchObject({ WEATHER_API_URL: 'http://127.0.0.1:9/w', MASTRA_STORAGE_URL: ':memory:' });
      expect(env).not.toHaveProperty('WEATHER_API_KEY'); // declared, but not set in this run
      expect(env).not.toHaveProperty('OPENAI_API_KEY');
      expect(childEnv({ WEATHER_API_URL: 'http://test/w' }, { names: ['WEATHER_API_URL'] }).WEATHER_API_URL).toBe('http://test/w');
    } finally {
      process.env = saved;
    }
  });
});

describe('a PostgreSQL storage URL', () => {
  const url = 'postgresql://mastra:p%40ss-w0rd@db.internal:5432/mastra?sslmode=require';

  it('is accepted, its password is one of the secrets, and it is shown masked', () => {
    const config = parseEnv({ MASTRA_STORAGE_URL: url });
    expect(config.storageUrl).toBe(url);
    expect(secretsOf(config)).toContain('p@ss-w0rd');
    expect(displayStorageUrl(url)).toBe('postgresql://mastra:***@db.internal:5432/mastra?…');
  });
});

// Each bad value stops start-up: one line naming the variable, exit code 2, no stack trace, no value echoed.
const BAD_VALUES: [variable: string, value: string, problem: string][] = [
  ['AGNOST_ORG_ID', '   ', 'whitespace'],
  ['AGNOST_ORG_ID', '<your-agnost-org-id>', 'placeholder'],
  ['AGNOST_ORG_ID', 'your_org_id', 'placeholder'],
  ['AGNOST_ORG_ID', 'org-1\nX-Injected: 1', 'whitespace or a control character'],
  ['AGNOST_ORG_ID', 'org\u0007id', 'whitespace or a control character'],
  ['AGNOST_OTEL_ENDPOINT', 'otel.agnost.ai/v1/traces', 'http:// or https:// URL'],
  ['AGNOST_OTEL_ENDPOINT', 'ftp://otel.agnost.ai/v1/traces', 'http:// or https:// URL'],
  ['AGNOST_OTEL_ENDPOINT', ' https://otel.agnost.ai/v1/traces', 'http:// or https:// URL'],
  ['AGNOST_DISABLE_INPUT', 'maybe', 'true or false'],
  ['AGNOST_DISABLE_OUTPUT', 'off', 'true or false'],
  ['OPENAI_BASE_URL', 'localhost:11434', 'http:// or https:// URL'],
  ['OPENAI_API_KEY', 'sk-...', 'placeholder'],
  ['MASTRA_STORAGE_URL', 'mysql://db', 'libsql URL'],
  ['ALLOWED_MEDIA_URL_PREFIXES', 'https://cdn.example.com/,cdn.example.com', 'which is not an http:// or https:// URL'],
  ['MASTRA_JWT_SECRET', 'too-short-secret', 'at least 32'],
  ['MASTRA_JWT_SECRET', '<your-jwt-secret>', 'placeholder'],
  ['MASTRA_JWT_SECRET', 'supersecretdevkeythatishs256safe!', "example from Mastra's docs"],
  ['MASTRA_JWT_MAX_HOURS', 'a day', 'positive number of hours'],
  ['MASTRA_JWT_MAX_HOURS', '0', 'positive number of hours'],
  ['MASTRA_JWT_MAX_HOURS', '-5', 'positive number of hours'],
];

/** The error parseEnv throws for `env`. */
function configErrorOf(env: Record<string, string>): Error {
  try {
    parseEnv(env);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`parseEnv accepted ${JSON.stringify(env)}`);
}

const SECRETS = ['AGNOST_ORG_ID', 'OPENAI_API_KEY', 'MASTRA_JWT_SECRET'];

describe.each(BAD_VALUES)('%s=%j', (variable, value, problem) => {
  it('is rejected by parseEnv in one line naming the variable, without the value of a secret', () => {
    const error = configErrorOf({ [variable]: value });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(new RegExp(`^Invalid ${variable}: .*${problem.replace(/[/.*+?]/g, '\\$&')}`));
    expect(error.message).not.toContain('\n');
    if (SECRETS.includes(variable) && value.trim().length > 3) expect(error.message).not.toContain(value);
  });
});

// The chat stops at start-up with that line alone: config.ts does the same for every variable, shown
// here for a secret with a line break in it, a placeholder key, and a variable the model provider reads.
describe.concurrent('a bad value stops the chat', PROCESS_TESTS, () => {
  it.each([
    ['AGNOST_ORG_ID', 'org-1\nX-Injected: 1'],
    ['OPENAI_API_KEY', 'sk-...'],
    ['OPENAI_BASE_URL', 'localhost:11434'],
  ])("%s=%j: exit code 2 and parseEnv's one line, nothing else", async (variable, value) => {
    const run = await inTurn(() => runChat(['--message', 'hi'], { [variable]: value }));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`${configErrorOf({ [variable]: value }).message}\n`);
  });
});

// A .env copied from .env.example, as the README says, with none or some of its values filled in:
// empty values mean the defaults, also for what @ai-sdk/openai reads from the environment itself.
describe.concurrent('a .env copied from .env.example', PROCESS_TESTS, () => {
  const example = readFileSync(join(import.meta.dirname, '..', '.env.example'), 'utf8');

  it.each([
    ['as copied', {}],
    ['with a real-model key and the rest empty', { OPENAI_API_KEY: 'sk-test-0123456789abcdef' }],
  ])('%s: the chat starts, answers or names the model problem in one line', async (_case, filled: Record<string, string>) => {
    const cwd = newWorkDir();
    let env = example;
    for (const [name, value] of Object.entries(filled)) env = env.replace(new RegExp(`^${name}=$`, 'm'), `${name}=${value}`);
    writeFileSync(join(cwd, '.env'), env);
    const run = await inTurn(() => runChat(['--message', 'hello'], { MASTRA_STORAGE_URL: ':memory:' }, '', cwd));
    expect(run.stderr).not.toMatch(/baseURL|InvalidArgumentError|\bat .*\.(ts|js):\d+/);
    if (filled.OPENAI_API_KEY) {
      expect(run.code).toBe(1); // no network to OpenAI here: one model error line, no crash
      expect(run.stderr).toMatch(/^Model error/m);
    } else {
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('echo: hello (message 1; first: hello)\n');
    }
  });
});
