// HTTP for the client: keep-alive agents and TLS options, IAP's envelope, error classes,
// re-authentication on 401, retries, and redacted log records. Bodies are read as text and parsed
// here, so an HTML page from a proxy becomes a clear ResponseFormatError, not a TypeError later.
// Requests go out over node:http (direct-http.ts), or through axios when a proxy may apply.
import * as http from "node:http";
import * as https from "node:https";
import type { AxiosInstance, AxiosProxyConfig } from "axios";
import type { AuthStrategy, OutgoingCredentials } from "./auth";
import { type StopReason, startDeadline } from "./deadline";
import { exchange, type HttpAnswer, type HttpTarget, httpTarget, proxyMayApply } from "./direct-http";
import {
  AbortedError,
  type ApiError,
  AuthenticationError,
  apiErrorFor,
  ConnectionError,
  type ItentialError,
  ResponseFormatError,
  TimeoutError,
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
  tls?: TlsOptions;
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
  proxy?: AxiosProxyConfig | false;
  logger?: Logger;
  userAgent?: string;
}

/** `safe`: retry transient failures (reads, logins). `not-applied`: only when the request had no effect. */
export type RetryMode = "safe" | "not-applied" | "none";

export interface RequestSpec extends CallOptions {
  method: "GET" | "POST";
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

export class Transport {
  /** Set when a proxy may apply: then requests go through axios, for its proxy handling. */
  readonly #axios: AxiosInstance | undefined;
  readonly #httpAgent: http.Agent;
  readonly #httpsAgent: https.Agent;
  readonly #target: HttpTarget;
  readonly #options: TransportOptions;
  readonly #auth: () => AuthStrategy;
  readonly #baseUrl: string;

  constructor(options: TransportOptions, auth: () => AuthStrategy) {
    this.#options = options;
    this.#auth = auth;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#target = httpTarget(this.#baseUrl);
    const tls = options.tls ?? {};
    // One pair of agents for both ways of sending, so connections are shared and TLS set once.
    this.#httpAgent = options.httpAgent ?? new http.Agent({ keepAlive: true });
    this.#httpsAgent =
      options.httpsAgent ??
      new https.Agent({
        keepAlive: true,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        passphrase: tls.passphrase,
        rejectUnauthorized: tls.rejectUnauthorized !== false,
      });
    this.#axios = proxyMayApply(options.proxy) ? proxyingAxios(options, this.#httpAgent, this.#httpsAgent) : undefined;
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
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(spec, attempt);
      } catch (error) {
        const retryable =
          (spec.retry === "safe" && isTransient(error)) || (spec.retry !== "none" && certainlyNotApplied(error));
        const delay = retryable && attempt < maxRetries ? retryDelay(error, attempt, this.#options.retry) : undefined;
        if (delay === undefined) throw error;
        this.log(() => ({
          event: "retry",
          method: spec.method,
          url: this.redactedUrl(spec),
          attempt,
          delayMs: delay,
          error: (error as Error).message,
        }));
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
    // One timer for the whole exchange: axios's own timeout restarts with every byte, so a server
    // trickling its body could hold a request (and a pipeline) forever.
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
      const { method } = spec;
      const response: HttpAnswer = this.#axios
        ? await this.#axios.request<string>({
            method,
            url: `${this.#baseUrl}${pathAndQuery}`,
            headers,
            data,
            signal: deadline.signal,
          })
        : await exchange({
            method,
            target: this.#target,
            path: pathAndQuery,
            headers,
            data,
            deadline,
            agent: this.#target.protocol === "https:" ? this.#httpsAgent : this.#httpAgent,
          });
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

  private transportError(
    error: unknown,
    spec: RequestSpec,
    timeout: number,
    stopped: StopReason | undefined,
  ): ItentialError {
    const e = error as { code?: string; message?: string; cause?: { code?: string }; afterTlsHandshake?: boolean };
    if (stopped === "timeout") return new TimeoutError(spec.method, spec.path, timeout);
    if (stopped === "aborted" || e.code === "ERR_CANCELED") {
      return new AbortedError(spec.method, spec.path);
    }
    if (e.code === "ETIMEDOUT" || e.code === "ECONNABORTED") return new TimeoutError(spec.method, spec.path, timeout);
    const code = e.code ?? e.cause?.code;
    // The underlying error is not kept as `cause`: axios's holds the request's headers and URL.
    return new ConnectionError(
      spec.method,
      spec.path,
      code,
      this.#redact(e.message ?? "connection failed"),
      e.afterTlsHandshake === true,
    );
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
    try {
      const body = JSON.parse(text) as Record<string, unknown> | null;
      const iapError = body?.IAPerror as Record<string, unknown> | undefined;
      const candidate = body?.message ?? iapError?.displayString ?? body?.error_description ?? body?.error;
      if (typeof candidate === "string" && candidate !== "") iapMessage = candidate;
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

/**
 * An axios instance for a client whose requests may go through a proxy. Loaded only then: every
 * provider process and SDK user would otherwise spend 70-170 ms (two busy cores) loading it.
 */
function proxyingAxios(options: TransportOptions, httpAgent: http.Agent, httpsAgent: https.Agent): AxiosInstance {
  const axios: typeof import("axios").default = require("axios");
  return axios.create({
    httpAgent,
    httpsAgent,
    ...(options.proxy !== undefined ? { proxy: options.proxy } : {}),
    responseType: "text",
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxRedirects: 0,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: false, forcedJSONParsing: false },
  });
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
