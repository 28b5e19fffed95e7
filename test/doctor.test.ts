// npm run doctor on the tests' project (scripted model) against a local OTLP receiver in each state a
// user can meet. Tests that read the same doctor run share it; the runs share nothing, so they run
// concurrently, a few at a time.
import { afterAll, describe, expect, it } from 'vitest';
import { describeExportError } from '../src/mastra/export-failures.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceiverMode } from './helpers/otlp-receiver.ts';
import { AGENT_IDS, WORKFLOW_IDS } from './helpers/agent.ts';
import { inTurns, runScript } from './helpers/run-script.ts';

const ORG_ID = 'org_doctor_secret_1234';
const JWT_SECRET = 'doctor-secret-5c1e9a7b3d2f4e6a8c0b1d3f5a7c9e2b';
const inTurn = inTurns(3);
// A test's time includes waiting its turn.
const PROCESS_TESTS = { timeout: 180_000 };
const doctor = (env: Record<string, string>) => inTurn(() => runScript('doctor', [], env));
// Closed once the file is done: tests run concurrently, so none may close what another still uses.
const receivers: OtlpReceiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
});

async function receiver(mode?: ReceiverMode) {
  const started = await startOtlpReceiver(mode);
  receivers.push(started);
  return started;
}

async function doctorAgainst(mode: ReceiverMode | 'closed', env: Record<string, string> = {}) {
  const otlp = await receiver(mode === 'closed' ? undefined : mode);
  if (mode === 'closed') await otlp.close();
  const run = await doctor({ AGNOST_ORG_ID: ORG_ID, AGNOST_OTEL_ENDPOINT: otlp.tracesUrl, ...env });
  return { run, receiver: otlp };
}

/** A run several tests read: started by the first that asks for it. */
function shared<T>(start: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => (started ??= start());
}

// Everything right, and nothing but the endpoint and the org id set.
const acceptedRun = shared(() => doctorAgainst({ status: 200 }));
// A privacy switch on, and the server's auth.
const switchesRun = shared(() => doctorAgainst({ status: 200 }, { AGNOST_DISABLE_OUTPUT: 'true', MASTRA_JWT_SECRET: JWT_SECRET }));

describe.concurrent('npm run doctor', PROCESS_TESTS, () => {
  it('exits 0 and reports the accepted spans when the endpoint answers 200', async ({ expect }) => {
    const { run, receiver } = await acceptedRun();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`POST ${receiver.tracesUrl}  HTTP 200  ${receiver.spans().length} spans`);
    expect(run.stdout).toMatch(/Result: OK: the endpoint accepted \d+ spans/);
    expect(receiver.requests[0]?.headers['x-agnost-org-id']).toBe(ORG_ID);
  });

  it("sends a turn from every agent and workflow and shows each one's span tree as Agnost received it, with the ids, the message and the answer on it", async ({
    expect,
  }) => {
    const { run, receiver } = await acceptedRun();
    const runs = [...AGENT_IDS.map((id) => `agent ${id}`), ...WORKFLOW_IDS.map((id) => `workflow ${id}`)];
    for (const name of runs) {
      const at = run.stdout.indexOf(`\n  ${name}\n    answered  trace `);
      expect(at, `${name}: ${run.stdout}`).toBeGreaterThan(0);
      const block = run.stdout.slice(at + 1).split(/\n(?=  \S|\n)/)[0]!;
      const traceId = block.match(/answered {2}trace (\w+), userId agnost-doctor/)![1];
      const trace = receiver.spans().filter((span) => span.traceId === traceId);
      const root = trace.find((span) => span.parentSpanId === '')!;
      expect(block).toContain(`\n    spans     ${root.name}\n`);
      const tree = block.split('\n').filter((line) => /^ {4}spans {5}\S/.test(line) || /^ {16,}\S/.test(line));
      expect(tree.map((line) => line.trim().replace(/^spans\s+/, '')).sort()).toEqual(trace.map((span) => span.name).sort());
      expect(block).toContain(`\n    on them   ids on all ${trace.length} spans: yes; the user's message: yes; the answer: yes`);
    }
  });

  it('says which side a privacy switch keeps out', async ({ expect }) => {
    const { run } = await switchesRun();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ok\s+AGNOST_DISABLE_OUTPUT\s+true: answers are kept out of the spans/);
    expect(run.stdout).toContain("the user's message: yes; the answer: no (AGNOST_DISABLE_OUTPUT=true)");
  });

  it.each([
    [{ status: 401 }, 'HTTP 401', /401 Unauthorized: check AGNOST_ORG_ID/],
    [{ status: 500 }, 'HTTP 500', /500 Internal Server Error: the endpoint failed/],
    ['hang' as const, 'HTTP no answer', /timed out/],
    ['closed' as const, 'HTTP no answer', /connection refused/],
  ])('diagnoses %j and exits 1', async (mode, wire, diagnosis) => {
    const { run } = await doctorAgainst(mode);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(wire);
    expect(run.stdout).toMatch(new RegExp(`Result: FAILED: ${diagnosis.source}`));
  });

  // The doctor's diagnosis is the export error's description (the 401 above shows it end to end).
  it.each([
    [403, 'Forbidden', /^403 Forbidden: check AGNOST_ORG_ID/],
    [404, 'Not Found', /^404 Not Found: check AGNOST_OTEL_ENDPOINT/],
  ])('diagnoses HTTP %i', (status, text, diagnosis) => {
    expect(describeExportError(Object.assign(new Error(text), { code: status })).reason).toMatch(diagnosis);
  });

  it('diagnoses https:// against a plain-http endpoint as a TLS mismatch', async ({ expect }) => {
    const otlp = await receiver();
    const run = await doctor({ AGNOST_ORG_ID: ORG_ID, AGNOST_OTEL_ENDPOINT: otlp.tracesUrl.replace('http:', 'https:') });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Result: FAILED: TLS handshake failed: check http:\/\/ versus https:\/\//);
  });

  it('never prints the org id, only its last characters', async ({ expect }) => {
    const { run } = await acceptedRun();
    expect(run.stdout + run.stderr).not.toContain(ORG_ID);
    expect(run.stdout).toMatch(/AGNOST_ORG_ID\s+set \(…1234\)/);
  });

  it('reports the auth mode, and never prints the JWT secret', async ({ expect }) => {
    const [{ run: open }, { run: on }] = await Promise.all([acceptedRun(), switchesRun()]);
    expect(open.stdout).toMatch(/default\s+MASTRA_JWT_SECRET\s+not set: the server API is open \(no auth\)/);
    expect(on.stdout).toMatch(/ok\s+MASTRA_JWT_SECRET\s+set \(…9e2b\): the server API requires a JWT/);
    expect(on.stdout + on.stderr).not.toContain(JWT_SECRET);
  });

  it('exits 1 with the fix when AGNOST_ORG_ID is not set, sending nothing', async ({ expect }) => {
    const otlp = await receiver();
    const run = await doctor({ AGNOST_OTEL_ENDPOINT: otlp.tracesUrl });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('AGNOST_ORG_ID is not set');
    expect(otlp.requests).toEqual([]);
  });

  it('lists every invalid setting with its fix and exits 2', async ({ expect }) => {
    const run = await doctor({ AGNOST_ORG_ID: '<your-org-id>', OPENAI_BASE_URL: 'localhost:11434' });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/INVALID\s+AGNOST_ORG_ID\s+is still a placeholder/);
    expect(run.stdout).toMatch(/INVALID\s+OPENAI_BASE_URL\s+must be an http/);
  });
});
