// The chat's command line: flags, their validation, and the usage text.
import { parseArgs } from 'node:util';
import { ID_RULE, isValidId } from '../settings/ids.ts';
import { scriptCommand } from '../settings/script-command.ts';

/** The chat's help, its commands in the form of the package manager that runs it. */
export function usage(): string {
  const chat = (args?: string) => scriptCommand('chat', args);
  return `Usage: ${chat('[options]')}

Talk to the agent. Every turn is traced with your user id and conversation id.
  Interactive:  ${chat()}
  One-shot:     ${chat('--message "hello"')}
  Piped:        printf 'hello\\nwhat is 2 + 2?\\n' | ${chat()}
  A workflow:   ${chat('--workflow <id> --message "hello"')}

Options:
  --message <text>       answer one message and exit
  --agent <id>           the agent to talk to (default: the first in src/agents/index.ts)
  --workflow <id>        run a workflow of src/workflows/index.ts with each message ({ message }) instead
  --user <id>            user id (default: CHAT_USER_ID, else a stable pseudonymous id for this machine)
  --conversation <id>    conversation id to resume (default: a new one per run)
  --json                 print one JSON object per turn: text, userId, conversationId, traceId
  --help                 show this help

In interactive mode: /new starts a new conversation, /whoami shows the ids, /help, /exit.`;
}

export class UsageError extends Error {}

export interface ChatOptions {
  message: string | undefined;
  /** From --agent; checked against the project's agents once they are built. */
  agentId: string | undefined;
  /** From --workflow; checked against the project's workflows once they are built. */
  workflowId: string | undefined;
  /** From --user; the chat falls back to CHAT_USER_ID, then to localUserId() (src/settings/ids.ts). */
  userId: string | undefined;
  conversationId: string | undefined;
  json: boolean;
  help: boolean;
}

function checkId(flag: string, value: string): string {
  if (!isValidId(value)) throw new UsageError(`${flag} must be ${ID_RULE}`);
  return value;
}

export function parseChatArgs(argv: string[]): ChatOptions {
  let parsed;
  try {
    parsed = parseArgs({
      // `pnpm run chat -- --message hi` passes the `--` on (npm and bun do not).
      args: argv[0] === '--' ? argv.slice(1) : argv,
      strict: true,
      allowPositionals: false,
      options: {
        message: { type: 'string' },
        agent: { type: 'string' },
        workflow: { type: 'string' },
        user: { type: 'string' },
        conversation: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    // Node's messages are multi-line and mention internals; keep the first sentence.
    const message = error instanceof Error ? error.message.split('\n')[0]!.replace(/\. To specify.*$/, '') : String(error);
    throw new UsageError(message);
  }
  const { values } = parsed;
  if (values.message !== undefined && values.message.trim() === '') throw new UsageError('--message needs some text');
  if (values.agent !== undefined && values.workflow !== undefined) throw new UsageError('--agent and --workflow: give one or the other');
  return {
    message: values.message,
    agentId: values.agent,
    workflowId: values.workflow,
    userId: values.user !== undefined ? checkId('--user', values.user) : undefined,
    conversationId: values.conversation !== undefined ? checkId('--conversation', values.conversation) : undefined,
    json: values.json ?? false,
    help: values.help ?? false,
  };
}
