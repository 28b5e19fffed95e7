// The model every agent uses when no OPENAI_API_KEY is set, so the first run needs no keys at all.
// It implements the AI SDK language-model spec (v4) that @mastra/core accepts, serves any agent, and
// is deterministic, so tests and demos get real tool calls and real traces without a network:
// - it calls each of the agent's tools whose input it can fill from the user's message, reading the
//   tool's input JSON schema (see fillFromMessage), then answers with what the tools returned;
// - when no tool fits, it says it is the offline demo model and shows it sees the earlier turns that
//   memory gave it.
// It never needs to know which tools an agent has: swapping or adding a tool changes nothing here.
import type {
  JSONSchema7,
  JSONSchema7Definition,
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4GenerateResult,
  LanguageModelV4Message,
  LanguageModelV4StreamPart,
  LanguageModelV4ToolResultOutput,
} from '@ai-sdk/provider';

const QUOTE_LIMIT = 80;

function textOf(message: LanguageModelV4Message): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return `"${oneLine.length > QUOTE_LIMIT ? `${oneLine.slice(0, QUOTE_LIMIT)}...` : oneLine}"`;
}

/**
 * A tool's input made from the user's message, or undefined if a required value is not in it:
 * - a string with a `pattern` (zod's .regex()) gets the first part of the message that matches it;
 *   one with an `enum`, the first value the message mentions (else the first value); any other
 *   string, the whole message;
 * - numbers and integers take the message's numbers in order (not the digits inside an id);
 * - booleans are false, arrays empty, objects filled the same way (required properties only).
 */
export function fillFromMessage(schema: JSONSchema7Definition, message: string): unknown {
  // Numbers on their own, not the digits of an id such as ORD-1234 or B12.
  const numbers = (message.match(/(?<![\w.-])-?\d+(?:\.\d+)?(?![\w-])/g) ?? []).map(Number);
  const fill = (definition: JSONSchema7Definition): unknown => {
    if (typeof definition === 'boolean') return definition ? message : undefined;
    const node: JSONSchema7 = definition;
    if (node.const !== undefined) return node.const;
    if (node.anyOf?.[0] !== undefined) return fill(node.anyOf[0]);
    const type = Array.isArray(node.type) ? node.type.find((candidate) => candidate !== 'null') : node.type;
    if (node.enum) {
      return node.enum.find((value) => typeof value === 'string' && message.toLowerCase().includes(value.toLowerCase())) ?? node.enum[0];
    }
    switch (type) {
      case 'string':
        return node.pattern ? message.match(new RegExp(node.pattern))?.[0].trim() || undefined : message.trim();
      case 'number':
      case 'integer': {
        const next = numbers.shift();
        return next === undefined ? undefined : type === 'integer' ? Math.trunc(next) : next;
      }
      case 'boolean':
        return false;
      case 'array':
        return [];
      case 'object':
      case undefined: {
        const input: Record<string, unknown> = {};
        for (const name of node.required ?? []) {
          const value = fill(node.properties?.[name] ?? true);
          if (value === undefined) return undefined;
          input[name] = value;
        }
        return input;
      }
      default:
        return undefined;
    }
  };
  return fill(schema);
}

function describeOutput(output: LanguageModelV4ToolResultOutput): string {
  switch (output.type) {
    case 'json':
      return `returned ${JSON.stringify(output.value)}`;
    case 'text':
      return `returned ${output.value}`;
    case 'error-json':
      return `failed: ${JSON.stringify(output.value)}`;
    case 'error-text':
      return `failed: ${output.value}`;
    default:
      return `returned ${output.type}`;
  }
}

function respond(options: LanguageModelV4CallOptions): LanguageModelV4Content[] {
  const messages = options.prompt;
  const last = messages.at(-1);

  // Second step: the tools have answered; say what they returned, one line per tool.
  if (last?.role === 'tool') {
    const lines = last.content.flatMap((part) => (part.type === 'tool-result' ? [`${part.toolName} ${describeOutput(part.output)}`] : []));
    return [{ type: 'text', text: lines.join('\n') || 'The tools gave no result.' }];
  }

  const userMessages = messages.filter((message) => message.role === 'user');
  const current = userMessages.at(-1);
  const currentText = current ? textOf(current) : '';
  const tools = (options.tools ?? []).filter((tool) => tool.type === 'function');
  const calls: LanguageModelV4Content[] = tools.flatMap((tool, index) => {
    const input = fillFromMessage(tool.inputSchema, currentText);
    if (input === undefined) return [];
    return [
      { type: 'tool-call', toolCallId: `offline-call-${userMessages.length}-${index}`, toolName: tool.name, input: JSON.stringify(input) },
    ];
  });
  if (calls.length > 0) return calls;

  const earlier = userMessages.slice(0, -1);
  const memory =
    earlier.length === 0
      ? 'This is the first message of this conversation.'
      : `This is message ${earlier.length + 1} of this conversation; you started it with ${quote(textOf(earlier[0]!))}.`;
  const toolHint =
    tools.length > 0
      ? `Ask for something my tools (${tools.map((tool) => tool.name).join(', ')}) can do to see a tool call, or set`
      : 'Set';
  return [
    {
      type: 'text',
      text: `I am the offline demo model, so I can only echo: you said ${quote(currentText)}. ${memory} ${toolHint} OPENAI_API_KEY for a real model.`,
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
    // agent.stream (the chat in a terminal, Mastra Studio) uses this: the same answer, as one chunk.
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
