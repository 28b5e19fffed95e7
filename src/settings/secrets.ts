// Keeping secrets (API keys, org ids, tokens) out of everything the scripts print.

/** Removes the given secrets, and anything shaped like an API key, from text meant for output. */
export function redactSecrets(secrets: (string | undefined)[], text: string): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) redacted = redacted.split(secret).join('[redacted]');
  }
  return redacted.replace(/\b(sk|pk|rk)-[A-Za-z0-9_\-*.]{6,}/g, '$1-[redacted]');
}

/** Enough of a secret to tell which one is set, never enough to use it: "…4f9a". */
export function maskSecret(secret: string): string {
  return secret.length >= 12 ? `…${secret.slice(-4)}` : '…';
}
