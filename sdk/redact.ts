// Redaction of credentials wherever text leaves the client (errors, log records, warnings).
//
// Two kinds of things are taken out, and nothing else:
// - the secrets this client was configured with or was issued (password, client secret, tokens,
//   the Basic header value), whatever their length: see `redactSecrets`;
// - text shaped like a credential whose value the client cannot know (a token IAP echoes, a
//   header dumped by a proxy): `token=…` parameters, `"password": "…"` fields, `Authorization:`
//   headers, `Basic <base64 of user:password>`, `Bearer <token-like value>`.
// Ordinary words stay: a task named "Basic network check" or IAP's "send Basic credentials … or a
// Bearer token" reaches the caller as written, because an error that garbles the platform's own
// message costs more time than it protects.

export const REDACTED = "[REDACTED]";

const SENSITIVE_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-auth-token"]);

/** Query and form parameters that carry credentials. */
const CREDENTIAL_NAMES = "token|access_token|refresh_token|id_token|client_secret|password";

/** The token68 alphabet of HTTP authorization values (RFC 7235), not ending in a sentence's period. */
const TOKEN68 = "[A-Za-z0-9._~+/-]*[A-Za-z0-9_~+/-]=*";

const PATTERNS: [RegExp, (match: string, ...groups: string[]) => string][] = [
  // Header-shaped, as a proxy or a debug dump prints them: `Authorization: <anything>`,
  // `"authorization": "…"`, `cookie: a=b; c=d` (the whole value, to the end of the line or quote).
  [
    /\b((?:proxy-)?authorization|x-auth-token|(?:set-)?cookie)(["']?\s*[:=]\s*["']?)[^\r\n"']+/gi,
    (_m, name, separator) => `${name}${separator}${REDACTED}`,
  ],
  // token=…, client_secret=…, password=… in query strings and form bodies
  [new RegExp(`\\b(${CREDENTIAL_NAMES})=[^&\\s"'<>]+`, "gi"), (_m, name) => `${name}=${REDACTED}`],
  // "token": "…", "password": "…" in JSON text (escaped quotes included)
  [
    new RegExp(`("(?:${CREDENTIAL_NAMES})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, "gi"),
    (_m, prefix) => `${prefix}"${REDACTED}"`,
  ],
  // Basic credentials: base64 of "user:password". "Basic network check" is not.
  [
    /\bBasic\s+([A-Za-z0-9+/]+={0,2})(?![A-Za-z0-9+/=])/g,
    (match, value) => (isBasicCredential(value) ? `Basic ${REDACTED}` : match),
  ],
  // Bearer tokens: a value in the token alphabet that is not a plain word ("a Bearer token").
  [
    new RegExp(`\\bBearer\\s+(${TOKEN68})`, "g"),
    (match, value) => (/^[A-Za-z][a-z]{0,15}$/.test(value) ? match : `Bearer ${REDACTED}`),
  ],
];

function isBasicCredential(value: string): boolean {
  const decoded = Buffer.from(value, "base64").toString("utf8");
  // user:password, printable, and a faithful round trip (so ordinary words that happen to be
  // valid base64 do not count).
  return (
    decoded.includes(":") &&
    !/[\p{Cc}\ufffd]/u.test(decoded) &&
    Buffer.from(decoded, "utf8").toString("base64").replace(/=+$/, "") === value.replace(/=+$/, "")
  );
}

/**
 * Below this length a secret is redacted only where it stands as a whole value (not inside a
 * longer run of letters and digits): a 3-character password `abc` must go from "login u:abc
 * refused", but not from "abcdef". From this length on, every occurrence goes: a longer secret
 * inside a longer word is still that secret (a token glued to a prefix, base64 and hex dumps).
 */
const WHOLE_VALUE_BELOW = 8;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The forms a secret takes in text: as is, URL-encoded (query strings, forms) and JSON-escaped. */
function forms(secret: string): string[] {
  const all = new Set([secret, JSON.stringify(secret).slice(1, -1)]);
  try {
    all.add(encodeURIComponent(secret));
    all.add(new URLSearchParams({ v: secret }).toString().slice(2)); // form encoding: spaces as +
  } catch {
    // a lone surrogate cannot be URL-encoded, so it cannot appear URL-encoded either
  }
  return [...all].filter((form) => form !== "");
}

/**
 * Replaces every configured `secrets` value, of any length (see WHOLE_VALUE_BELOW), in `text`.
 * Longer secrets first, so a password inside a Basic header value is not half-replaced.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  const all = secrets
    .filter((s) => typeof s === "string" && s !== "")
    .flatMap(forms)
    .sort((a, b) => b.length - a.length);
  for (const secret of all) {
    if (!result.includes(secret)) continue;
    if (secret.length >= WHOLE_VALUE_BELOW) {
      result = result.split(secret).join(REDACTED);
    } else {
      const whole = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(secret)}(?![\\p{L}\\p{N}])`, "gu");
      result = result.replace(whole, REDACTED);
    }
  }
  return result;
}

/** Removes credential-shaped substrings and every known `secrets` value from `text`. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let result = redactSecrets(text, secrets);
  for (const [pattern, replace] of PATTERNS) result = result.replace(pattern, replace);
  return result;
}

/** A copy of `headers` with credential headers' values replaced, and known secrets out of the rest. */
export function redactHeaders(
  headers: Record<string, unknown>,
  redact: (text: string) => string = redactText,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    copy[name] = SENSITIVE_HEADERS.has(name.toLowerCase())
      ? REDACTED
      : typeof value === "string"
        ? redact(value)
        : value;
  }
  return copy;
}
