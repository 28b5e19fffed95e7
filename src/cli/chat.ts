// npm run chat: talk to an agent of the project (the default one, or --agent <id>), or run a workflow
// (--workflow <id>), in a terminal, one-shot (--message) or piped, with every turn traced under your
// user id and conversation id. See --help. scripts/chat.ts runs it on the product (src/project.ts);
// the template's tests run it on their fixtures.
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Project } from '../mastra/assembly.ts';
import { parseChatArgs, usage, UsageError, type ChatOptions } from './chat-args.ts';

/** The chat with `argv` (flags after the script's name) on the project `loadProject` gives; exits the process when done. */
export async function runChat(loadProject: () => Promise<Project>, argv: string[]): Promise<void> {
  function fail(message: string): never {
    process.stderr.write(`${message}\n${usage()}\n`);
    process.exit(2);
  }

  let options: ChatOptions;
  try {
    options = parseChatArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) fail(error.message);
    throw error;
  }
  if (options.help) {
    process.stdout.write(`${usage()}\n`);
    process.exit(0);
  }

  // Loaded after the flags are checked, so --help and bad flags answer at once.
  const config = (await import('../settings/config.ts')).loadConfigOrExit();
  // The names are checked before anything is built, so a wrong one gets its one line and nothing else.
  const project = await loadProject();
  const agentIds = Object.keys(project.agents);
  const workflowIds = Object.keys(project.workflows);
  const agentId = options.agentId ?? agentIds[0]!;
  if (!agentIds.includes(agentId)) {
    process.stderr.write(`Unknown agent "${agentId}": use --agent with one of ${agentIds.join(', ')}.\n`);
    process.exit(2);
  }
  const workflowId = options.workflowId;
  if (workflowId !== undefined && !workflowIds.includes(workflowId)) {
    process.stderr.write(
      `Unknown workflow "${workflowId}": ${workflowIds.length ? `use --workflow with one of ${workflowIds.join(', ')}` : 'src/workflows/index.ts lists none'}.\n`,
    );
    process.exit(2);
  }
  const { createMastra } = await import('../mastra/assembly.ts');
  const { mastra, model, traceStore, localTraces } = await createMastra(config, { mode: 'cli', project });
  if (model.notice) process.stderr.write(`${model.notice}\n`);
  const { secretsOf } = await import('../settings/env.ts');
  const { localUserId } = await import('../settings/ids.ts');
  const { askAgent } = await import('../ask-agent.ts');
  const { runWorkflow } = await import('../run-workflow.ts');
  const { summarizeDelivery, watchTraceDelivery } = await import('./trace-delivery.ts');
  const { TraceFlusher } = await import('./trace-flusher.ts');
  const { describeModelError, describeWorkflowError } = await import('./errors.ts');
  const { dim, startSpinner, yellow } = await import('./terminal.ts');

  const agent = mastra.getAgent(agentId);
  const secrets = secretsOf(config);
  // Between turns, let go of Studio's trace file, so `npm run dev` can start while the chat is open.
  const flusher = new TraceFlusher(mastra, { whenIdle: async () => traceStore?.close() });
  const interactive = options.message === undefined && process.stdin.isTTY === true;
  const ids = {
    userId: options.userId ?? localUserId(config),
    conversationId: options.conversationId ?? randomUUID(),
  };

  let warned = false;
  const tally = watchTraceDelivery((failure) => {
    if (warned) return;
    warned = true;
    process.stderr.write(`${yellow(`Warning: traces are not reaching ${config.agnostEndpoint}: ${failure.reason}`)}\n`);
  });

  let exiting = false;
  async function exit(code: number): Promise<never> {
    exiting = true;
    if (interactive) process.stdout.write('\n'); // leave the prompt line
    await flusher.close();
    process.stderr.write(`${dim(summarizeDelivery(tally, config.agnostOrgId !== undefined, config.agnostEndpoint, localTraces))}\n`);
    // A pipe's reader may be slower than the answers: exit once they are all written, not cut short.
    await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
    process.exit(code);
  }

  function onSignal(code: number) {
    // A second Ctrl-C (or SIGTERM) while the first is still flushing exits at once.
    if (exiting) process.exit(code);
    void exit(code);
  }
  process.on('SIGINT', () => onSignal(130));
  process.on('SIGTERM', () => onSignal(143));

  /** The answer being streamed in a terminal: Ctrl-C stops it and the session goes on. */
  let streaming: AbortController | undefined;

  /** In a terminal: the answer appears as the model streams it, with the same ids, memory and tracing. */
  async function streamedTurn(message: string) {
    streaming = new AbortController();
    const stopSpinner = startSpinner();
    let started = false;
    try {
      const answer = await askAgent(agent, message, ids, {
        abortSignal: streaming.signal,
        onText: (text) => {
          if (!started) stopSpinner();
          started = true;
          process.stdout.write(text);
        },
      });
      stopSpinner();
      const stopped = streaming.signal.aborted ? '(stopped) ' : '';
      process.stdout.write(`${started ? '\n' : `${answer.text}\n`}${dim(`${stopped}trace ${answer.traceId ?? 'not sampled'}`)}\n`);
    } catch (error) {
      stopSpinner();
      if (!streaming.signal.aborted) throw error;
      process.stdout.write(`${started ? '\n' : ''}${dim('(stopped)')}\n`);
    } finally {
      streaming = undefined;
    }
  }

  /** With --workflow: one run with `{ message }` as its input; its answer is the result's `text` if it has one. */
  async function workflowTurn(id: string, message: string) {
    const { result, traceId } = await runWorkflow(mastra.getWorkflow(id), { message }, ids);
    const text = (result as { text?: unknown } | undefined)?.text;
    return { text: typeof text === 'string' ? text : JSON.stringify(result), traceId };
  }

  /** One turn: ask (or run the workflow), print, start exporting its spans. Returns false if it failed. */
  async function turn(message: string): Promise<boolean> {
    try {
      if (interactive && workflowId === undefined) {
        await streamedTurn(message);
        return true;
      }
      const answer = workflowId === undefined ? await askAgent(agent, message, ids) : await workflowTurn(workflowId, message);
      if (exiting) return true; // interrupted: the answer arrived after Ctrl-C
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ text: answer.text, ...ids, traceId: answer.traceId ?? null })}\n`);
      } else {
        process.stdout.write(`${answer.text}\n`);
      }
      return true;
    } catch (error) {
      process.stderr.write(
        `${workflowId === undefined ? describeModelError(error, secrets) : describeWorkflowError(workflowId, error, secrets)}\n`,
      );
      return false;
    } finally {
      flusher.flushInBackground();
    }
  }

  if (options.message !== undefined) {
    await exit((await turn(options.message)) ? 0 : 1);
  }

  if (interactive) {
    process.stderr.write(
      dim(
        `Chatting with ${workflowId === undefined ? agentId : `workflow ${workflowId}`} as ${ids.userId} in conversation ${ids.conversationId}. /help for commands, Ctrl-D to quit.\n`,
      ),
    );
  }
  const lines = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
  // In a terminal, readline takes Ctrl-C itself: it stops an answer being streamed, else it is the signal.
  lines.on('SIGINT', () => (streaming ? streaming.abort() : onSignal(130)));
  lines.setPrompt('you> ');
  if (interactive) lines.prompt();

  let failedTurns = 0;
  for await (const line of lines) {
    if (exiting) break;
    const message = line.trim();
    if (interactive && message.startsWith('/')) {
      const command = message.split(/\s+/)[0];
      if (command === '/exit' || command === '/quit') break;
      if (command === '/new') {
        ids.conversationId = randomUUID();
        process.stdout.write(`New conversation ${ids.conversationId}\n`);
      } else if (command === '/whoami') {
        process.stdout.write(`userId ${ids.userId}\nconversationId ${ids.conversationId}\n`);
      } else {
        if (command !== '/help') process.stdout.write(`Unknown command ${command}.\n`);
        process.stdout.write(`/new  start a new conversation\n/whoami  show the ids\n/help  this list\n/exit  quit\n`);
      }
    } else if (message !== '' && !(await turn(message))) {
      failedTurns += 1;
    }
    if (interactive && !exiting) lines.prompt();
  }
  if (!exiting) await exit(failedTurns > 0 && !interactive ? 1 : 0);
}
