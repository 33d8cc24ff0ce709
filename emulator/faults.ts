// Fault injection per route, so clients can be tested against the failures real networks and real
// servers produce. A fault applies `before` the route runs (the request has no effect) or `after`
// it (the effect happened but the client does not learn it: the "unknown outcome" case).
import { badRequest } from "./errors";

export type FaultKind = "latency" | "status" | "reset" | "malformed" | "truncated";

export interface FaultSpec {
  kind: FaultKind;
  /** HTTP method to match (any when absent). */
  method?: string;
  /**
   * Path pattern: `*` matches one segment, a trailing `**` any rest, e.g.
   * `/operations-manager/tasks/*\/claim`. Any IAP route when absent (never the control API).
   */
  path?: string;
  /** `before` (default) or `after` the route has run. */
  when?: "before" | "after";
  /** Apply to the next N matching requests, then remove itself. Forever when absent. */
  times?: number;
  /**
   * Let the first N matching requests pass untouched before applying (e.g. the read a client makes
   * before the write a test means to fault). None when absent.
   */
  skip?: number;
  /** latency: milliseconds to wait before going on. */
  delayMs?: number;
  /** status: the status to answer (default 503). */
  status?: number;
  /** status: a `Retry-After` header value in seconds. */
  retryAfterSeconds?: number;
}

export interface Fault extends FaultSpec {
  id: string;
  /** How many requests it has hit so far. */
  hits: number;
  /** How many matching requests it has let pass (see `skip`). */
  passed: number;
}

const KINDS: readonly FaultKind[] = ["latency", "status", "reset", "malformed", "truncated"];

function patternMatches(pattern: string, path: string): boolean {
  const want = pattern.split("/").filter(Boolean);
  const got = path.split("/").filter(Boolean);
  for (let i = 0; i < want.length; i++) {
    if (want[i] === "**") return true;
    if (i >= got.length) return false;
    if (want[i] !== "*" && want[i] !== got[i]) return false;
  }
  return want.length === got.length;
}

export class FaultPlan {
  private faults: Fault[] = [];
  private nextId = 1;

  add(spec: unknown): Fault {
    const s = (spec ?? {}) as Record<string, unknown>;
    if (!KINDS.includes(s.kind as FaultKind)) throw badRequest(`Fault kind must be one of ${KINDS.join(", ")}`);
    const positive = (name: string) => {
      const v = s[name];
      if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) {
        throw badRequest(`Fault ${name} must be a non-negative integer`);
      }
      return v as number | undefined;
    };
    const optionalString = (name: string) => {
      const v = s[name];
      if (v !== undefined && typeof v !== "string") throw badRequest(`Fault ${name} must be a string`);
      return v as string | undefined;
    };
    if (s.when !== undefined && s.when !== "before" && s.when !== "after") {
      throw badRequest('Fault when must be "before" or "after"');
    }
    if (s.times === 0) throw badRequest("Fault times must be at least 1 (omit it for a fault that stays)");
    const status = positive("status");
    if (status !== undefined && (status < 100 || status > 599)) throw badRequest("Fault status must be 100-599");
    const fault: Fault = {
      id: String(this.nextId++),
      kind: s.kind as FaultKind,
      method: optionalString("method")?.toUpperCase(),
      path: optionalString("path"),
      when: (s.when as "before" | "after" | undefined) ?? "before",
      times: positive("times"),
      skip: positive("skip"),
      delayMs: positive("delayMs"),
      status,
      retryAfterSeconds: positive("retryAfterSeconds"),
      hits: 0,
      passed: 0,
    };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  /** The first fault matching this request in this phase, counted as hit (and dropped when spent). */
  take(method: string, path: string, when: "before" | "after"): Fault | undefined {
    const fault = this.faults.find((f) => {
      if (f.when !== when || (f.method !== undefined && f.method !== method)) return false;
      if (f.path !== undefined && !patternMatches(f.path, path)) return false;
      if (f.skip !== undefined && f.passed < f.skip) {
        f.passed++;
        return false;
      }
      return true;
    });
    if (!fault) return undefined;
    fault.hits++;
    if (fault.times !== undefined && fault.hits >= fault.times) this.remove(fault.id);
    return { ...fault };
  }
}
