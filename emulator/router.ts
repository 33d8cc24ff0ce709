// A small router over node:http. The emulator uses no web framework on purpose: it must be able to
// answer exactly what IAP answers (and fail exactly how a network fails), which is simplest with
// the raw request and socket in hand; and the package's users get no extra dependency from it.
import type { IncomingMessage } from "node:http";
import type { UserRecord } from "./model";

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly method: string;
  /** The path without the query string, still percent-encoded per segment. */
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed JSON body, or a URLSearchParams for a form-encoded one, or undefined. */
  readonly body: unknown;
  /** The caller; authenticates on first use and throws a 401 when nobody valid is calling. */
  user(): UserRecord;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** Sent as JSON. Routes of IAP's API build the `{ message, data, metadata }` envelope themselves. */
  json: unknown;
}

export type Handler = (ctx: RequestContext) => Reply;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export type Match = { handler: Handler; params: Record<string, string> } | { methodNotAllowed: true } | undefined;

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, segments: pattern.split("/").filter(Boolean), handler });
    return this;
  }

  match(method: string, path: string): Match {
    const parts = path.split("/").filter(Boolean);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { handler: route.handler, params };
      pathMatched = true;
    }
    return pathMatched ? { methodNotAllowed: true } : undefined;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i] as string;
    if (want === "**") {
      params["**"] = `/${parts.slice(i).join("/")}`;
      return params;
    }
    const got = parts[i];
    if (got === undefined) return undefined;
    if (want.startsWith(":")) {
      try {
        params[want.slice(1)] = decodeURIComponent(got);
      } catch {
        return undefined; // undecodable percent-escapes cannot name anything
      }
    } else if (want !== got) {
      return undefined;
    }
  }
  return pattern.length === parts.length ? params : undefined;
}

export function envelope(message: string, data: unknown, metadata: Record<string, unknown> = {}) {
  return { message, data, metadata };
}
