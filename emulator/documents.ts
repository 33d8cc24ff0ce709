// How stored records are served: users without their secrets, tasks with ids dereferenced on
// request, and `include`/`exclude` projections.
import { badRequest } from "./errors";
import type { GroupRecord, JobRecord, TaskRecord, UserRecord } from "./model";
import type { EmulatorState } from "./state";

/** Fields of a task that `dereference` can expand. `users` is shorthand for both user fields. */
export type Dereference = "job" | "groups" | "metrics.owner" | "metrics.user";

/** What claim, release and assign answer: users and groups as objects, as in IAP's documented example. */
export const ACTION_DEREFERENCE: ReadonlySet<Dereference> = new Set(["groups", "metrics.owner", "metrics.user"]);

export function parseDereference(value: string | null): Set<Dereference> {
  const result = new Set<Dereference>();
  for (const item of (value ?? "").split(",").map((s) => s.trim())) {
    if (item === "users") {
      result.add("metrics.owner");
      result.add("metrics.user");
    } else if (item === "job" || item === "groups" || item === "metrics.owner" || item === "metrics.user") {
      result.add(item);
    }
    // Anything else is ignored, as IAP ignores what it does not understand.
  }
  return result;
}

export function publicUser(user: UserRecord): Record<string, unknown> {
  return {
    _id: user._id,
    provenance: user.provenance,
    username: user.username,
    firstname: user.firstname,
    memberOf: structuredClone(user.memberOf),
    assignedRoles: structuredClone(user.assignedRoles),
    inactive: user.inactive,
    lastLogin: user.lastLogin,
    _meta: structuredClone(user._meta),
    email: user.email,
  };
}

export function publicGroup(group: GroupRecord): Record<string, unknown> {
  return structuredClone(group) as unknown as Record<string, unknown>;
}

export interface TaskPresentation {
  dereference?: ReadonlySet<Dereference>;
  /** Serve `claim_time` as epoch milliseconds, as older IAP versions did. */
  epochClaimTime?: boolean;
  /**
   * Serve `metrics.owner` and `metrics.user` (and a job's task `owner`) as the username string, as
   * older IAP versions stored them (`"Pronghorn"`); such a string cannot be dereferenced.
   */
  ownerAsUsername?: boolean;
}

/** A stored user id as served: the id, or the username when the setting asks for it. */
function userReference(state: EmulatorState, id: string, ownerAsUsername: boolean): string {
  return (ownerAsUsername && state.users.get(id)?.username) || id;
}

/**
 * The task as served before any dereferencing, to be read and not kept: searches filter and sort
 * thousands of these per request. It is the stored record itself when the settings change nothing,
 * else a shallow copy with served metrics; presentTask's deep copy is only for what is sent.
 */
export function servedTaskView(
  state: EmulatorState,
  task: TaskRecord,
  { epochClaimTime = false, ownerAsUsername = false }: TaskPresentation = {},
): Readonly<Record<string, unknown>> {
  if (!epochClaimTime && !ownerAsUsername) return task as unknown as Record<string, unknown>;
  const metrics: Record<string, unknown> = { ...task.metrics };
  servedMetrics(state, task, metrics, epochClaimTime, ownerAsUsername);
  return { ...task, metrics };
}

/** Claim time and user references of `task` in the served form, written into `metrics`. */
function servedMetrics(
  state: EmulatorState,
  task: TaskRecord,
  metrics: Record<string, unknown>,
  epochClaimTime: boolean,
  ownerAsUsername: boolean,
): void {
  if (epochClaimTime && typeof task.metrics.claim_time === "string") {
    metrics.claim_time = Date.parse(task.metrics.claim_time);
  }
  if (!ownerAsUsername) return;
  for (const field of ["owner", "user"] as const) {
    const id = task.metrics[field];
    if (id) metrics[field] = userReference(state, id, true);
  }
}

export function presentTask(
  state: EmulatorState,
  task: TaskRecord,
  { dereference = new Set(), epochClaimTime = false, ownerAsUsername = false }: TaskPresentation = {},
): Record<string, unknown> {
  const doc = structuredClone(task) as unknown as Record<string, unknown> & {
    metrics: Record<string, unknown>;
  };
  servedMetrics(state, task, doc.metrics, epochClaimTime, ownerAsUsername);
  for (const field of ["owner", "user"] as const) {
    const id = task.metrics[field];
    if (!id || ownerAsUsername) continue;
    if (dereference.has(`metrics.${field}`)) {
      const user = state.users.get(id);
      // A user deleted since keeps its id: IAP leaves dangling references as they are.
      if (user) doc.metrics[field] = publicUser(user);
    }
  }
  if (dereference.has("groups")) {
    doc.groups = task.groups.map((id) => {
      const group = state.groups.get(id);
      return group ? publicGroup(group) : id;
    });
  }
  if (dereference.has("job")) {
    const job = state.jobs.get(task.job._id);
    if (job) doc.job = presentJob(state, job, { ownerAsUsername });
  }
  return doc;
}

/** The job as served, to be read and not kept (see servedTaskView): a copy only when a setting changes it. */
export function servedJobView(
  state: EmulatorState,
  job: JobRecord,
  presentation: Pick<TaskPresentation, "ownerAsUsername"> = {},
): Readonly<Record<string, unknown>> {
  return presentation.ownerAsUsername
    ? presentJob(state, job, presentation)
    : (job as unknown as Record<string, unknown>);
}

export function presentJob(
  state: EmulatorState,
  job: JobRecord,
  { ownerAsUsername = false }: Pick<TaskPresentation, "ownerAsUsername"> = {},
): Record<string, unknown> {
  const doc = structuredClone(job);
  if (ownerAsUsername) {
    for (const entry of Object.values(doc.tasks)) {
      if (entry.owner) entry.owner = userReference(state, entry.owner, true);
    }
  }
  return doc as unknown as Record<string, unknown>;
}

const UNSAFE_SEGMENTS = new Set(["__proto__", "constructor", "prototype"]);

/** A comma list of field paths; paths through prototype machinery are dropped, never followed. */
function splitList(value: string | null): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !s.split(".").some((part) => UNSAFE_SEGMENTS.has(part)));
}

/**
 * IAP takes `include` or `exclude`, not both, except `exclude=_id` beside an `include` (the
 * documented exception). Anything else is refused (400), not half applied.
 */
export function checkProjection(include: string | null, exclude: string | null): void {
  const fields = (value: string | null) =>
    (value ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  const excluded = fields(exclude);
  if (fields(include).length === 0 || excluded.length === 0) return;
  if (excluded.every((field) => field === "_id")) return;
  throw badRequest(
    `include and exclude cannot be combined, except exclude=_id beside an include (got exclude=${excluded.join(",")})`,
  );
}

/** Applies `include` (keep only these fields, and `_id`) then `exclude` (drop these). Dotted paths work. */
export function project(doc: Record<string, unknown>, include: string | null, exclude: string | null) {
  let result = doc;
  if (include !== null && include.trim() !== "") {
    result = {};
    for (const field of ["_id", ...splitList(include)]) {
      const value = getPath(doc, field);
      if (value !== undefined) setPath(result, field, structuredClone(value));
    }
  }
  for (const field of splitList(exclude)) deletePath(result, field);
  return result;
}

/** Reads a dotted path; arrays on the way yield every element's value (MongoDB's semantics). */
export function getPathValues(doc: unknown, path: string | readonly string[]): unknown[] {
  const parts = typeof path === "string" ? path.split(".") : path;
  // Searches read a few paths of every document per request, and most paths cross no array: walk
  // those directly, without the lists the general case builds at every step.
  let value: unknown = doc;
  for (const part of parts) {
    if (Array.isArray(value)) return pathValuesThroughArrays(doc, parts);
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, part)) return [];
    value = (value as Record<string, unknown>)[part];
  }
  return Array.isArray(value) ? [...value] : [value];
}

function pathValuesThroughArrays(doc: unknown, parts: readonly string[]): unknown[] {
  let current: unknown[] = [doc];
  for (const part of parts) {
    const next: unknown[] = [];
    for (const value of current) {
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) {
        if (item !== null && typeof item === "object" && Object.hasOwn(item, part)) {
          next.push((item as Record<string, unknown>)[part]);
        }
      }
    }
    current = next;
  }
  return current.flatMap((value) => (Array.isArray(value) ? value : [value]));
}

function getPath(doc: Record<string, unknown>, path: string): unknown {
  let current: unknown = doc;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let current = doc;
  for (const part of parts.slice(0, -1)) {
    if (current[part] === null || typeof current[part] !== "object") current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[parts[parts.length - 1] as string] = value;
}

function deletePath(doc: Record<string, unknown>, path: string): void {
  const parts = path.split(".");
  let current: unknown = doc;
  for (const part of parts.slice(0, -1)) {
    if (current === null || typeof current !== "object") return;
    current = (current as Record<string, unknown>)[part];
  }
  if (current !== null && typeof current === "object")
    delete (current as Record<string, unknown>)[parts[parts.length - 1] as string];
}
