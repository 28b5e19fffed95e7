// The page: the sign-in form until a session exists, then the chat. Who is signed in is the server's
// answer (the session cookie); the page keeps no credential of its own.
import { authClient } from './auth-client.ts';
import { ChatPage } from './ChatPage.tsx';
import { SignIn } from './SignIn.tsx';

export function App() {
  const session = authClient.useSession();
  if (session.isPending) return <main className="centered">Loading…</main>;
  if (!session.data) return <SignIn onSignedIn={() => session.refetch()} />;
  return <ChatPage email={session.data.user.email} onSignedOut={() => session.refetch()} />;
}
