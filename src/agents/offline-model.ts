// The model the agent uses when no OPENAI_API_KEY is set, so the first run needs no keys at all.
// It implements the AI SDK language-model spec (v4) that @mastra/core accepts, and is deterministic:
// arithmetic goes through the calculator tool; anything else gets an honest "I am the offline demo
// model" answer that shows it sees the earlier turns memory gave it.
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4GenerateResult,
  LanguageModelV4Message,
  LanguageModelV4StreamPart,
} from '@ai-sdk/provider';

const CALCULATOR_TOOL = 'calculator';
// A run of numbers joined by operators, e.g. "17 * 23" or "(2 + 3) ^ 2"; plain numbers alone do not count.
const ARITHMETIC = /[(\-+]*\s*(?:\d+(?:\.\d+)?|\.\d+)(?:\s*[)]*\s*[-+*/%^×]\s*[(]*\s*-?(?:\d+(?:\.\d+)?|\.\d+))+\s*\)*/;
const QUOTE_LIMIT = 80;

function textOf(message: LanguageModelV4Message): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return `"${oneLine.length > QUOTE_LIMIT ? `${oneLine.slice(0, QUOTE_LIMIT)}...` : oneLine}"`;
}

export function findArithmetic(text: string): string | undefined {
  const match = text.match(ARITHMETIC)?.[0];
  if (!match) return undefined;
  const expression = match.replace(/×/g, '*').trim();
  // Keep parentheses balanced when the match started or ended inside a pair.
  const open = (expression.match(/\(/g) ?? []).length;
  const close = (expression.match(/\)/g) ?? []).length;
  return open > close ? expression + ')'.repeat(open - close) : '('.repeat(close - open) + expression;
}

function respond(options: LanguageModelV4CallOptions): LanguageModelV4Content[] {
  const messages = options.prompt;
  const last = messages.at(-1);

  // Second step of a tool call: turn the calculator's result into the answer.
  if (last?.role === 'tool') {
    const result = last.content.find((part) => part.type === 'tool-result');
    const output = result?.output.type === 'json' ? result.output.value : undefined;
    const value = (output ?? {}) as { expression?: string; result?: string; error?: string };
    const text = value.result
      ? `${value.expression} = ${value.result}`
      : `I could not calculate ${quote(value.expression ?? '')}: ${value.error ?? 'the tool gave no result'}.`;
    return [{ type: 'text', text }];
  }

  const userMessages = messages.filter((message) => message.role === 'user');
  const current = userMessages.at(-1);
  const currentText = current ? textOf(current) : '';
  const expression = findArithmetic(currentText);
  const calculatorOffered = options.tools?.some((tool) => tool.name === CALCULATOR_TOOL) ?? false;
  if (expression && calculatorOffered) {
    return [
      {
        type: 'tool-call',
        toolCallId: `offline-call-${userMessages.length}`,
        toolName: CALCULATOR_TOOL,
        input: JSON.stringify({ expression }),
      },
    ];
  }

  const earlier = userMessages.slice(0, -1);
  const memory =
    earlier.length === 0
      ? 'This is the first message of this conversation.'
      : `This is message ${earlier.length + 1} of this conversation; you started it with ${quote(textOf(earlier[0]!))}.`;
  return [
    {
      type: 'text',
      text:
        `I am the offline demo model, so I can only echo: you said ${quote(currentText)}. ${memory} ` +
        'Ask me for arithmetic such as "what is 17 * 23?" to see a tool call, ' +
        'or set OPENAI_API_KEY for a real model.',
    },
  ];
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function generate(options: LanguageModelV4CallOptions): LanguageModelV4GenerateResult {
  const content = respond(options);
  const promptText = options.prompt.map(textOf).join('\n');
  const outputText = content.map((part) => (part.type === 'text' ? part.text : part.type === 'tool-call' ? part.input : '')).join('');
  const toolCall = content.some((part) => part.type === 'tool-call');
  return {
    content,
    finishReason: { unified: toolCall ? 'tool-calls' : 'stop', raw: toolCall ? 'tool_calls' : 'stop' },
    // Rough counts, so token usage shows up in traces as it would with a real model.
    usage: {
      inputTokens: { total: estimateTokens(promptText), noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: estimateTokens(outputText), text: undefined, reasoning: undefined },
    },
    warnings: [],
  };
}

export function createOfflineModel(): LanguageModelV4 {
  return {
    specificationVersion: 'v4',
    provider: 'offline',
    modelId: 'offline-demo',
    supportedUrls: {},
    async doGenerate(options) {
      return generate(options);
    },
    // agent.stream (Mastra Studio) uses this: the same answer, as one chunk.
    async doStream(options) {
      const result = generate(options);
      const parts: LanguageModelV4StreamPart[] = [{ type: 'stream-start', warnings: [] }];
      for (const [index, part] of result.content.entries()) {
        if (part.type === 'text') {
          const id = `text-${index}`;
          parts.push({ type: 'text-start', id }, { type: 'text-delta', id, delta: part.text }, { type: 'text-end', id });
        } else if (part.type === 'tool-call') {
          parts.push(part);
        }
      }
      parts.push({ type: 'finish', usage: result.usage, finishReason: result.finishReason });
      return {
        stream: new ReadableStream<LanguageModelV4StreamPart>({
          start(controller) {
            for (const part of parts) controller.enqueue(part);
            controller.close();
          },
        }),
      };
    },
  };
}
