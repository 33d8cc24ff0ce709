// Authentication as IAP does it: Basic credentials, a login token sent as `?token=` (or the `token`
// cookie), and OAuth client-credentials access tokens sent as `Authorization: Bearer`. Tokens
// really expire; an expired or unknown one answers 401, which is what makes clients log in again.
import type { IncomingMessage } from "node:http";
import { badRequest, unauthorized } from "./errors";
import { newToken } from "./ids";
import type { UserRecord } from "./model";
import type { EmulatorState } from "./state";

interface IssuedToken {
  userId: string;
  expiresAt: number;
}

export interface TokenLifetimes {
  /** Lifetime of a `POST /login` token. */
  loginTokenTtlSeconds: number;
  /** `expires_in` of an OAuth access token. */
  oauthTokenTtlSeconds: number;
}

export class Authenticator {
  private readonly loginTokens = new Map<string, IssuedToken>();
  private readonly accessTokens = new Map<string, IssuedToken>();

  constructor(
    private readonly state: EmulatorState,
    private readonly lifetimes: () => TokenLifetimes,
    private readonly now: () => number = Date.now,
  ) {}

  /** Who sent this request; throws a 401 when nobody valid did. */
  authenticate(req: IncomingMessage, query: URLSearchParams): UserRecord {
    const header = req.headers.authorization ?? "";
    const [scheme = "", credentials = ""] = header.split(/\s+/, 2);
    if (scheme.toLowerCase() === "basic") return this.basic(credentials);
    if (scheme.toLowerCase() === "bearer") return this.token(this.accessTokens, credentials, "access token");
    const queryToken = query.get("token");
    if (queryToken) return this.token(this.loginTokens, queryToken, "token");
    const cookieToken = cookie(req, "token");
    if (cookieToken) return this.token(this.loginTokens, cookieToken, "token");
    throw unauthorized("Authentication required: send Basic credentials, a token from /login, or a Bearer token");
  }

  /** `POST /login`: accepts `{ user: { username, password } }` and the flat `{ username, password }`. */
  login(body: unknown): { token: string; user: UserRecord } {
    const record = (body ?? {}) as Record<string, unknown>;
    const source = (typeof record.user === "object" && record.user !== null ? record.user : record) as Record<
      string,
      unknown
    >;
    const { username, password } = source;
    if (typeof username !== "string" || typeof password !== "string") {
      throw badRequest("Login needs a body { user: { username, password } }");
    }
    const user = this.verify(username, password);
    const token = newToken();
    this.loginTokens.set(token, {
      userId: user._id,
      expiresAt: this.now() + this.lifetimes().loginTokenTtlSeconds * 1000,
    });
    return { token, user };
  }

  /** `POST /oauth/token` with grant_type=client_credentials; errors are OAuth's own shape (RFC 6749 §5.2). */
  clientCredentials(
    form: URLSearchParams,
  ):
    | { ok: true; body: { access_token: string; token_type: "bearer"; expires_in: number } }
    | { ok: false; status: number; body: { error: string; error_description: string } } {
    if (form.get("grant_type") !== "client_credentials") {
      return {
        ok: false,
        status: 400,
        body: { error: "unsupported_grant_type", error_description: "Only grant_type=client_credentials is supported" },
      };
    }
    const client = this.state.oauthClients.get(form.get("client_id") ?? "");
    if (!client || client.clientSecret !== form.get("client_secret")) {
      return {
        ok: false,
        status: 401,
        body: { error: "invalid_client", error_description: "Client authentication failed" },
      };
    }
    const token = newToken();
    const expiresIn = this.lifetimes().oauthTokenTtlSeconds;
    this.accessTokens.set(token, { userId: client.userId, expiresAt: this.now() + expiresIn * 1000 });
    return { ok: true, body: { access_token: token, token_type: "bearer", expires_in: expiresIn } };
  }

  /** Makes every token issued so far invalid (control API: simulate expiry or a restart). */
  expireAll(): number {
    const count = this.loginTokens.size + this.accessTokens.size;
    this.loginTokens.clear();
    this.accessTokens.clear();
    return count;
  }

  private basic(credentials: string): UserRecord {
    const decoded = Buffer.from(credentials, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) throw unauthorized("Malformed Basic credentials");
    return this.verify(decoded.slice(0, colon), decoded.slice(colon + 1));
  }

  private verify(username: string, password: string): UserRecord {
    const user = this.state.userByName(username);
    if (!user || user.password !== password) throw unauthorized("Invalid username or password");
    if (user.inactive) throw unauthorized(`User ${username} is inactive`);
    // Every check of a password counts as a login (Basic authenticates on each request).
    user.lastLogin = new Date(this.now()).toISOString();
    return user;
  }

  private token(store: Map<string, IssuedToken>, token: string, what: string): UserRecord {
    const issued = store.get(token);
    if (!issued) throw unauthorized(`Invalid ${what}`);
    if (issued.expiresAt <= this.now()) {
      store.delete(token);
      throw unauthorized(`Expired ${what}: authenticate again`);
    }
    const user = this.state.users.get(issued.userId);
    if (!user || user.inactive) throw unauthorized(`The ${what} belongs to a user who no longer exists or is inactive`);
    return user;
  }
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join("="));
    } catch {
      return rest.join("=");
    }
  }
  return undefined;
}
