// Imported first (main.tsx): the page's Content-Security-Policy forbids eval, and zod (inside the AI
// SDK and Better Auth's client) would probe for it before compiling a schema, logging the refusal.
import { z } from 'zod';

z.config({ jitless: true });
