// The signed-in page: the user's conversations (open, delete, start a new one) beside the open one.
// The open conversation is in the address (?c=<id>) once it has a message, so a reload reopens it.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { UIMessage } from 'ai';
import { deleteConversation, listConversations, loadConversation, type ConversationSummary } from './api.ts';
import { authClient } from './auth-client.ts';
import { Conversation } from './Conversation.tsx';

const fromAddress = () => new URLSearchParams(window.location.search).get('c') ?? undefined;

function showInAddress(id: string | undefined) {
  const url = new URL(window.location.href);
  if (id) url.searchParams.set('c', id);
  else url.searchParams.delete('c');
  window.history.replaceState(null, '', url);
}

interface Open {
  id: string;
  history: UIMessage[];
}

export function ChatPage({ email, onSignedOut }: { email: string; onSignedOut: () => void }) {
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [open, setOpen] = useState<Open | undefined>();
  const [problem, setProblem] = useState('');
  // The conversation open now: a turn may end after the user left it (New conversation while it streamed).
  const openId = useRef<string | undefined>(undefined);
  useEffect(() => {
    openId.current = open?.id;
  }, [open]);

  const refresh = useCallback(() => {
    listConversations().then(setConversations, (error: Error) => setProblem(error.message));
  }, []);

  const startNew = useCallback(() => {
    showInAddress(undefined);
    setOpen({ id: crypto.randomUUID(), history: [] });
  }, []);

  const reopen = useCallback(
    async (id: string) => {
      setProblem('');
      try {
        const history = await loadConversation(id);
        if (history.length === 0) {
          setProblem('No such conversation: here is a new one.');
          return startNew();
        }
        showInAddress(id);
        setOpen({ id, history });
      } catch (error) {
        setProblem((error as Error).message);
      }
    },
    [startNew],
  );

  useEffect(() => {
    refresh();
    const id = fromAddress();
    if (id) void reopen(id);
    else startNew();
  }, [refresh, reopen, startNew]);

  async function remove(id: string) {
    try {
      await deleteConversation(id);
      if (open?.id === id) startNew();
      refresh();
    } catch (error) {
      setProblem((error as Error).message);
    }
  }

  async function signOut() {
    await authClient.signOut();
    showInAddress(undefined);
    onSignedOut();
  }

  return (
    <div className="layout">
      <header>
        <h1>Chat</h1>
        <span className="who">{email}</span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav aria-label="Conversations">
        <button type="button" className="new" onClick={startNew}>
          New conversation
        </button>
        <ul>
          {conversations.map((conversation) => (
            <li key={conversation.id} className={conversation.id === open?.id ? 'current' : ''}>
              <button
                type="button"
                className="open"
                onClick={() => reopen(conversation.id)}
                aria-current={conversation.id === open?.id ? 'page' : undefined}
              >
                {conversation.title}
              </button>
              <button type="button" className="delete" aria-label={`Delete ${conversation.title}`} onClick={() => remove(conversation.id)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <section className="conversation">
        {problem && (
          <p className="problem" role="alert">
            {problem}
          </p>
        )}
        {open && (
          <Conversation
            key={open.id}
            id={open.id}
            history={open.history}
            onTurnDone={() => {
              if (openId.current === open.id) showInAddress(open.id);
              refresh();
            }}
          />
        )}
      </section>
    </div>
  );
}
