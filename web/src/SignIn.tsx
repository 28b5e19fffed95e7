// Email and password: Sign up makes the account and signs in; Sign in opens a session.
import { useState, type FormEvent } from 'react';
import { authClient } from './auth-client.ts';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(action: 'sign-in' | 'sign-up', event?: FormEvent) {
    event?.preventDefault();
    setBusy(true);
    setProblem('');
    const { error } =
      action === 'sign-up'
        ? await authClient.signUp.email({ email, password, name: '' })
        : await authClient.signIn.email({ email, password });
    setBusy(false);
    if (error) setProblem(error.message ?? error.statusText ?? 'That did not work; try again.');
    else onSignedIn();
  }

  return (
    <main className="centered">
      <form className="sign-in" onSubmit={(event) => submit('sign-in', event)}>
        <h1>Chat</h1>
        <label>
          Email
          <input type="email" autoComplete="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            required
            minLength={8}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <div className="buttons">
          <button type="submit" disabled={busy}>
            Sign in
          </button>
          <button type="button" disabled={busy} onClick={(event) => event.currentTarget.form?.reportValidity() && submit('sign-up')}>
            Sign up
          </button>
        </div>
        {problem && (
          <p className="problem" role="alert">
            {problem}
          </p>
        )}
      </form>
    </main>
  );
}
