// Errors a route raises; the server turns them into IAP's envelope with `data: null`.

/**
 * `business` errors are IAP refusing an operation (unknown id, task not claimable, …): they honour
 * the emulator's "every business error is a 500" switch, because IAP documents only 200 and 500.
 * `protocol` errors (bad JSON, body too large, unknown route) and `auth` errors (401) never do;
 * `internal` ones are the emulator's own failures (a state file it cannot write), always 500.
 */
export type ErrorKind = "business" | "protocol" | "auth" | "internal";

export class EmulatorError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly kind: ErrorKind = "business",
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "EmulatorError";
  }
}

export const badRequest = (message: string) => new EmulatorError(400, message);
export const notFound = (message: string) => new EmulatorError(404, message);
export const conflict = (message: string) => new EmulatorError(409, message);
export const forbidden = (message: string) => new EmulatorError(403, message);
export const unauthorized = (message: string) => new EmulatorError(401, message, "auth");
