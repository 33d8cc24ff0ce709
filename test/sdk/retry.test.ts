// The retry policy as pure functions: what is retried, for how long, and Retry-After.
import { ConnectionError, NotFoundError, RateLimitError, ServerError, TimeoutError } from "../../sdk";
import { certainlyNotApplied, DEFAULT_RETRY, isTransient, parseRetryAfter, retryDelay, sleep } from "../../sdk/retry";

const info = (status: number) => ({ method: "GET", path: "/x", status, iapMessage: "m" });

test("transient: connection errors, timeouts, 429, 502, 503, 504; nothing else", () => {
  expect(isTransient(new ConnectionError("GET", "/x", "ECONNRESET", "reset"))).toBe(true);
  expect(isTransient(new TimeoutError("GET", "/x", 10))).toBe(true);
  expect(isTransient(new RateLimitError(info(429)))).toBe(true);
  for (const status of [502, 503, 504]) expect(isTransient(new ServerError(info(status)))).toBe(true);
  expect(isTransient(new ServerError(info(500)))).toBe(false);
  expect(isTransient(new NotFoundError(info(404)))).toBe(false);
  expect(isTransient(new Error("x"))).toBe(false);
});

test("certainly not applied: refused connections and 429 only", () => {
  expect(certainlyNotApplied(new ConnectionError("POST", "/x", "ECONNREFUSED", "refused"))).toBe(true);
  expect(certainlyNotApplied(new ConnectionError("POST", "/x", "ENOTFOUND", "dns"))).toBe(true);
  expect(certainlyNotApplied(new RateLimitError(info(429)))).toBe(true);
  expect(certainlyNotApplied(new ConnectionError("POST", "/x", "ECONNRESET", "reset"))).toBe(false);
  expect(certainlyNotApplied(new TimeoutError("POST", "/x", 1))).toBe(false);
  expect(certainlyNotApplied(new ServerError(info(503)))).toBe(false);
});

test("backoff doubles from the base, is capped, and keeps at least half of each delay (jitter)", () => {
  const options = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
  const error = new ServerError(info(503));
  expect([0, 1, 2, 3, 4, 5].map((a) => retryDelay(error, a, options, () => 1))).toEqual([
    100, 200, 400, 800, 1000, 1000,
  ]);
  expect([0, 1, 2, 3, 4].map((a) => retryDelay(error, a, options, () => 0))).toEqual([50, 100, 200, 400, 500]);
  for (let i = 0; i < 200; i++) {
    const d = retryDelay(error, 2, options) as number;
    expect(d).toBeGreaterThanOrEqual(200);
    expect(d).toBeLessThanOrEqual(400);
  }
});

test("Retry-After wins when short enough; too long means no retry", () => {
  const options = { ...DEFAULT_RETRY, maxRetryAfterMs: 5000 };
  expect(retryDelay(new RateLimitError({ ...info(429), retryAfterMs: 3000 }), 0, options)).toBe(3000);
  expect(retryDelay(new RateLimitError({ ...info(429), retryAfterMs: 6000 }), 0, options)).toBeUndefined();
});

test("Retry-After as seconds or as an HTTP date", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  expect(parseRetryAfter("120", now)).toBe(120_000);
  expect(parseRetryAfter("0.5", now)).toBe(500);
  expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
  expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
  expect(parseRetryAfter("soon", now)).toBeUndefined();
  expect(parseRetryAfter(undefined, now)).toBeUndefined();
});

test("sleep ends early with the signal's reason", async () => {
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(new Error("stop")), 20);
  await expect(sleep(5000, controller.signal)).rejects.toThrow("stop");
  expect(Date.now() - started).toBeLessThan(1000);
});
