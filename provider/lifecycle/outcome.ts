// Writes whose outcome is unknown. A claim or assign that timed out, lost its connection, got a
// 5xx or an answer that was not IAP's may have been applied, and the SDK's own check (reading the
// task) could not tell either. Such a failure must not leave state silent while IAP may hold a
// claim nobody knows about: the resource is reported as possibly created, state records it, and
// the next refresh or up reads the task and settles it (see dynamic/host.ts).
import {
  AbortedError,
  ApiError,
  ConnectionError,
  certainlyNotApplied,
  isTlsRefusal,
  TaskStateError,
  TimeoutError,
  ValidationError,
} from "../../sdk";

/** The logins a write may need first: when one of them fails, the write itself was never sent. */
const LOGIN_PATHS = new Set(["/login", "/oauth/token"]);

/** IAP certainly refused the write, or it certainly never left: nothing to record. */
export function certainlyRefused(error: unknown): boolean {
  return (
    error instanceof TaskStateError ||
    error instanceof ValidationError ||
    (error instanceof ApiError && error.status >= 400 && error.status < 500) ||
    certainlyNotApplied(error) ||
    isTlsRefusal(error) ||
    ((error instanceof ConnectionError || error instanceof TimeoutError || error instanceof AbortedError) &&
      LOGIN_PATHS.has(error.path))
  );
}

/**
 * A write that may or may not have been applied. `recorded` is what state should hold meanwhile:
 * the resource's inputs and whom it claims for, with the task's facts (owner, status) left unknown.
 */
export class OutcomeUnknownError<State extends object = object> extends Error {
  override name = "OutcomeUnknownError";

  constructor(
    message: string,
    override readonly cause: unknown,
    readonly recorded?: State,
  ) {
    super(message);
  }

  /** The same failure, with what state should record. */
  recording<S extends object>(recorded: S): OutcomeUnknownError<S> {
    return new OutcomeUnknownError(this.message, this.cause, recorded);
  }
}

/**
 * Sends a write. A refusal is rethrown as it is; any other failure becomes OutcomeUnknownError,
 * saying what may have happened (`what`, e.g. "the claim of task …") and why it is not known.
 */
export async function write<T>(what: string, send: () => Promise<T>, noun = "task"): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (certainlyRefused(error)) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw new OutcomeUnknownError(
      `${what} may or may not have been made (${why}). State records it as possibly made: ` +
        `the next \`pulumi refresh\` or \`pulumi up\` reads the ${noun} and settles it.`,
      error,
    );
  }
}
