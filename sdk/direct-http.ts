// One HTTP exchange over node:http(s), for the requests no proxy can apply to, which is nearly all
// of them. Measured against the same emulator (bench/, `npm run bench`), axios's per-request work
// (merging configs, normalising headers, looking proxies up in the environment, its stream and
// abort plumbing) cost more client CPU than a whole keep-alive request made with node:http, and
// held the SDK to 0.3-0.5x the raw loop's requests per second. The transport keeps axios for
// proxies (explicit or from the environment), whose rules (NO_PROXY, tunnelling, proxy
// credentials) this module does not repeat: see `proxyMayApply`.
import * as http from "node:http";
import * as https from "node:https";
import { urlToHttpOptions } from "node:url";
import * as zlib from "node:zlib";

/** What the transport reads from an answer; axios's response has the same three fields. */
export interface HttpAnswer {
  status: number;
  /** Names in lower case; read with String() or typeof, as axios's values are typed more loosely. */
  headers: Readonly<Record<string, unknown>>;
  /** The body as UTF-8 text, without a byte-order mark. */
  data: string;
}

/** Where requests go, parsed once per client rather than once per request. */
export interface HttpTarget {
  protocol: string;
  /** Without an IPv6 address's brackets, as node:http wants it. */
  hostname: string;
  port: string;
  /** The base URL's own path, without a trailing slash ("" for the platform root). */
  pathPrefix: string;
  /** `user:password` when the base URL has them (sent as Basic, as axios does). */
  auth?: string;
}

export function httpTarget(baseUrl: string): HttpTarget {
  const url = new URL(baseUrl);
  const options = urlToHttpOptions(url);
  return {
    protocol: url.protocol,
    hostname: options.hostname ?? url.hostname,
    port: url.port,
    pathPrefix: url.pathname.replace(/\/+$/, ""),
    ...(options.auth ? { auth: options.auth } : {}),
  };
}

export interface HttpExchange {
  method: string;
  target: HttpTarget;
  /** Path and query string, appended to the target's path. */
  path: string;
  headers: Record<string, string>;
  data?: string | undefined;
  agent: http.Agent | https.Agent;
  /** Ends the exchange wherever it is (connect, headers, body). */
  signal: AbortSignal;
}

/** The proxy variables axios (proxy-from-env) reads, in both cases. */
const PROXY_VARIABLES = ["http_proxy", "https_proxy", "all_proxy"].flatMap((name) => [name, name.toUpperCase()]);

/**
 * Whether axios could send a request through a proxy: one is configured, or (unless `proxy` is
 * false) the environment names one. The transport asks once, when the client is made (as Go's
 * ProxyFromEnvironment does): six environment reads on every request cost about 6 µs, a twentieth
 * of a whole request to a local server. NO_PROXY is left to axios: with any proxy variable set,
 * every request goes through axios, which decides.
 */
export function proxyMayApply(proxy: unknown, env: NodeJS.ProcessEnv = process.env): boolean {
  if (proxy === false) return false;
  if (proxy !== undefined && proxy !== null) return true;
  return PROXY_VARIABLES.some((name) => env[name]);
}

/** Accepted as axios accepts them, so a server that compresses answers the same either way. */
const ACCEPT_ENCODING = "gzip, deflate, br";

/** Sends one request and reads the whole answer; rejects with node's error (its `code`) on failure. */
export function exchange(request: HttpExchange): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const { signal, target } = request;
    if (signal.aborted) return reject(abortError());
    const headers: Record<string, string | number> = { "accept-encoding": ACCEPT_ENCODING, ...request.headers };
    if (request.data !== undefined) headers["content-length"] = Buffer.byteLength(request.data);
    const req = (target.protocol === "https:" ? https : http).request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        path: `${target.pathPrefix}${request.path}`,
        ...(target.auth ? { auth: target.auth } : {}),
        method: request.method,
        headers,
        agent: request.agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        const body = decoded(res);
        body.on("data", (chunk: Buffer) => chunks.push(chunk));
        body.on("error", (error: NodeJS.ErrnoException) =>
          // node reports a body cut short (the connection closed before the promised length) as
          // "aborted": an error, never a shorter answer.
          fail(res.complete ? error : Object.assign(new Error("the answer was cut short"), { code: error.code })),
        );
        body.on("end", () => {
          signal.removeEventListener("abort", onAbort);
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            data: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text,
          });
        });
      },
    );
    // Not node's `signal` option: its stream plumbing cost about 15 µs a request; one listener
    // that destroys the request does the same.
    const onAbort = () => req.destroy(abortError());
    const fail = (error: Error) => {
      signal.removeEventListener("abort", onAbort);
      reject(error);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    req.on("error", fail);
    req.end(request.data);
  });
}

/** The transport reads why from its deadline; this only has to end the exchange. */
function abortError(): Error {
  return Object.assign(new Error("aborted"), { code: "ABORT_ERR" });
}

/** The body stream, decompressed when the server compressed it. */
function decoded(res: http.IncomingMessage): NodeJS.ReadableStream {
  const encoding = String(res.headers["content-encoding"] ?? "").toLowerCase();
  const decoder =
    encoding === "gzip" || encoding === "x-gzip"
      ? zlib.createGunzip()
      : encoding === "deflate"
        ? zlib.createInflate()
        : encoding === "br"
          ? zlib.createBrotliDecompress()
          : undefined;
  if (!decoder) return res;
  res.on("error", (error) => decoder.destroy(error));
  return res.pipe(decoder);
}
