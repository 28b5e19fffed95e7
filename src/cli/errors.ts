// One-line, secret-free descriptions of errors the user can act on.
import { redactSecrets } from '../settings/secrets.ts';

function find<T>(error: unknown, pick: (candidate: Record<string, unknown>) => T | undefined): T | undefined {
  for (let current: unknown = error, depth = 0; current && typeof current === 'object' && depth < 6; depth++) {
    const value = pick(current as Record<string, unknown>);
    if (value !== undefined) return value;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** "Model error: 401 ...: check OPENAI_API_KEY", in one line, with `secrets` (secretsOf(config)) removed. */
export function describeModelError(error: unknown, secrets: (string | undefined)[]): string {
  const status = find(error, (e) => (typeof e.statusCode === 'number' ? e.statusCode : undefined));
  const code = find(error, (e) => (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) ? e.code : undefined));
  const message = find(error, (e) => (typeof e.message === 'string' && e.message ? e.message : undefined)) ?? String(error);
  let hint = '';
  if (status === 401 || status === 403) hint = ': check OPENAI_API_KEY';
  else if (status === 404) hint = ': check OPENAI_MODEL and OPENAI_BASE_URL';
  else if (status === 429) hint = ': rate limited or out of quota, try again later';
  else if (code || /cannot connect|fetch failed/i.test(message)) hint = ': is OPENAI_BASE_URL reachable?';
  const firstLine = message.split('\n')[0]!.slice(0, 300);
  return redactSecrets(secrets, `Model error${status ? ` ${status}` : ''}: ${firstLine}${hint}`);
}

/** A workflow run's failure: a model's error as describeModelError says it, else the error's own first line. */
export function describeWorkflowError(workflowId: string, error: unknown, secrets: (string | undefined)[]): string {
  const fromModel = find(error, (e) =>
    typeof e.statusCode === 'number' || (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) ? true : undefined,
  );
  if (fromModel) return describeModelError(error, secrets);
  const message = error instanceof Error ? error.message : String(error);
  return redactSecrets(secrets, `Workflow ${workflowId} failed: ${message.split('\n')[0]!.slice(0, 300)}`);
}
