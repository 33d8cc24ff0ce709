// Deadlines and cancellation. A request is bounded by one timer covering the whole exchange
// (connect, headers and every byte of the body), and by the caller's AbortSignal. Work shared by
// several callers (one login, one whoami) runs on its own deadline; each caller waits for it only
// as long as its own signal allows, so one caller giving up never fails another.

/** Why a deadline-bound operation stopped early. */
export type StopReason = "timeout" | "aborted";

export interface Deadline {
  /** Fires when the time is up or the caller aborted; handed to axios, which ends the exchange. */
  readonly signal: AbortSignal;
  /** What fired, once the deadline has stopped. */
  reason(): StopReason | undefined;
  /** Stops the timer and forgets the caller's signal; call when the work is done. */
  dispose(): void;
}

/** A deadline of `ms` milliseconds, also ended by `caller` aborting. */
export function startDeadline(ms: number, caller?: AbortSignal): Deadline {
  let stopped: StopReason | undefined;
  const controller = new AbortController();
  const stop = (why: StopReason) => {
    if (stopped) return;
    stopped = why;
    controller.abort(new Error(why === "timeout" ? `timed out after ${ms} ms` : "aborted"));
  };
  // Node's timers hold at most 2^31-1 ms, and fire after 1 ms when asked for more.
  const timer = setTimeout(() => stop("timeout"), Math.min(ms, 2_147_483_647));
  // A pending timer must not keep a process alive that has nothing else to do.
  timer.unref?.();
  const onAbort = () => stop("aborted");
  if (caller?.aborted) stop("aborted");
  else caller?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    reason: () => stopped,
    dispose: () => {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onAbort);
    },
  };
}

/**
 * Waits for `work` (which may be shared with other callers) unless `signal` aborts first; then
 * rejects with `onAbort()` and leaves `work` running for whoever else waits on it.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, onAbort: () => Error): Promise<T> {
  // If every waiter gives up, nobody else may be left to see `work` fail: an unhandled rejection
  // would end a Pulumi provider process. Its failure still reaches whoever awaits it.
  work.catch(() => {});
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener("abort", abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", abort);
        reject(error);
      },
    );
  });
}
