// Authentication strategies. Token login and OAuth authenticate lazily on the first request, share
// one login between concurrent requests, and renew once when IAP answers 401.
import { untilAborted } from "./deadline";
import { AbortedError, ValidationError } from "./errors";
import { redactText } from "./redact";
import { loginResponse, type Origin, oauthTokenResponse, parseWith } from "./schemas";

export type AuthOptions =
  /** HTTP Basic on every request (IAP documents it for TLS only). */
  | { type: "basic"; username: string; password: string }
  /** `POST /login`, then the token as the `token` query parameter; logs in again on 401. */
  | { type: "login"; username: string; password: string }
  /** OAuth client credentials (`POST /oauth/token`), sent as a Bearer token; renewed before expiry and on 401. */
  | { type: "oauth"; clientId: string; clientSecret: string }
  /** A token obtained elsewhere, sent as the `token` query parameter; it cannot be renewed. */
  | { type: "token"; token: string };

/** What an outgoing request carries; strategies add credentials to it. */
export interface OutgoingCredentials {
  headers: Record<string, string>;
  query: URLSearchParams;
}

/** Sends a request without authentication (for the login calls themselves). */
export type SendUnauthenticated = (request: {
  path: string;
  body?: unknown;
  form?: URLSearchParams;
  timeoutMs?: number;
}) => Promise<{ json: unknown; origin: Origin }>;

/** What the request that needs credentials allows: its signal, and its timeout for a login it starts. */
export interface AuthCall {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

export interface AuthStrategy {
  /** Adds credentials; returns what was used, so `renew` can tell if someone else renewed already. */
  authorize(request: OutgoingCredentials, call?: AuthCall): Promise<string>;
  /** After a 401: true when fresh credentials exist and the request deserves one more try. */
  renew(used: string, call?: AuthCall): Promise<boolean>;
  /**
   * `text` without this strategy's secrets (and without anything credential-shaped). The secrets
   * themselves are never handed out: no member of a strategy returns them.
   */
  redact(text: string): string;
}

function required(value: unknown, name: string): string {
  if (typeof value !== "string" || value === "") throw new ValidationError(`auth.${name} is required`);
  return value;
}

class BasicAuth implements AuthStrategy {
  readonly #header: string;
  readonly #secrets: readonly string[];
  constructor(username: string, password: string) {
    this.#header = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
    this.#secrets = [password, this.#header.slice(6)];
  }
  redact(text: string): string {
    return redactText(text, this.#secrets);
  }
  async authorize(request: OutgoingCredentials): Promise<string> {
    request.headers.authorization = this.#header;
    return "basic";
  }
  async renew(): Promise<boolean> {
    return false;
  }
}

class StaticTokenAuth implements AuthStrategy {
  readonly #token: string;
  constructor(token: string) {
    this.#token = token;
  }
  redact(text: string): string {
    return redactText(text, [this.#token]);
  }
  async authorize(request: OutgoingCredentials): Promise<string> {
    request.query.set("token", this.#token);
    // What `renew` compares; a static token is never renewed, so it need not be the token itself.
    return "token";
  }
  async renew(): Promise<boolean> {
    return false;
  }
}

/** Shared machinery of strategies that obtain a token and cache it. */
abstract class CachedTokenAuth implements AuthStrategy {
  #token: string | undefined;
  #expiresAt = Number.POSITIVE_INFINITY;
  #pending: Promise<string> | undefined;
  readonly #secrets: string[];

  constructor(
    protected readonly send: SendUnauthenticated,
    secrets: string[],
    private readonly now: () => number,
  ) {
    this.#secrets = secrets;
  }

  redact(text: string): string {
    return redactText(text, this.#token ? [...this.#secrets, this.#token] : this.#secrets);
  }

  /** Fetches a new token and its lifetime in seconds (undefined: until IAP refuses it). */
  protected abstract fetchToken(timeoutMs: number | undefined): Promise<{ token: string; expiresInSeconds?: number }>;
  /** The path of the login request, for errors. */
  protected abstract readonly loginPath: string;
  protected abstract apply(request: OutgoingCredentials, token: string): void;

  async authorize(request: OutgoingCredentials, call: AuthCall = {}): Promise<string> {
    const token = this.#token && this.now() < this.#expiresAt ? this.#token : await this.refresh(call);
    this.apply(request, token);
    return token;
  }

  async renew(used: string, call: AuthCall = {}): Promise<boolean> {
    if (this.#token !== undefined && this.#token !== used) return true; // renewed meanwhile
    this.#token = undefined;
    await this.refresh(call);
    return true;
  }

  private refresh(call: AuthCall): Promise<string> {
    // Concurrent requests wait for the one login in flight instead of each logging in. It runs
    // without any one caller's AbortSignal (bounded by the timeout of the request that started it),
    // and each caller waits for it only as long as its own signal allows: one caller giving up
    // does not fail the others, and no caller waits past its own abort. A caller that has already
    // given up starts no login.
    if (call.signal?.aborted) return Promise.reject(new AbortedError("POST", this.loginPath));
    this.#pending ??= this.fetchToken(call.timeoutMs)
      .then(({ token, expiresInSeconds }) => {
        this.#token = token;
        // Renew a little early: a minute, or a tenth of a short lifetime.
        this.#expiresAt =
          expiresInSeconds === undefined
            ? Number.POSITIVE_INFINITY
            : this.now() + expiresInSeconds * 1000 - Math.min(60_000, expiresInSeconds * 100);
        return token;
      })
      .finally(() => {
        this.#pending = undefined;
      });
    return untilAborted(this.#pending, call.signal, () => new AbortedError("POST", this.loginPath));
  }
}

class LoginAuth extends CachedTokenAuth {
  readonly #username: string;
  readonly #password: string;
  constructor(username: string, password: string, send: SendUnauthenticated, now: () => number) {
    super(send, [password], now);
    this.#username = username;
    this.#password = password;
  }
  protected readonly loginPath = "/login";
  protected async fetchToken(timeoutMs: number | undefined) {
    const { json, origin } = await this.send({
      path: this.loginPath,
      body: { user: { username: this.#username, password: this.#password } },
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
    const parsed = parseWith(loginResponse, json, origin, "the login answer");
    return { token: typeof parsed === "string" ? parsed : parsed.token };
  }
  protected apply(request: OutgoingCredentials, token: string): void {
    request.query.set("token", token);
  }
}

class OAuthClientCredentials extends CachedTokenAuth {
  readonly #clientId: string;
  readonly #clientSecret: string;
  constructor(clientId: string, clientSecret: string, send: SendUnauthenticated, now: () => number) {
    super(send, [clientSecret], now);
    this.#clientId = clientId;
    this.#clientSecret = clientSecret;
  }
  protected readonly loginPath = "/oauth/token";
  protected async fetchToken(timeoutMs: number | undefined) {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: this.#clientId,
      client_secret: this.#clientSecret,
    });
    const { json, origin } = await this.send({
      path: this.loginPath,
      form,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
    const parsed = parseWith(oauthTokenResponse, json, origin, "the OAuth token answer");
    const expiresIn = parsed.expires_in === undefined ? undefined : Number(parsed.expires_in);
    return { token: parsed.access_token, ...(expiresIn !== undefined ? { expiresInSeconds: expiresIn } : {}) };
  }
  protected apply(request: OutgoingCredentials, token: string): void {
    request.headers.authorization = `Bearer ${token}`;
  }
}

export function createAuth(
  options: AuthOptions,
  send: SendUnauthenticated,
  now: () => number = Date.now,
): AuthStrategy {
  switch (options?.type) {
    case "basic":
      return new BasicAuth(required(options.username, "username"), required(options.password, "password"));
    case "login":
      return new LoginAuth(required(options.username, "username"), required(options.password, "password"), send, now);
    case "oauth":
      return new OAuthClientCredentials(
        required(options.clientId, "clientId"),
        required(options.clientSecret, "clientSecret"),
        send,
        now,
      );
    case "token":
      return new StaticTokenAuth(required(options.token, "token"));
    default:
      throw new ValidationError('auth.type must be "basic", "login", "oauth" or "token"');
  }
}
