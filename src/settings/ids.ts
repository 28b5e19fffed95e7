// The rule for user and conversation ids, wherever they come from (chat flags, HTTP headers and
// bodies, JWT subjects): they become span attributes and memory keys. Messages name it with ID_RULE.
// Also who the local developer is: the chat's user, and Studio's on a server without auth.
import { createHash } from 'node:crypto';
import { hostname, userInfo } from 'node:os';

/** The rule in words, for error messages: "--user must be <ID_RULE>". */
export const ID_RULE = '1 to 128 printable characters without spaces';

/** True if `id` follows ID_RULE. */
export function isValidId(id: string): boolean {
  return /^[\x21-\x7e]{1,128}$/.test(id);
}

/**
 * The local developer's id: CHAT_USER_ID, else pseudonymous but stable per OS user and machine, following
 * Agnost's advice: no names or emails by default.
 */
export function localUserId({ chatUserId }: { chatUserId: string | undefined }): string {
  if (chatUserId) return chatUserId;
  const digest = createHash('sha256').update(`${userInfo().username}@${hostname()}`).digest('hex');
  return `user-${digest.slice(0, 12)}`;
}
