// One conversation, with AI SDK UI's useChat: the answer streams in as it comes. Only the new message
// is sent with the conversation's id; the server keeps the history (memory) and gives it back on reopen.
import { useChat } from '@ai-sdk/react';
import { DefaultChatTransport, type UIMessage } from 'ai';
import { useMemo, useState, type FormEvent } from 'react';
import { CHAT_API, problemOf } from './api.ts';

/** The line shown for a failed turn: the server's own words when it refused, else the error's. */
function readable(error: Error): string {
  try {
    const { error: line } = JSON.parse(error.message) as { error?: unknown };
    if (typeof line === 'string') return line;
  } catch {
    // a plain message
  }
  return error.message || 'The assistant could not answer just now. Try again in a moment.';
}

const textOf = (message: UIMessage) =>
  message.parts
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('')
    .trim();

export function Conversation({ id, history, onTurnDone }: { id: string; history: UIMessage[]; onTurnDone: () => void }) {
  const transport = useMemo(
    () =>
      new DefaultChatTransport({
        api: CHAT_API,
        credentials: 'same-origin',
        prepareSendMessagesRequest: ({ id: chatId, messages, trigger, messageId }) => ({
          body: { id: chatId, messages: messages.slice(-1), trigger, ...(messageId ? { messageId } : {}) },
        }),
        // A refusal (401, 404, 400) answers JSON: show its line rather than the raw body.
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (!response.ok) throw new Error(await problemOf(response));
          return response;
        },
      }),
    [],
  );
  const { messages, sendMessage, status, error } = useChat({ id, messages: history, transport, onFinish: onTurnDone });
  const [draft, setDraft] = useState('');
  const busy = status === 'submitted' || status === 'streaming';

  function send(event: FormEvent) {
    event.preventDefault();
    const text = draft.trim();
    if (!text || busy) return;
    setDraft('');
    void sendMessage({ text });
  }

  return (
    <>
      <ol className="messages" role="log" aria-live="polite" aria-label="Conversation history">
        {messages.map((message) => (
          <li key={message.id} className={message.role}>
            <span className="role">{message.role === 'user' ? 'You' : 'Assistant'}</span>
            <p>{textOf(message)}</p>
          </li>
        ))}
        {status === 'submitted' && <li className="assistant pending">Thinking…</li>}
      </ol>
      {error && (
        <p className="problem" role="alert">
          {readable(error)}
        </p>
      )}
      <form className="composer" onSubmit={send}>
        <label>
          Message
          <textarea
            value={draft}
            rows={2}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey) send(event);
            }}
          />
        </label>
        <button type="submit" disabled={busy || !draft.trim()}>
          Send
        </button>
      </form>
    </>
  );
}
