// One HTTP exchange over node:http(s), for the requests no proxy can apply to, which is nearly all
// of them. Measured against the same emulator (bench/, `npm run bench`), axios's per-request work
// (merging configs, normalising headers, looking proxies up in the environment, its stream and
// abort plumbing) cost more client CPU than a whole keep-alive request made with node:http, and
// held the SDK to 0.3-0.5x the raw loop's requests per second. The transport keeps axios for
// proxies (explicit or from the environment), whose rules (NO_PROXY, tunnelling, proxy
// credentials) this module does not repeat: see `proxyMayApply`.
import * as http from "node:http";
import * as https from "node:https";
import * as tls from "node:tls";
import { urlToHttpOptions } from "node:url";
import * as zlib from "node:zlib";
import type { Stoppable } from "./deadline";

/** What the transport reads from an answer; axios's response has the same three fields. */
export interface HttpAnswer {
  status: number;
  /** Names in lower case; read with String() or typeof, as axios's values are typed more loosely. */
  headers: Readonly<Record<string, unknown>>;
  /** The body as UTF-8 text, without a byte-order mark. */
  data: string;
}

/**
 * Where requests go, parsed once per client rather than once per request. No credentials: the
 * client refuses a base URL with `user:password@` before a transport is made.
 */
export interface HttpTarget {
  protocol: string;
  /** Without an IPv6 address's brackets, as node:http wants it. */
  hostname: string;
  port: string;
  /** The base URL's own path, without a trailing slash ("" for the platform root). */
  pathPrefix: string;
}

export function httpTarget(baseUrl: string): HttpTarget {
  const url = new URL(baseUrl);
  const options = urlToHttpOptions(url);
  return {
    protocol: url.protocol,
    hostname: options.hostname ?? url.hostname,
    port: url.port,
    pathPrefix: url.pathname.replace(/\/+$/, ""),
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
  /** Ends the exchange wherever it is (queued for a socket, connecting, headers, body). */
  deadline: Stoppable;
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
    const { target } = request;
    const headers: Record<string, string | number> = { "accept-encoding": ACCEPT_ENCODING, ...request.headers };
    if (request.data !== undefined) headers["content-length"] = Buffer.byteLength(request.data);
    let req: http.ClientRequest | undefined;
    let settled = false;
    // Once the TLS handshake is done the request may reach the server, so a TLS error after it
    // (a corrupt record, an alert) says nothing about whether it was delivered: marked, so the
    // retry rules do not take it for a refusal of the handshake.
    let secured = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      reject(secured ? Object.assign(error, { afterTlsHandshake: true }) : error);
      // Frees the socket whatever state the exchange is in (a half-read answer keeps it otherwise).
      req?.destroy();
    };
    // Settles at once, then ends the exchange: a request still queued for a socket (an agent with
    // `maxSockets`) emits nothing when destroyed, so waiting for its 'error' could wait forever.
    // (Not node's `signal` option: its stream plumbing cost about 15 µs a request.)
    request.deadline.onStop(() => fail(abortError()));
    if (settled) return;
    try {
      req = (target.protocol === "https:" ? https : http).request(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          path: `${target.pathPrefix}${request.path}`,
          method: request.method,
          headers,
          agent: request.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          // node reports a body cut short (the connection closed before the promised length) as
          // "aborted": an error, never a shorter answer.
          res.on("error", (error: NodeJS.ErrnoException) =>
            fail(res.complete ? error : Object.assign(new Error("the answer was cut short"), { code: error.code })),
          );
          res.on("end", () => {
            if (settled) return;
            settled = true;
            let text: string;
            try {
              text = decoded(res, Buffer.concat(chunks), request.method).toString("utf8");
            } catch (error) {
              return reject(error);
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              data: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text,
            });
          });
        },
      );
    } catch (error) {
      // Headers node refuses (a character it cannot send) throw here, before anything is sent.
      return fail(error as Error);
    }
    req.on("socket", (socket) => {
      if (!(socket instanceof tls.TLSSocket)) return;
      // A kept-alive socket has its handshake behind it; a new one is secured when it says so.
      if (req?.reusedSocket) secured = true;
      else socket.once("secureConnect", () => (secured = true));
    });
    req.on("error", fail);
    req.end(request.data);
  });
}

/** The transport reads why from its deadline; this only has to end the exchange. */
function abortError(): Error {
  return Object.assign(new Error("aborted"), { code: "ABORT_ERR" });
}

/**
 * The whole body, decompressed when the server compressed it. Decoded once the answer is complete
 * (IAP's answers are small; no stream to leak or hang), with axios's leniency about labels: nothing
 * to decode for a HEAD, a 204, a 304 or an empty body whatever its Content-Encoding; gzip and
 * compress labels take gzip or zlib data alike; deflate with zlib's wrapper or raw. Unlike axios,
 * a compressed body that is corrupt or cut short throws (zlib's `code`) rather than giving what
 * could be decoded of it: a shorter answer is never taken for the whole.
 */
function decoded(res: http.IncomingMessage, body: Buffer, method: string): Buffer {
  if (body.length === 0 || method === "HEAD" || res.statusCode === 204 || res.statusCode === 304) return body;
  const encoding = String(res.headers["content-encoding"] ?? "")
    .trim()
    .toLowerCase();
  switch (encoding) {
    case "gzip":
    case "x-gzip":
    case "compress":
    case "x-compress":
      return zlib.unzipSync(body);
    case "deflate":
      return hasZlibHeader(body) ? zlib.inflateSync(body) : zlib.inflateRawSync(body);
    case "br":
      return zlib.brotliDecompressSync(body);
    default:
      return body;
  }
}

/** RFC 1950: compression method 8 in the low nibble, and the first two bytes a multiple of 31. */
function hasZlibHeader(body: Buffer): boolean {
  const [first, second] = [body[0] ?? 0, body[1] ?? 0];
  return (first & 0x0f) === 8 && ((first << 8) | second) % 31 === 0;
}
