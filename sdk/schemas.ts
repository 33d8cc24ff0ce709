// The wire format: zod schemas that accept every documented variation of IAP's documents (unknown
// fields pass through), and the normalised types the client returns. A body that does not match
// raises ResponseFormatError naming the endpoint, never an `undefined` further down.
import { z } from "zod";
import { ResponseFormatError } from "./errors";

export type TaskType = "automatic" | "manual" | "operation";
export type TaskStatus =
  | "incomplete"
  | "scheduled"
  | "running"
  | "complete"
  | "canceled"
  | "error"
  | "failure"
  | "paused";

/**
 * A user a task refers to: `id` as IAP sent it; `username` when IAP sent the user object, or sent
 * the reference as a username string (older versions: `"Pronghorn"`), in which case `id` is that
 * same string. A bare 24-hex string is an id; any other string is a username.
 */
export interface TaskUser {
  id: string;
  username?: string;
}

/**
 * Whether two user references name the same user, by whatever both sides have: older IAP versions
 * send owners as a username string where newer ones send account ids, and a dereferenced user or
 * a whoami answer carries both.
 */
export function sameUser(a: { id: string; username?: string | undefined } | undefined, b: typeof a): boolean {
  if (!a || !b) return false;
  const names = (user: NonNullable<typeof a>) =>
    [user.id, user.username].filter((v) => typeof v === "string" && v !== "");
  const theirs = new Set(names(b));
  return names(a).some((name) => theirs.has(name));
}

export interface Task {
  id: string;
  /** Absent only when an `include`/`exclude` projection left it out. */
  name?: string;
  /** IAP's documented example has `type: null`; other values are passed through as sent. */
  type?: TaskType | (string & {});
  status?: TaskStatus | (string & {});
  job?: { id?: string; taskKey?: string; name?: string };
  /** Who has claimed the task; undefined when nobody has. */
  owner?: TaskUser;
  /** When it was claimed, as ISO-8601 UTC (`2024-01-15T09:30:00.000Z`), whatever form IAP sent. */
  claimTime?: string;
  /** Who worked (or, while it runs, claimed) the task. */
  user?: TaskUser;
  lastUpdated?: string;
  /** The document as IAP sent it. */
  raw: Record<string, unknown>;
}

/**
 * A task as its job lists it (fields as IAP sent them). `taskId` is the task key again, not a
 * task document id: the task documents' ids (UUIDs) are `iterations`, the last one current.
 * Besides task keys, IAP's map may hold entries such as `workflow_start` and `workflow_end`.
 */
export interface JobTask {
  taskId?: string;
  iterations?: string[];
  name?: string;
  type?: string;
  status?: string;
  [field: string]: unknown;
}

export interface Job {
  id: string;
  name?: string;
  description?: string;
  status?: string;
  /** The job's tasks by job-local key, as IAP lists them. */
  tasks?: Record<string, JobTask>;
  raw: Record<string, unknown>;
}

export interface WhoAmI {
  id: string;
  username: string;
  firstname?: string;
  groups: { id?: string; name?: string }[];
  raw: Record<string, unknown>;
}

/** A user account (`GET /authorization/accounts`). */
export interface Account {
  id: string;
  username: string;
  firstname?: string;
  /** True for a deactivated account, which cannot hold tasks. */
  inactive?: boolean;
  raw: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  total: number;
  skip: number;
  limit: number;
}

const userObject = z.looseObject({
  _id: z.string().optional(),
  id: z.string().optional(),
  username: z.string().optional(),
});
/** @internal */
export const userRef = z.union([z.string(), z.null(), userObject]).optional();
/** @internal */
export const timeValue = z.union([z.string(), z.number(), z.null()]).optional();

/** @internal zod stays out of the published declarations (tsconfig.build.json: stripInternal). */
export const taskDocument = z.looseObject({
  _id: z.string().min(1),
  name: z.string().optional(),
  summary: z.string().nullable().optional(),
  type: z.string().nullable().optional(),
  status: z.string().optional(),
  view: z.string().nullable().optional(),
  job: z
    .union([
      z.looseObject({
        _id: z.string().optional(),
        task: z.string().optional(),
        name: z.string().optional(),
        ancestors: z.array(z.unknown()).nullable().optional(),
      }),
      z.string(),
      z.null(),
    ])
    .optional(),
  groups: z
    .array(z.union([z.string(), z.looseObject({})]))
    .nullable()
    .optional(),
  last_updated: timeValue,
  metrics: z
    .looseObject({
      owner: userRef,
      user: userRef,
      claim_time: timeValue,
      start_time: z
        .union([z.array(z.union([z.string(), z.number(), z.null()])), z.string(), z.number(), z.null()])
        .optional(),
      end_time: timeValue,
    })
    .nullable()
    .optional(),
});

const jobDocument = z.looseObject({
  _id: z.string().min(1),
  name: z.string().optional(),
  description: z.string().nullable().optional(),
  status: z.string().optional(),
  tasks: z.record(z.string(), z.looseObject({})).nullable().optional(),
});

const whoamiDocument = z.looseObject({
  id: z.string().min(1).optional(),
  _id: z.string().min(1).optional(),
  username: z.string().min(1),
  firstname: z.string().nullable().optional(),
  groups: z
    .array(z.looseObject({ id: z.string().optional(), _id: z.string().optional(), name: z.string().optional() }))
    .nullable()
    .optional(),
});

const accountDocument = z.looseObject({
  _id: z.string().min(1).optional(),
  id: z.string().min(1).optional(),
  username: z.string().min(1),
  firstname: z.string().nullable().optional(),
  inactive: z.boolean().nullable().optional(),
});

/** The accounts search answers `{ results, total }`, not the Operations Manager envelope. */
const accountSearch = z.looseObject({
  results: z.array(z.unknown()),
  total: z.number().int().nonnegative(),
});

/** @internal zod stays out of the published declarations (tsconfig.build.json: stripInternal). */
export const envelope = z.looseObject({
  message: z.string().nullable().optional(),
  data: z.unknown(),
  metadata: z.looseObject({}).nullable().optional(),
});

const searchMetadata = z.looseObject({
  total: z.number().int().nonnegative(),
  skip: z.number().int().nonnegative().optional(),
  limit: z.number().int().nonnegative().optional(),
});

/**
 * A token as a platform issues it: visible ASCII, no spaces, at most 4 KiB. It goes into every
 * later request (a query parameter, an Authorization header), so a sentence, a page or a control
 * character here is not IAP's answer; the message never quotes it.
 */
const issuedToken = z.string().regex(/^[\x21-\x7e]{1,4096}$/, "is not a token (visible ASCII without spaces)");
/** An OAuth access token goes into `Authorization: Bearer …`, whose syntax is RFC 6750's b64token. */
const bearerToken = z.string().regex(/^[A-Za-z0-9._~+/-]{1,4096}=*$/, "is not a bearer token (RFC 6750 b64token)");

/** @internal zod stays out of the published declarations (tsconfig.build.json: stripInternal). */
export const oauthTokenResponse = z.looseObject({
  access_token: bearerToken,
  /** The client sends it as a Bearer token: any other type would be refused on every request. */
  token_type: z
    .string()
    .regex(/^bearer$/i, 'is not "bearer"')
    .optional(),
  expires_in: z.union([z.number().nonnegative(), z.string().regex(/^\d+$/)]).optional(),
});

/** `POST /login` answers the token as a JSON string; some versions wrap it as `{ token }`. */
/** @internal zod stays out of the published declarations (tsconfig.build.json: stripInternal). */
export const loginResponse = z.union([issuedToken, z.looseObject({ token: issuedToken })]);

// The hottest answers (a task, and the envelope around every answer) are checked by hand first,
// with exactly the rules of `taskDocument` and `envelope` (a property test holds the two to the same
// verdict on generated documents); zod runs only when the hand check says no, to name the problem.
// Measured in a keep-alive loop against the emulator, zod's walk of a task and its envelope cost
// 60-80 µs of client CPU per request (cold code and garbage between network events), against 10 µs
// in a tight loop: as much as the whole raw request.
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isOptionalString = (v: unknown) => v === undefined || typeof v === "string";
const isOptionalNullableString = (v: unknown) => v === undefined || v === null || typeof v === "string";
const isFiniteNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);
const isTime = (v: unknown) => v === undefined || v === null || typeof v === "string" || isFiniteNumber(v);
const isUserRef = (v: unknown) =>
  v === undefined ||
  v === null ||
  typeof v === "string" ||
  (isRecord(v) && isOptionalString(v._id) && isOptionalString(v.id) && isOptionalString(v.username));

function isJob(v: unknown): boolean {
  if (v === undefined || v === null || typeof v === "string") return true;
  return (
    isRecord(v) &&
    isOptionalString(v._id) &&
    isOptionalString(v.task) &&
    isOptionalString(v.name) &&
    (v.ancestors === undefined || v.ancestors === null || Array.isArray(v.ancestors))
  );
}

function isMetrics(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (!isRecord(v)) return false;
  const start = v.start_time;
  return (
    isUserRef(v.owner) &&
    isUserRef(v.user) &&
    isTime(v.claim_time) &&
    isTime(v.end_time) &&
    (isTime(start) || (Array.isArray(start) && start.every((t) => t !== undefined && isTime(t))))
  );
}

/** Whether `taskDocument` accepts `v`: the same rules, without building zod's copy of it. */
/** @internal zod stays out of the published declarations (tsconfig.build.json: stripInternal). */
export function isTaskDocument(v: unknown): v is z.output<typeof taskDocument> {
  if (!isRecord(v) || typeof v._id !== "string" || v._id.length === 0) return false;
  const groups = v.groups;
  return (
    isOptionalString(v.name) &&
    isOptionalNullableString(v.summary) &&
    isOptionalNullableString(v.type) &&
    isOptionalString(v.status) &&
    isOptionalNullableString(v.view) &&
    isJob(v.job) &&
    (groups === undefined ||
      groups === null ||
      (Array.isArray(groups) && groups.every((g) => typeof g === "string" || isRecord(g)))) &&
    isTime(v.last_updated) &&
    isMetrics(v.metrics)
  );
}

/** Whether `envelope` accepts `v` (zod wants the `data` key present, whatever its value). */
/** @internal zod stays out of the published declarations (tsconfig.build.json: stripInternal). */
export function isEnvelope(v: unknown): v is z.output<typeof envelope> {
  return (
    isRecord(v) &&
    "data" in v &&
    isOptionalNullableString(v.message) &&
    (v.metadata === undefined || v.metadata === null || isRecord(v.metadata))
  );
}

/** Where a document came from, for error messages. */
export interface Origin {
  method: string;
  path: string;
  status: number;
}

export function fail(origin: Origin, detail: string): never {
  throw new ResponseFormatError(origin.method, origin.path, origin.status, detail);
}

/** Parses `value` with `schema`, or fails naming the endpoint and the first problems found. */
/** @internal zod stays out of the published declarations (tsconfig.build.json: stripInternal). */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, origin: Origin, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
  fail(origin, `${what} does not match: ${problems}`);
}

/**
 * Normalises a time IAP sent (ISO string, epoch milliseconds as number or digits) to ISO-8601 UTC.
 * Empty values mean "none". Numbers below 1e11 are taken as seconds: as milliseconds they would
 * fall in 1973, which no claim does.
 */
/** 0000-01-01T00:00:00.000Z and 10000-01-01T00:00:00.000Z in epoch milliseconds. */
const FIRST_MS_OF_YEAR_0 = -62167219200000;
const FIRST_MS_OF_YEAR_10000 = 253402300800000;

export function normaliseTime(value: unknown, origin: Origin, field: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  let ms: number;
  if (typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value))) {
    const n = Number(value);
    ms = n < 1e11 ? n * 1000 : n;
  } else if (typeof value === "string") {
    ms = Date.parse(value);
  } else {
    return fail(origin, `${field} is neither a time string nor epoch milliseconds`);
  }
  // Years 0000-9999 only: beyond them toISOString() writes "+010000-…", which is not the ISO-8601
  // form the client promises (and no task is claimed in year 10000).
  if (!Number.isFinite(ms) || ms < FIRST_MS_OF_YEAR_0 || ms >= FIRST_MS_OF_YEAR_10000) {
    return fail(origin, `${field} "${String(value)}" is not a time`);
  }
  return new Date(ms).toISOString();
}

const USER_ID = /^[0-9a-fA-F]{24}$/;

/** @internal */
export function normaliseUser(value: z.infer<typeof userRef>): TaskUser | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return USER_ID.test(value) ? { id: value } : { id: value, username: value };
  const id = value._id ?? value.id;
  if (!id) return value.username ? { id: value.username, username: value.username } : undefined;
  return value.username ? { id, username: value.username } : { id };
}

export function parseTask(value: unknown, origin: Origin): Task {
  const doc = isTaskDocument(value) ? value : parseWith(taskDocument, value, origin, "the task document");
  return taskFrom(doc, value, origin);
}

/** The client's Task from a checked document; `raw` is what IAP sent. */
/** @internal zod stays out of the published declarations (tsconfig.build.json: stripInternal). */
export function taskFrom(doc: z.output<typeof taskDocument>, raw: unknown, origin: Origin): Task {
  const metrics = doc.metrics ?? undefined;
  const task: Task = { id: doc._id, raw: raw as Record<string, unknown> };
  if (doc.name !== undefined) task.name = doc.name;
  if (doc.type !== undefined && doc.type !== null) task.type = doc.type;
  if (doc.status !== undefined) task.status = doc.status;
  if (doc.job && typeof doc.job === "object") {
    task.job = {
      ...(doc.job._id !== undefined ? { id: doc.job._id } : {}),
      ...(doc.job.task !== undefined ? { taskKey: doc.job.task } : {}),
      ...(doc.job.name !== undefined ? { name: doc.job.name } : {}),
    };
  } else if (typeof doc.job === "string") {
    task.job = { id: doc.job };
  }
  const owner = normaliseUser(metrics?.owner);
  if (owner) task.owner = owner;
  const user = normaliseUser(metrics?.user);
  if (user) task.user = user;
  const claimTime = normaliseTime(metrics?.claim_time, origin, "metrics.claim_time");
  if (claimTime) task.claimTime = claimTime;
  const lastUpdated = normaliseTime(doc.last_updated, origin, "last_updated");
  if (lastUpdated) task.lastUpdated = lastUpdated;
  return task;
}

export function parseJob(value: unknown, origin: Origin): Job {
  const doc = parseWith(jobDocument, value, origin, "the job document");
  const job: Job = { id: doc._id, raw: value as Record<string, unknown> };
  if (doc.name !== undefined) job.name = doc.name;
  if (typeof doc.description === "string") job.description = doc.description;
  if (doc.status !== undefined) job.status = doc.status;
  if (doc.tasks) job.tasks = doc.tasks as Record<string, JobTask>;
  return job;
}

export function parseWhoAmI(value: unknown, origin: Origin): WhoAmI {
  const doc = parseWith(whoamiDocument, value, origin, "the whoami answer");
  const id = doc.id ?? doc._id;
  if (!id) return fail(origin, "the whoami answer has no id");
  return {
    id,
    username: doc.username,
    ...(doc.firstname ? { firstname: doc.firstname } : {}),
    groups: (doc.groups ?? []).map((g) => ({
      ...((g.id ?? g._id) ? { id: g.id ?? g._id } : {}),
      ...(g.name ? { name: g.name } : {}),
    })),
    raw: value as Record<string, unknown>,
  };
}

/** Splits a search answer into items and paging, with `total` required (paging depends on it). */
export function parsePage<T>(
  data: unknown,
  metadata: unknown,
  origin: Origin,
  parseItem: (value: unknown, origin: Origin) => T,
): Page<T> {
  if (!Array.isArray(data)) fail(origin, "a search answer's data is not an array");
  const meta = parseWith(searchMetadata, metadata, origin, "the search metadata");
  return {
    items: data.map((item) => parseItem(item, origin)),
    total: meta.total,
    skip: meta.skip ?? 0,
    limit: meta.limit ?? data.length,
  };
}

export function parseAccount(value: unknown, origin: Origin): Account {
  const doc = parseWith(accountDocument, value, origin, "the account");
  const id = doc._id ?? doc.id;
  if (!id) return fail(origin, "the account has no _id");
  return {
    id,
    username: doc.username,
    ...(doc.firstname ? { firstname: doc.firstname } : {}),
    ...(typeof doc.inactive === "boolean" ? { inactive: doc.inactive } : {}),
    raw: value as Record<string, unknown>,
  };
}

export function parseAccountSearch(value: unknown, origin: Origin): Page<Account> {
  const doc = parseWith(accountSearch, value, origin, "the accounts search answer");
  return {
    items: doc.results.map((item) => parseAccount(item, origin)),
    total: doc.total,
    skip: 0,
    limit: doc.results.length,
  };
}
