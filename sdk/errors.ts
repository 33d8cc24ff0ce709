// The client's errors: callers branch on classes, never on message text. Nothing here holds a
// request's headers, URL query or body, so no credential can reach a log through an error: paths
// are stored without their query, and IAP's messages are passed through redaction when built.
import { redactText } from "./redact";

export class ItentialError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(redactText(message), options);
    this.name = new.target.name;
  }
}

/** An argument the client refuses before sending anything (e.g. a task id that is not a UUID). */
export class ValidationError extends ItentialError {}

interface RequestInfo {
  /** HTTP method, upper case. */
  method: string;
  /** Request path without query string, e.g. `/operations-manager/tasks/…/claim`. */
  path: string;
}

/** IAP answered with an error status. */
export class ApiError extends ItentialError {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  /** IAP's own `message` (or the best text the response had). */
  readonly iapMessage: string;

  constructor(info: RequestInfo & { status: number; iapMessage: string }, message?: string) {
    super(message ?? `${info.method} ${info.path} failed with HTTP ${info.status}: ${info.iapMessage}`);
    this.status = info.status;
    this.method = info.method;
    this.path = info.path;
    this.iapMessage = redactText(info.iapMessage);
  }
}

export class BadRequestError extends ApiError {}
/** 401: credentials missing, wrong or expired (after the client tried logging in again once). */
export class AuthenticationError extends ApiError {}
/** 403: authenticated, but not allowed. */
export class PermissionError extends ApiError {}
export class NotFoundError extends ApiError {}
export class ConflictError extends ApiError {}
/** 5xx. IAP also answers business errors with 500; see TaskStateError for how claims are told apart. */
export class ServerError extends ApiError {}

export class RateLimitError extends ApiError {
  /** What `Retry-After` asked for, in milliseconds, when present. */
  readonly retryAfterMs: number | undefined;
  constructor(info: RequestInfo & { status: number; iapMessage: string; retryAfterMs?: number }) {
    super(info);
    this.retryAfterMs = info.retryAfterMs;
  }
}

/** Why a claim, release or assign could not happen, read from the task's state after IAP refused it. */
export type TaskStateReason = "claimed-by-another" | "not-claimed" | "finished" | "not-manual" | "not-claimable";

/**
 * A task operation refused because of the task's state, in words a person can act on ("task … is
 * claimed by alice since …"). `status` is what IAP answered (409, 400 or 500 alike: the reason
 * comes from the task, not the status code), or 0 when no answer came (timeout, reset).
 */
export class TaskStateError extends ConflictError {
  readonly reason: TaskStateReason;
  readonly taskId: string;
  /** The current owner, when the reason is `claimed-by-another`. */
  readonly owner: { id: string; username?: string } | undefined;

  constructor(
    info: RequestInfo & { status: number; iapMessage: string },
    detail: { reason: TaskStateReason; taskId: string; owner?: { id: string; username?: string }; explanation: string },
  ) {
    super(info, detail.explanation);
    this.reason = detail.reason;
    this.taskId = detail.taskId;
    this.owner = detail.owner;
  }
}

/** No answer in time. For a claim, release or assign the client has already checked the task's state. */
export class TimeoutError extends ItentialError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} ${path} timed out after ${timeoutMs} ms`);
  }
}

/** The connection failed (refused, reset, cut mid-answer, DNS, TLS). */
export class ConnectionError extends ItentialError {
  constructor(
    readonly method: string,
    readonly path: string,
    /** The system error code, e.g. ECONNREFUSED, ECONNRESET, CERT_HAS_EXPIRED. */
    readonly code: string | undefined,
    detail: string,
    /**
     * The TLS handshake had completed when the connection failed: the request may have been
     * delivered, so even a TLS error code does not mean it was refused.
     */
    readonly afterTlsHandshake = false,
    /**
     * The request went out on a kept-alive connection that failed before any answer came: most
     * likely the server closed it while idle, so a read is sent again at once, on a new one.
     */
    readonly reusedConnection = false,
  ) {
    super(`${method} ${path} failed: ${detail}${code && !detail.includes(code) ? ` (${code})` : ""}`);
  }
}

/**
 * An answer (once decompressed) or a request body larger than the client's `maxBodyBytes`. Not
 * retried: the same request would get the same answer. Nothing of the body is kept.
 */
export class BodyTooLargeError extends ItentialError {
  constructor(
    readonly method: string,
    readonly path: string,
    /** The limit that was passed, in bytes. */
    readonly limitBytes: number,
    /** `response` for an answer, `request` for what the client was about to send. */
    readonly direction: "response" | "request",
  ) {
    super(
      direction === "response"
        ? `${method} ${path} answered with more than ${describeBytes(limitBytes)}, the client's maxBodyBytes; the answer was dropped`
        : `${method} ${path} was not sent: its body is larger than ${describeBytes(limitBytes)}, the client's maxBodyBytes`,
    );
  }
}

function describeBytes(bytes: number): string {
  const mib = bytes / 1024 / 1024;
  return Number.isInteger(mib) ? `${mib} MiB (${bytes} bytes)` : `${bytes} bytes`;
}

/** The caller's AbortSignal fired. */
export class AbortedError extends ItentialError {
  constructor(
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path} was aborted`);
  }
}

/** A 2xx answer that is not what IAP sends (HTML from a proxy, no `data`, a task without `_id`, …). */
export class ResponseFormatError extends ItentialError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    detail: string,
  ) {
    super(`${method} ${path} answered HTTP ${status} with an unexpected body: ${detail}`);
  }
}

/** Maps an error status to its class. */
export function apiErrorFor(
  info: RequestInfo & { status: number; iapMessage: string; retryAfterMs?: number },
): ApiError {
  switch (info.status) {
    case 400:
    case 422:
      return new BadRequestError(info);
    case 401:
      return new AuthenticationError(info);
    case 403:
      return new PermissionError(info);
    case 404:
      return new NotFoundError(info);
    case 409:
      return new ConflictError(info);
    case 429:
      return new RateLimitError(info);
    default:
      return info.status >= 500 ? new ServerError(info) : new ApiError(info);
  }
}
