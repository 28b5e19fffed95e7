// Mastra's own log output: one line per entry on stderr, secrets removed. Mastra's default console
// logger prints whole error objects (stack traces, request bodies, and whatever an upstream API echoes
// back, which can include the API key), and prints info lines on stdout.
import { MastraLogger } from '@mastra/core/logger';
import { redactSecrets } from '../settings/secrets.ts';

type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
// From the first stack frame on ("at fn (file:///...:33:28)"): file paths and internals, nothing to act on.
const STACK_TRACE = /\s+at (?:[^\s()]+ )*\(?(?:file:|node:|\/)\S*:\d+(?::\d+)?\)?.*$/;

/** A validation error's message is a JSON list of issues: "messages: Invalid input; ..." reads better. */
function describeMessage(message: string): string {
  try {
    const issues: unknown = JSON.parse(message);
    if (Array.isArray(issues) && issues.length > 0) {
      return issues
        .map((issue: { path?: unknown[]; message?: unknown }) => `${(issue.path ?? []).join('.') || 'body'}: ${String(issue.message)}`)
        .join('; ');
    }
  } catch {
    // not JSON: the message as it is
  }
  return message.replace(/\s*\n\s*/g, ' ');
}

function summarize(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object') {
    // Errors, and Mastra's { error } wrappers around them: the whole message on one line, no stack.
    const { name, message, error } = arg as { name?: unknown; message?: unknown; error?: unknown };
    if (typeof message === 'string') return `${typeof name === 'string' ? `${name}: ` : ''}${describeMessage(message).slice(0, 500)}`;
    if (error && typeof error === 'object') return summarize(error);
  }
  try {
    return JSON.stringify(arg)?.slice(0, 300) ?? String(arg);
  } catch {
    return String(arg);
  }
}

export interface OneLineLoggerOptions {
  level?: Level;
  component?: string;
  /** The values to remove from every line (secretsOf(config)); shapes of API keys are removed anyway. */
  secrets?: (string | undefined)[];
  /** Messages to leave out, e.g. errors a caller already reports in its own words. */
  ignore?: RegExp;
  /** The line to print, whatever the level, when the server announces its URL ("Mastra API running"). */
  serverReady?: (apiUrl: string) => string;
}

export class OneLineLogger extends MastraLogger {
  readonly #options: OneLineLoggerOptions;

  constructor(options: OneLineLoggerOptions = {}) {
    super({ name: 'Mastra', level: options.level ?? 'warn' });
    this.#options = options;
  }

  child(component: string | { component?: string }): OneLineLogger {
    const name = typeof component === 'string' ? component : (component.component ?? this.#options.component);
    return new OneLineLogger({ ...this.#options, ...(name ? { component: name } : {}) });
  }

  #write(level: Level, message: string, args: unknown[]) {
    if (RANK[level] < RANK[this.#options.level ?? 'warn'] || this.#options.ignore?.test(message)) return;
    const prefix = this.#options.component ? `[${this.#options.component}] ` : '';
    const details = args.map(summarize).filter(Boolean).join('; ');
    const line = `${prefix}${message}${details ? `: ${details}` : ''}`.replace(/\s*\n\s*/g, ' ').replace(STACK_TRACE, '');
    process.stderr.write(`${redactSecrets(this.#options.secrets ?? [], line)}\n`);
  }

  debug(message: string, ...args: unknown[]) {
    this.#write('debug', message, args);
  }
  info(message: string, ...args: unknown[]) {
    const apiUrl = (args[0] as { url?: unknown } | undefined)?.url;
    if (message === 'Mastra API running' && typeof apiUrl === 'string' && this.#options.serverReady) {
      process.stderr.write(`${this.#options.serverReady(apiUrl)}\n`);
    }
    this.#write('info', message, args);
  }
  warn(message: string, ...args: unknown[]) {
    this.#write('warn', message, args);
  }
  error(message: string, ...args: unknown[]) {
    this.#write('error', message, args);
  }
}
