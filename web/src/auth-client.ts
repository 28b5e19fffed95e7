// Sign-in through the server's Better Auth endpoints (src/mastra/server/sessions.ts): a session cookie
// the server reads on every request; the page never sees a token.
import { createAuthClient } from 'better-auth/react';

export const authClient = createAuthClient({ baseURL: window.location.origin, basePath: '/chat/auth' });
