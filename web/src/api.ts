// What the page asks the server besides a chat turn: the signed-in user's conversations, one
// conversation's history, and deleting one, through Mastra's memory routes (the server lists and opens
// only the user's own). The chat turns go to /chat/api/chat (Conversation.tsx).
import type { UIMessage } from 'ai';

/** The agent the page talks to: the server names its default agent in the page. */
export const AGENT_ID = document.querySelector<HTMLMetaElement>('meta[name="chat-agent"]')?.content ?? '';
export const CHAT_API = '/chat/api/chat';

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: string;
}

/** The line an error answer carries ({"error": "..."}), or its status. */
export async function problemOf(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const { error } = JSON.parse(text) as { error?: unknown };
    if (typeof error === 'string') return error;
  } catch {
    // not JSON: the status says it
  }
  return `The server answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
}

async function call(path: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(path, { credentials: 'same-origin', ...init });
  if (!response.ok) throw new Error(await problemOf(response));
  return response;
}

const withAgent = (path: string, query: Record<string, string> = {}) => `${path}?${new URLSearchParams({ agentId: AGENT_ID, ...query })}`;

export async function listConversations(): Promise<ConversationSummary[]> {
  const orderBy = JSON.stringify({ field: 'updatedAt', direction: 'DESC' });
  const response = await call(withAgent('/api/memory/threads', { perPage: '50', orderBy }));
  const { threads } = (await response.json()) as { threads: ConversationSummary[] };
  return threads.map(({ id, title, updatedAt }) => ({ id, title, updatedAt }));
}

/** A message as memory keeps it (Mastra's stored format): its text parts are what the page shows. */
interface StoredMessage {
  id: string;
  role: string;
  createdAt: string;
  content: { parts?: { type: string; text?: string }[] };
}

const toUiMessage = ({ id, role, content }: StoredMessage): UIMessage => ({
  id,
  role: role === 'user' ? 'user' : 'assistant',
  parts: (content.parts ?? []).flatMap((part) => (part.type === 'text' && part.text ? [{ type: 'text' as const, text: part.text }] : [])),
});

/** A conversation's last 100 messages, oldest first, as memory keeps them; [] for one that is not there. */
export async function loadConversation(id: string): Promise<UIMessage[]> {
  const orderBy = JSON.stringify({ field: 'createdAt', direction: 'DESC' });
  const response = await fetch(withAgent(`/api/memory/threads/${encodeURIComponent(id)}/messages`, { perPage: '100', orderBy }), {
    credentials: 'same-origin',
  });
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(await problemOf(response));
  const { messages } = (await response.json()) as { messages: StoredMessage[] };
  return messages
    .filter((message) => message.role === 'user' || message.role === 'assistant')
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))
    .map(toUiMessage)
    .filter((message) => message.parts.length > 0);
}

export async function deleteConversation(id: string): Promise<void> {
  await call(withAgent(`/api/memory/threads/${encodeURIComponent(id)}`), { method: 'DELETE' });
}
