// When to try again and how long to wait. What is retried: connection errors, timeouts, 429, 502,
// 503, 504. What never is: every other 4xx, and 500 (IAP's status for business errors). Which
// requests: reads freely; claim, release and assign only after reading the task's state (client.ts);
// other writes only when the request certainly did not reach IAP.
import { ConnectionError, RateLimitError, ServerError, TimeoutError } from "./errors";

export interface RetryOptions {
  /** Retries after the first attempt (default 3; 0 disables). */
  maxRetries: number;
  /** First backoff delay; doubles each retry, with jitter (default 500 ms). */
  baseDelayMs: number;
  /** Cap on one backoff delay (default 8 s). */
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the RateLimitError is raised (default 60 s). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
};

const RETRIED_STATUSES = new Set([502, 503, 504]);
/** Failures that happen before a request leaves the machine or reaches a server. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * TLS refusals (an untrusted or misnamed certificate, a client certificate the server wants, http
 * spoken to https): the same handshake fails the same way, so these are not retried.
 */
const TLS_REFUSED = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)|^ERR_SSL_|^ERR_TLS_|^EPROTO$/;

/** The TLS handshake refused the connection: nothing was delivered, and a retry fails the same way. */
export function isTlsRefusal(error: unknown): boolean {
  return (
    error instanceof ConnectionError &&
    !error.afterTlsHandshake &&
    error.code !== undefined &&
    TLS_REFUSED.test(error.code)
  );
}

/** A failure that may pass if the same request is sent again. */
export function isTransient(error: unknown): boolean {
  return (
    (error instanceof ConnectionError && !isTlsRefusal(error)) ||
    error instanceof TimeoutError ||
    error instanceof RateLimitError ||
    (error instanceof ServerError && RETRIED_STATUSES.has(error.status))
  );
}

/** The request certainly had no effect: safe to repeat even a write that is not idempotent. */
export function certainlyNotApplied(error: unknown): boolean {
  return (
    (error instanceof ConnectionError && error.code !== undefined && NOT_SENT_CODES.has(error.code)) ||
    error instanceof RateLimitError
  );
}

/**
 * How long to wait before retry number `attempt` (0-based), or undefined when the server asked for
 * a longer pause than we are willing to wait.
 */
export function retryDelay(
  error: unknown,
  attempt: number,
  options: RetryOptions,
  random = Math.random,
): number | undefined {
  if (error instanceof RateLimitError && error.retryAfterMs !== undefined) {
    return error.retryAfterMs <= options.maxRetryAfterMs ? error.retryAfterMs : undefined;
  }
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  // "Equal jitter": at least half the delay, so retries neither synchronise nor collapse to zero.
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Waits `ms`, or rejects with `signal`'s reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
