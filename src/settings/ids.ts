// The rule for user and conversation ids, wherever they come from (chat flags, HTTP headers and
// bodies, JWT subjects): they become span attributes and memory keys.

/** 1 to 128 printable characters, no spaces. */
export function isValidId(id: string): boolean {
  return /^[\x21-\x7e]{1,128}$/.test(id);
}
