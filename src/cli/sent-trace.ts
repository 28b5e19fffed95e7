// The doctor's view of one trace as Agnost received it: the span tree it was sent (names), and
// whether the ids, the user's message and the answer are on it.
import type { ExportOutcome } from '../mastra/agnost.ts';
import type { ConversationIds } from '../ask-agent.ts';

type SentSpan = ExportOutcome['sent'][number];

/** The spans' names as a tree, one line each, children indented under their parent. */
export function spanTree(spans: readonly SentSpan[]): string[] {
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  const children = new Map<string | undefined, SentSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId;
    const key = parent && ids.has(parent) ? parent : undefined; // a parent not sent: shown at the top
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    const level = [...(children.get(parent) ?? [])].sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    for (const span of level) {
      lines.push(`${'  '.repeat(depth)}${span.name}`);
      walk(span.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}

export interface ContentSwitches {
  disableInput: boolean;
  disableOutput: boolean;
}

/** "ids on all 7 spans: yes; the user's message: yes; the answer: yes", or what is missing and why. */
export function contentSummary(
  spans: readonly SentSpan[],
  ids: ConversationIds,
  message: string,
  answer: string,
  switches: ContentSwitches,
): string {
  const withIds = spans.filter(
    (span) => span.attributes['agnost.user_id'] === ids.userId && span.attributes['agnost.session_id'] === ids.conversationId,
  ).length;
  const root = spans.find((span) => !span.parentSpanContext)?.attributes ?? {};
  const on = (key: string, text: string) => text !== '' && String(root[key] ?? '').includes(JSON.stringify(text).slice(1, -1));
  const side = (present: boolean, disabled: boolean, variable: string) => (present ? 'yes' : disabled ? `no (${variable}=true)` : 'no');
  return [
    `ids on ${withIds === spans.length ? 'all' : `${withIds} of`} ${spans.length} spans: ${withIds === spans.length ? 'yes' : 'no'}`,
    `the user's message: ${side(on('gen_ai.input.messages', message), switches.disableInput, 'AGNOST_DISABLE_INPUT')}`,
    `the answer: ${side(on('gen_ai.output.messages', answer), switches.disableOutput, 'AGNOST_DISABLE_OUTPUT')}`,
  ].join('; ');
}
