// The faults the matrix injects, as emulator fault specs. Every fault but "answer lost (once)" (and
// a claim's first read in the "applied" cells) hits
// every route of the API the resource uses (Operations Manager's for TaskClaim, Work Center's for
// WorkItemClaim: the reads and searches as well as the claim or release), not login or whoami: a failing login only makes every run fail before it
// sends anything, while a failing task route is where a claim's outcome becomes unknown.
import type { FaultSpec } from "../../emulator";
import { FAST_LIMITS } from "./lab";

/** The request an operation exists for: the claim (create, update), the release (delete), the read. */
export interface MainRequest {
  method: "GET" | "POST" | "PATCH";
  path: string;
  /** The routes the resource uses: Operations Manager's (TaskClaim) or Work Center's (WorkItemClaim). */
  routes?: string;
}

export interface FaultCase {
  /** Row label in the table. */
  name: string;
  specs(main: MainRequest): FaultSpec[];
  /** The client is expected to get through it: the operation must succeed. */
  recoverable: boolean;
  /** How long delayed requests may still be landing after the operation ends. */
  settleMs?: number;
}

const EVERY_TASK_ROUTE = "/operations-manager/**";
/** Past the request timeout, so every delayed request times out. */
const PAST_TIMEOUT_MS = Number(FAST_LIMITS["itential:timeoutMs"]) * 2 + 500;

const routesOf = (main?: MainRequest) => main?.routes ?? EVERY_TASK_ROUTE;
const everywhere = (spec: Omit<FaultSpec, "path">, main?: MainRequest): FaultSpec[] => [
  { ...spec, path: routesOf(main) },
];

/**
 * Every route fails, except that a claim's first read passes: the provider reads the task before
 * it claims (and refuses, sending nothing, on what it sees), so a fault on that read would only
 * test the refusal. With the read through, the claim is sent, applied, and its answer (and every
 * read that could settle its outcome) is lost: the unknown outcome state must record.
 */
const afterTheRead = (main: MainRequest, spec: Omit<FaultSpec, "path">): FaultSpec[] =>
  main.method !== "GET" && main.path.endsWith("/claim")
    ? [
        { ...spec, method: main.method, path: routesOf(main) },
        { ...spec, method: "GET", path: routesOf(main), skip: 1 },
      ]
    : everywhere(spec, main);

export const FAULTS: readonly FaultCase[] = [
  {
    name: "latency past the timeout",
    specs: (main) => everywhere({ kind: "latency", delayMs: PAST_TIMEOUT_MS }, main),
    recoverable: false,
    settleMs: PAST_TIMEOUT_MS + 500,
  },
  { name: "connection reset", specs: (main) => everywhere({ kind: "reset" }, main), recoverable: false },
  {
    name: "429, Retry-After 1 s (twice)",
    specs: (main) => everywhere({ kind: "status", status: 429, retryAfterSeconds: 1, times: 2 }, main),
    recoverable: true,
  },
  { name: "500", specs: (main) => everywhere({ kind: "status", status: 500 }, main), recoverable: false },
  { name: "502", specs: (main) => everywhere({ kind: "status", status: 502 }, main), recoverable: false },
  { name: "503", specs: (main) => everywhere({ kind: "status", status: 503 }, main), recoverable: false },
  { name: "malformed JSON", specs: (main) => everywhere({ kind: "malformed" }, main), recoverable: false },
  { name: "truncated body", specs: (main) => everywhere({ kind: "truncated" }, main), recoverable: false },
  {
    name: "fail 2, then succeed (reset)",
    specs: (main) => everywhere({ kind: "reset", times: 2 }, main),
    recoverable: true,
  },
  {
    name: "applied, answer lost (once)",
    specs: (main) => [{ kind: "reset", when: "after", times: 1, method: main.method, path: main.path }],
    recoverable: true,
  },
  {
    name: "applied, answer lost (always)",
    specs: (main) => afterTheRead(main, { kind: "reset", when: "after" }),
    recoverable: false,
  },
  {
    name: "applied, answer past the timeout",
    specs: (main) => afterTheRead(main, { kind: "latency", when: "after", delayMs: PAST_TIMEOUT_MS }),
    recoverable: false,
    settleMs: PAST_TIMEOUT_MS + 500,
  },
  {
    // Not in the list: a proxy or an IAP still starting answers 404 for a route it does not
    // serve yet. It must not be read as "the task is gone".
    name: "404 from a proxy",
    specs: (main) => everywhere({ kind: "status", status: 404 }, main),
    recoverable: false,
  },
];
