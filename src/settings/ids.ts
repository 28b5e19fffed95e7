// The rule for user and conversation ids, wherever they come from (chat flags, HTTP headers and
// bodies, JWT subjects): they become span attributes and memory keys. Messages name it with ID_RULE.

/** The rule in words, for error messages: "--user must be <ID_RULE>". */
export const ID_RULE = '1 to 128 printable characters without spaces';

/** True if `id` follows ID_RULE. */
export function isValidId(id: string): boolean {
  return /^[\x21-\x7e]{1,128}$/.test(id);
}
