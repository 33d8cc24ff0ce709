// HTTP for the client, over axios: keep-alive agents and TLS options, proxies, IAP's envelope,
// error classes, re-authentication on 401, retries, and redacted log records. Bodies are read as
// bytes, bounded by `maxBodyBytes` before and after decompression, and parsed here, so an HTML page
// from a proxy becomes a clear ResponseFormatError, not a TypeError later.
import * as http from "node:http";
import * as https from "node:https";
import * as tls from "node:tls";
import { promisify } from "node:util";
import * as zlib from "node:zlib";
import type { AxiosError, AxiosInstance, AxiosProxyConfig, AxiosResponse } from "axios";
import type { HttpsProxyAgent as ProxyTunnelAgent } from "https-proxy-agent";
import type { AuthStrategy, OutgoingCredentials } from "./auth";
import { type StopReason, startDeadline } from "./deadline";
import {
  AbortedError,
  type ApiError,
  AuthenticationError,
  apiErrorFor,
  BodyTooLargeError,
  ConnectionError,
  type ItentialError,
  ResponseFormatError,
  TimeoutError,
  ValidationError,
} from "./errors";
import { redactHeaders } from "./redact";
import { certainlyNotApplied, isTransient, parseRetryAfter, type RetryOptions, retryDelay, sleep } from "./retry";
import { envelope, isEnvelope, type Origin, parseWith } from "./schemas";
import { VERSION } from "./version";

export interface TlsOptions {
  /** Trusted CA certificates (PEM), replacing Node's defaults, e.g. a private CA's bundle. */
  ca?: string | Buffer | (string | Buffer)[];
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  /** Set to false only to accept any certificate (testing). Never the default. */
  rejectUnauthorized?: boolean;
}

/** Receives one record per request, response, retry and failure, with credentials redacted. */
export interface Logger {
  debug(record: LogRecord): void;
  /**
   * A setting that puts credentials at risk (e.g. Basic credentials over plain http), once per
   * client. Without it, warnings go to stderr as `[pulumi-itential] warning: …`.
   */
  warn?(message: string): void;
}

export interface LogRecord {
  event: "request" | "response" | "retry" | "error";
  method: string;
  /** URL with any token redacted. */
  url: string;
  attempt: number;
  status?: number;
  durationMs?: number;
  delayMs?: number;
  headers?: Record<string, unknown>;
  error?: string;
}

/** Per-call settings, accepted by every client method. */
export interface CallOptions {
  /** Overrides the client's timeout for this call. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Overrides the client's retry count for this call. */
  maxRetries?: number;
}

export interface TransportOptions {
  baseUrl: string;
  timeoutMs: number;
  retry: RetryOptions;
  /** Largest body sent or accepted (an answer counted once decompressed), in bytes. */
  maxBodyBytes: number;
  tls?: TlsOptions;
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
  proxy?: AxiosProxyConfig | false;
  logger?: Logger;
  userAgent?: string;
}

/** 32 MiB: IAP's largest answers (a page of tasks with their variables) are far smaller. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** `safe`: retry transient failures (reads, logins). `not-applied`: only when the request had no effect. */
export type RetryMode = "safe" | "not-applied" | "none";

export interface RequestSpec extends CallOptions {
  method: "GET" | "POST" | "PATCH";
  /** Path with parameters already encoded. */
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  form?: URLSearchParams;
  /** Default true. */
  authenticate?: boolean;
  /**
   * The answer is a credential (a login's token): errors about it never quote its body, which
   * no redaction could clean, since the token in it is not known yet.
   */
  answerIsCredential?: boolean;
  retry: RetryMode;
}

export interface EnvelopeResult {
  data: unknown;
  metadata: unknown;
  origin: Origin;
}

const USER_AGENT = `pulumi-itential/${VERSION} (node ${process.version})`;

/** What the transport reads from an answer. */
interface HttpAnswer {
  status: number;
  /** Names in lower case; read with String() or typeof, as axios's values are typed loosely. */
  headers: Readonly<Record<string, unknown>>;
  /** The body as UTF-8 text, decompressed, without a byte-order mark. */
  data: string;
}

export class Transport {
  readonly #axios: AxiosInstance;
  readonly #options: TransportOptions;
  readonly #auth: () => AuthStrategy;
  readonly #baseUrl: string;

  constructor(options: TransportOptions, auth: () => AuthStrategy) {
    this.#options = options;
    this.#auth = auth;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    const secure = new URL(this.#baseUrl).protocol === "https:";
    const agent = agentFor(this.#baseUrl, secure, options);
    // Loaded with the first client rather than with the module: a Pulumi program that only
    // declares resources never makes one, and loading axios costs tens of milliseconds.
    const axios: typeof import("axios").default = require("axios");
    this.#axios = axios.create({
      adapter: "http",
      ...(secure ? { httpsAgent: agent } : { httpAgent: agent }),
      // The agent above already applies the proxy (or none): axios must not look again.
      proxy: false,
      maxRedirects: 0,
      // Bytes in, text out by the transport: decompression is strict and bounded (see decodedText).
      responseType: "arraybuffer",
      decompress: false,
      maxContentLength: options.maxBodyBytes,
      maxBodyLength: options.maxBodyBytes,
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      // Every status is an answer; the transport maps them to its errors.
      validateStatus: () => true,
    });
  }

  /** A request whose answer is IAP's `{ message, data, metadata }` envelope. */
  async envelope(spec: RequestSpec): Promise<EnvelopeResult> {
    const { json, origin } = await this.json(spec);
    const parsed = isEnvelope(json) ? json : parseWith(envelope, json, origin, "the response envelope");
    if (!Object.hasOwn(parsed, "data"))
      throw new ResponseFormatError(origin.method, origin.path, origin.status, "no data");
    return { data: parsed.data, metadata: parsed.metadata, origin };
  }

  /** A request whose answer is bare JSON (login, OAuth, whoami). */
  async json(spec: RequestSpec): Promise<{ json: unknown; origin: Origin }> {
    const maxRetries = spec.maxRetries ?? this.#options.retry.maxRetries;
    let retries = 0;
    let resent = false;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(spec, attempt);
      } catch (error) {
        // A kept-alive connection that failed before any answer came was most likely closed by
        // the server while idle: a read goes out again at once on a new connection, once, without
        // spending a retry (as Go's and curl's clients do). Never a write: it may have arrived.
        const stale: boolean =
          !resent && spec.retry === "safe" && error instanceof ConnectionError && error.reusedConnection;
        resent ||= stale;
        const retryable =
          (spec.retry === "safe" && isTransient(error)) || (spec.retry !== "none" && certainlyNotApplied(error));
        const delay = stale
          ? 0
          : retryable && retries < maxRetries
            ? retryDelay(error, retries++, this.#options.retry)
            : undefined;
        if (delay === undefined) throw error;
        this.log(() => ({
          event: "retry",
          method: spec.method,
          url: this.redactedUrl(spec),
          attempt,
          delayMs: delay,
          error: (error as Error).message,
        }));
        if (delay === 0 && !spec.signal?.aborted) continue;
        try {
          await sleep(delay, spec.signal);
        } catch {
          throw new AbortedError(spec.method, spec.path);
        }
      }
    }
  }

  /** Text built from a response or an error, without the credentials of this client. */
  #redact(text: string): string {
    return this.#auth().redact(text);
  }

  /** One try; a 401 on an authenticated request gets one renewal and one more send. */
  private async attempt(spec: RequestSpec, attempt: number): Promise<{ json: unknown; origin: Origin }> {
    const auth = spec.authenticate === false ? undefined : this.#auth();
    let response: HttpAnswer;
    let used: string | undefined;
    for (let renewed = false; ; renewed = true) {
      const credentials: OutgoingCredentials = { headers: {}, query: new URLSearchParams(spec.query) };
      used = auth ? await auth.authorize(credentials, { signal: spec.signal, timeoutMs: spec.timeoutMs }) : undefined;
      response = await this.send(spec, credentials, attempt);
      if (
        response.status !== 401 ||
        !auth ||
        renewed ||
        !(await auth.renew(used as string, { signal: spec.signal, timeoutMs: spec.timeoutMs }))
      )
        break;
    }
    const origin: Origin = { method: spec.method, path: spec.path, status: response.status };
    if (response.status >= 200 && response.status < 300) {
      return { json: this.parseBody(response, origin, spec.answerIsCredential === true), origin };
    }
    throw this.errorFor(response, origin);
  }

  private async send(spec: RequestSpec, credentials: OutgoingCredentials, attempt: number): Promise<HttpAnswer> {
    const query = credentials.query.toString();
    const pathAndQuery = query ? `${spec.path}?${query}` : spec.path;
    const headers: Record<string, string> = {
      accept: "application/json",
      // What decodedText reads (axios would offer zstd on some node versions, which it does not).
      "accept-encoding": "gzip, deflate, br",
      "user-agent": this.#options.userAgent ? `${USER_AGENT} ${this.#options.userAgent}` : USER_AGENT,
      ...credentials.headers,
    };
    let data: string | undefined;
    if (spec.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      data = spec.form.toString();
    } else if (spec.body !== undefined) {
      headers["content-type"] = "application/json";
      data = JSON.stringify(spec.body);
    }
    const timeout = spec.timeoutMs ?? this.#options.timeoutMs;
    const limit = this.#options.maxBodyBytes;
    if (data !== undefined && Buffer.byteLength(data) > limit) {
      throw new BodyTooLargeError(spec.method, spec.path, limit, "request");
    }
    // One timer for the whole exchange (queued for a socket, connecting, headers, every byte of
    // the body): axios's own timeout restarts with every byte, so a server trickling its body
    // could hold a request (and a pipeline) forever.
    const deadline = startDeadline(timeout, spec.signal);
    const started = performance.now();
    this.log(() => ({
      event: "request",
      method: spec.method,
      url: this.redactedUrl(spec),
      attempt,
      headers: redactHeaders(headers, (text) => this.#redact(text)),
    }));
    try {
      const answer = await this.#axios.request<Buffer>({
        method: spec.method,
        url: `${this.#baseUrl}${pathAndQuery}`,
        headers,
        data,
        signal: deadline.signal,
      });
      const response: HttpAnswer = {
        status: answer.status,
        headers: answer.headers as Record<string, unknown>,
        data: await decodedText(answer, spec.method, limit),
      };
      this.log(() => ({
        event: "response",
        method: spec.method,
        url: this.redactedUrl(spec),
        attempt,
        status: response.status,
        durationMs: Math.round(performance.now() - started),
      }));
      return response;
    } catch (error) {
      const mapped = this.transportError(error, spec, timeout, deadline.reason());
      this.log(() => ({
        event: "error",
        method: spec.method,
        url: this.redactedUrl(spec),
        attempt,
        durationMs: Math.round(performance.now() - started),
        error: mapped.message,
      }));
      throw mapped;
    } finally {
      deadline.dispose();
    }
  }

  /**
   * One class per failure whatever the route (direct or through a proxy): TLS refusals apart from
   * failures after the handshake, answers cut short or corrupt, answers over the size limit.
   */
  private transportError(
    error: unknown,
    spec: RequestSpec,
    timeout: number,
    stopped: StopReason | undefined,
  ): ItentialError {
    const e = error as Partial<AxiosError> & { code?: string; message?: string };
    if (stopped === "timeout") return new TimeoutError(spec.method, spec.path, timeout);
    if (stopped === "aborted" || e.code === "ERR_CANCELED") return new AbortedError(spec.method, spec.path);
    if (isOverLimit(e)) return new BodyTooLargeError(spec.method, spec.path, this.#options.maxBodyBytes, "response");
    // The system's connect timeout, before ours.
    if (e.code === "ETIMEDOUT") return new TimeoutError(spec.method, spec.path, timeout);
    const request = e.request as http.ClientRequest | undefined;
    const socket = request?.socket;
    const reused = request?.reusedSocket === true;
    // Once the TLS handshake is done the request may reach the server, so a TLS error after it (a
    // corrupt record, an alert) says nothing about whether it was delivered: marked, so the retry
    // rules do not take it for a refusal of the handshake.
    const afterHandshake = socket instanceof tls.TLSSocket && (reused || HANDSHAKEN.has(socket));
    // Headers came, then the body failed: never a shorter answer. A zlib code says the body arrived
    // whole but does not decompress.
    const cutShort = e.response !== undefined;
    const code = cutShort && (e.code === undefined || e.code.startsWith("ERR_")) ? "ECONNRESET" : e.code;
    const detail = cutShort ? "the answer was cut short" : (e.message ?? "connection failed");
    // The underlying error is not kept as `cause`: axios's holds the request's headers and URL.
    return new ConnectionError(spec.method, spec.path, code, this.#redact(detail), afterHandshake, reused && !cutShort);
  }

  private parseBody(response: HttpAnswer, origin: Origin, isCredential: boolean): unknown {
    const text = typeof response.data === "string" ? response.data : "";
    try {
      return JSON.parse(text);
    } catch {
      const type = this.#redact(String(response.headers["content-type"] ?? "no content type"));
      // A snippet tells a proxy's login page from IAP's answer, but a login's answer is the fresh
      // token, which no redaction knows yet: its length says enough there.
      // Redacted before it is shortened, so a secret cut in half at the end is still found.
      const what = isCredential ? `${text.length} characters, not shown` : snippet(this.#redact(text));
      throw new ResponseFormatError(origin.method, origin.path, origin.status, `expected JSON, got ${type}: ${what}`);
    }
  }

  private errorFor(response: HttpAnswer, origin: Origin): ApiError {
    const text = typeof response.data === "string" ? response.data : "";
    let iapMessage = `HTTP ${response.status}${text ? `: ${snippet(this.#redact(text))}` : ""}`;
    // Redirects are not followed (a login or a claim must not land on another host); where it
    // points is what a person needs to fix the base URL.
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && typeof location === "string") {
      iapMessage = `HTTP ${response.status}, redirected to ${location} (not followed: check the base URL)`;
    }
    try {
      const body = JSON.parse(text) as Record<string, unknown> | null;
      const iapError = body?.IAPerror as Record<string, unknown> | undefined;
      const candidate = body?.message ?? iapError?.displayString ?? body?.error_description ?? body?.error;
      if (typeof candidate === "string" && candidate !== "" && !(response.status >= 300 && response.status < 400))
        iapMessage = candidate;
    } catch {
      // Not JSON (a proxy's HTML page, say): the status and a snippet of the text say what there is.
    }
    const retryAfter = response.headers["retry-after"];
    const info = {
      method: origin.method,
      path: origin.path,
      status: response.status,
      iapMessage: this.#redact(iapMessage),
      ...(typeof retryAfter === "string" ? { retryAfterMs: parseRetryAfter(retryAfter) } : {}),
    };
    if (response.status === 401) {
      return new AuthenticationError(info, `${origin.method} ${origin.path} was refused (401): ${info.iapMessage}`);
    }
    return apiErrorFor(info);
  }

  private redactedUrl(spec: RequestSpec): string {
    const query = spec.query?.toString();
    return this.#redact(`${this.#baseUrl}${spec.path}${query ? `?${query}` : ""}`);
  }

  /** Builds the record only when someone listens: redacting URLs is not free. */
  private log(record: () => LogRecord): void {
    this.#options.logger?.debug(record());
  }
}

/** TLS sockets whose handshake completed, made by a client's agent (see trackHandshakes). */
const HANDSHAKEN = new WeakSet<object>();
const TRACKED = Symbol("pulumi-itential.trackHandshakes");

type Connect = (...args: unknown[]) => unknown;

/**
 * Marks every TLS socket the agent makes once its handshake is done, so an error can be told
 * apart as a refusal or a failure after the handshake, with a proxy tunnel or without.
 */
function trackHandshakes<A extends http.Agent>(agent: A): A {
  const target = agent as unknown as { createConnection: Connect; [TRACKED]?: true };
  if (target[TRACKED]) return agent;
  const mark = (socket: unknown) => {
    if (socket instanceof tls.TLSSocket) socket.once("secureConnect", () => HANDSHAKEN.add(socket));
  };
  const create = target.createConnection;
  target.createConnection = function (this: unknown, ...args: unknown[]) {
    // node's agents may return the socket or hand it to the callback later.
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === "function") {
      args[last] = (error: unknown, socket: unknown) => {
        mark(socket);
        callback(error, socket);
      };
    }
    const socket = create.apply(this, args);
    mark(socket);
    return socket;
  };
  target[TRACKED] = true;
  return agent;
}

/**
 * The one agent a client's requests go through, for its base URL's scheme: the caller's own, else
 * a keep-alive agent, direct or through the proxy that applies to the base URL's host. Decided
 * once, when the client is made (as Go's ProxyFromEnvironment does). Proxies tunnel with the
 * proxy-agents family (https-proxy-agent, CONNECT; http-proxy-agent, absolute URLs), whose
 * agents keep their connections (and tunnels) alive as node's do.
 */
function agentFor(baseUrl: string, secure: boolean, options: TransportOptions): http.Agent {
  const own = secure ? options.httpsAgent : options.httpAgent;
  if (own) {
    if (options.proxy) {
      throw new ValidationError(
        `proxy and ${secure ? "httpsAgent" : "httpAgent"} cannot be combined: the client's agent applies the proxy; bring a proxy agent of your own instead`,
      );
    }
    return trackHandshakes(own);
  }
  const proxy = proxyFor(baseUrl, options.proxy);
  const tlsOptions = options.tls ?? {};
  const tlsSettings = {
    ca: tlsOptions.ca,
    cert: tlsOptions.cert,
    key: tlsOptions.key,
    passphrase: tlsOptions.passphrase,
    rejectUnauthorized: tlsOptions.rejectUnauthorized !== false,
  };
  if (!proxy) {
    return trackHandshakes(
      secure ? new https.Agent({ keepAlive: true, ...tlsSettings }) : new http.Agent({ keepAlive: true }),
    );
  }
  if (secure) {
    const { HttpsProxyAgent } = require("https-proxy-agent") as typeof import("https-proxy-agent");
    // Its constructor's TLS options are for an https:// proxy; the tunnelled connection to IAP
    // takes the request's. The client's tls settings are IAP's, so they go there (an https://
    // proxy is verified with node's default CAs, NODE_EXTRA_CA_CERTS included).
    class TunnelAgent extends HttpsProxyAgent<string> {
      override connect(req: http.ClientRequest, opts: Parameters<ProxyTunnelAgent<string>["connect"]>[1]) {
        return super.connect(req, { ...opts, ...tlsSettings });
      }
    }
    return trackHandshakes(new TunnelAgent(proxy, { keepAlive: true }));
  }
  const { HttpProxyAgent } = require("http-proxy-agent") as typeof import("http-proxy-agent");
  return trackHandshakes(new HttpProxyAgent(proxy, { keepAlive: true }));
}

/**
 * The proxy for the base URL: the `proxy` option, else the environment's for its host
 * (`HTTPS_PROXY`/`HTTP_PROXY`, then `ALL_PROXY`, unless `NO_PROXY` names the host, read by
 * proxy-from-env as axios reads them), else none.
 */
function proxyFor(baseUrl: string, option: AxiosProxyConfig | false | undefined): URL | undefined {
  if (option === false) return undefined;
  if (option) return proxyUrl(option);
  const { getProxyForUrl } = require("proxy-from-env") as { getProxyForUrl(url: string): string };
  const fromEnv = getProxyForUrl(baseUrl);
  if (!fromEnv) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(fromEnv);
  } catch {
    // Not quoted: a proxy URL may hold credentials.
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new ValidationError(
      `the proxy the environment names for ${new URL(baseUrl).host} (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY) is not an http:// or https:// URL; fix it, exclude the host with NO_PROXY, or pass proxy: false`,
    );
  }
  return url;
}

function proxyUrl(config: AxiosProxyConfig): URL {
  const protocol = (config.protocol ?? "http").replace(/:$/, "").toLowerCase();
  if ((protocol !== "http" && protocol !== "https") || !config.host || !Number.isInteger(Number(config.port))) {
    throw new ValidationError("proxy needs protocol http or https, a host and a port");
  }
  const url = new URL(`${protocol}://proxy.invalid`);
  url.hostname = config.host.includes(":") && !config.host.startsWith("[") ? `[${config.host}]` : config.host;
  url.port = String(config.port);
  if (config.auth) {
    // Percent-encoded as a URL's user information; the proxy agents decode it for Basic auth.
    url.username = encodeURIComponent(config.auth.username);
    url.password = encodeURIComponent(config.auth.password);
  }
  return url;
}

/** axios's error for an answer over `maxContentLength` (it has no code of its own). */
function isOverLimit(error: { code?: string; message?: string }): boolean {
  return (
    error.code === "ERR_BUFFER_TOO_LARGE" ||
    (error.code === "ERR_BAD_RESPONSE" && /^maxContentLength size of \d+ exceeded$/.test(error.message ?? ""))
  );
}

const unzip = promisify(zlib.unzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotliDecompress = promisify(zlib.brotliDecompress);

/**
 * The body as text, decompressed when the server compressed it. axios decompresses too, but leniently
 * (a gzip stream cut short gives what it could decode, a shorter answer taken for the whole); here
 * a body that does not decompress fails with zlib's code, and the output stops at `limit` bytes
 * (a small gzip bomb fails after `limit` bytes rather than filling memory). With axios's leniency
 * about labels: nothing to decode for a HEAD, a 204, a 304 or an empty body whatever its
 * Content-Encoding; gzip and compress labels take gzip or zlib data alike; deflate with zlib's
 * wrapper or raw. Off the event loop, in zlib's threads.
 */
async function decodedText(response: AxiosResponse<Buffer>, method: string, limit: number): Promise<string> {
  let body = response.data;
  if (body.length > 0 && method !== "HEAD" && response.status !== 204 && response.status !== 304) {
    const options = { maxOutputLength: limit };
    switch (
      String(response.headers["content-encoding"] ?? "")
        .trim()
        .toLowerCase()
    ) {
      case "gzip":
      case "x-gzip":
      case "compress":
      case "x-compress":
        body = await unzip(body, options);
        break;
      case "deflate":
        body = hasZlibHeader(body) ? await inflate(body, options) : await inflateRaw(body, options);
        break;
      case "br":
        body = await brotliDecompress(body, options);
        break;
    }
  }
  const text = body.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** RFC 1950: compression method 8 in the low nibble, and the first two bytes a multiple of 31. */
function hasZlibHeader(body: Buffer): boolean {
  const [first, second] = [body[0] ?? 0, body[1] ?? 0];
  return (first & 0x0f) === 8 && ((first << 8) | second) % 31 === 0;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 120 ? `${JSON.stringify(flat.slice(0, 120))}…` : JSON.stringify(flat);
}

/** The logger `ITENTIAL_DEBUG=1` installs: one JSON line per record on stderr. */
export const stderrLogger: Logger = {
  debug(record) {
    process.stderr.write(`[pulumi-itential] ${JSON.stringify(record)}\n`);
  },
};
