// Redaction of credentials wherever text leaves the client (errors, log records).

export const REDACTED = "[REDACTED]";

const SENSITIVE_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-auth-token"]);

const PATTERNS: [RegExp, string][] = [
  // token=…, access_token=…, client_secret=…, password=… in query strings and form bodies
  [/\b(token|access_token|refresh_token|client_secret|password)=[^&\s"']+/gi, `$1=${REDACTED}`],
  // "token": "…", "password": "…" in JSON text
  [/("(?:token|access_token|refresh_token|client_secret|password)"\s*:\s*)"[^"]*"/gi, `$1"${REDACTED}"`],
  // Authorization header values
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`],
];

/** Removes credential-looking substrings and every exact `secrets` value from `text`. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) {
    // Short values would blank out ordinary words; a 1-3 character secret is not worth hiding anyway.
    if (secret.length >= 4) result = result.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/** A copy of `headers` with credential headers' values replaced. */
export function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    copy[name] = SENSITIVE_HEADERS.has(name.toLowerCase()) ? REDACTED : value;
  }
  return copy;
}
