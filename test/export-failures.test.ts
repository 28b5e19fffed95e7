// The server's report of export failures: one line when exports start failing, nothing more per
// failed export, one more at most once a minute with the spans dropped, one line on recovery.
import { channel } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPORT_CHANNEL, type ExportOutcome } from '../src/mastra/agnost.ts';
import { REPORT_INTERVAL_MS, reportExportFailures } from '../src/mastra/export-failures.ts';

const url = 'http://127.0.0.1:9/v1/traces';
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
const publish = ({ spans, error }: { spans: number; error: unknown }) =>
  channel(EXPORT_CHANNEL).publish({ url, sent: Array.from({ length: spans }), error } as ExportOutcome);
let stop = () => {};
afterEach(() => stop());

describe('reportExportFailures', () => {
  it('one line at the first failure, one a minute while it lasts, one on recovery', () => {
    const lines: string[] = [];
    let clock = 0;
    stop = reportExportFailures(
      (line) => lines.push(line),
      () => clock,
    );

    publish({ spans: 7, error: undefined });
    expect(lines).toEqual([]);
    publish({ spans: 7, error: refused });
    expect(lines).toEqual([
      `Traces are not reaching ${url}: connection refused: is AGNOST_OTEL_ENDPOINT right and the collector running? (7 spans dropped so far; reported again at most once a minute).`,
    ]);
    for (let failure = 0; failure < 20; failure++) {
      clock += 1_000;
      publish({ spans: 7, error: refused });
    }
    expect(lines).toHaveLength(1);
    clock += REPORT_INTERVAL_MS;
    publish({ spans: 7, error: refused });
    expect(lines[1]).toBe(
      `Traces are still not reaching ${url}: connection refused: is AGNOST_OTEL_ENDPOINT right and the collector running? (154 spans dropped since it started failing).`,
    );
    publish({ spans: 7, error: undefined });
    publish({ spans: 7, error: undefined });
    expect(lines.slice(2)).toEqual([`Traces reach ${url} again (154 spans were dropped meanwhile).`]);
  });

  it('names an HTTP status and its fix', () => {
    const lines: string[] = [];
    stop = reportExportFailures((line) => lines.push(line));
    publish({ spans: 3, error: Object.assign(new Error('Unauthorized'), { code: 401 }) });
    expect(lines[0]).toContain('401 Unauthorized: check AGNOST_ORG_ID');
  });
});
