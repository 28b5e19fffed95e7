// The chat's and `npm run doctor`'s view of trace delivery: a tally of every export the Agnost
// exporter makes (from the outcomes AgnostExporter publishes), turned into one-line reports.
import { subscribe } from 'node:diagnostics_channel';
import { EXPORT_CHANNEL, tracesUrl, type ExportOutcome } from '../mastra/agnost.ts';
import { describeExportError, type DeliveryFailure } from '../mastra/export-failures.ts';
import type { LocalTraces } from '../mastra/storage.ts';
import { scriptCommand } from '../settings/script-command.ts';

export type { DeliveryFailure };
export { tracesUrl };

export interface DeliveryTally {
  spansExported: number;
  spansFailed: number;
  exports: number;
  lastFailure: DeliveryFailure | undefined;
}

type Listener = (failure: DeliveryFailure) => void;

const tally: DeliveryTally = { spansExported: 0, spansFailed: 0, exports: 0, lastFailure: undefined };
const listeners = new Set<Listener>();
let watching = false;

/** Starts counting trace exports (idempotent) and calls `onFailure` for each failed export. */
export function watchTraceDelivery(onFailure?: Listener): DeliveryTally {
  if (onFailure) listeners.add(onFailure);
  if (watching) return tally;
  watching = true;
  subscribe(EXPORT_CHANNEL, (message) => {
    const { sent, error } = message as ExportOutcome;
    const spans = sent.length;
    tally.exports += 1;
    if (error === undefined) {
      tally.spansExported += spans;
      return;
    }
    tally.spansFailed += spans;
    tally.lastFailure = describeExportError(error);
    for (const listener of listeners) listener(tally.lastFailure);
  });
  return tally;
}

/** The chat's last line about traces: where they went, how many spans, or why not. */
export function summarizeDelivery(tally: DeliveryTally, agnostEnabled: boolean, endpoint: string, local: LocalTraces = 'kept'): string {
  if (!agnostEnabled) return `Traces: ${LOCAL[local]()}`;
  const url = tracesUrl(endpoint);
  const total = tally.spansExported + tally.spansFailed;
  if (tally.lastFailure) return `Traces: ${tally.spansExported} of ${total} spans exported to ${url} (${tally.lastFailure.reason}).`;
  if (total === 0) return `Traces: nothing exported to ${url} (no answered turn, or the export did not finish before exit).`;
  return `Traces: ${tally.spansExported} spans exported to ${url}.`;
}

// Without AGNOST_ORG_ID: where this process's traces are, and how to keep them.
const TO_AGNOST = 'set AGNOST_ORG_ID to send them to Agnost';
const LOCAL: Record<LocalTraces, () => string> = {
  kept: () => `kept on this machine only, for Studio's Traces page (${scriptCommand('dev')}); ${TO_AGNOST}.`,
  off: () => `none kept (local traces are off in this process, see above); ${TO_AGNOST}.`,
  'no-file': () => `none kept; ${TO_AGNOST}, or run ${scriptCommand('dev')} once to keep them for Studio's Traces page.`,
};
