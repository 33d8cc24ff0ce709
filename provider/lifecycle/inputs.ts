// Input validation for `check`: zod schemas whose failures name the property and say what it must
// be. Values the engine does not know yet (preview of inputs computed by other resources) pass as
// they are; they are checked again once known, before anything is sent.
import { z } from "zod";
import { checkBaseUrl, platformOf } from "../base-url";

/** The placeholder the engine sends for a value not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckOutcome<T> {
  inputs: T;
  failures: CheckFailure[];
}

const TASK_ID = /^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/;
/**
 * Characters no username is typed with: control characters, lone surrogates, zero-width and
 * bidirectional marks. "alice\u200b" looks like alice in every log and is someone else (or nobody),
 * so it is refused here, naming the property, instead of failing later as an unknown user.
 */
const INVISIBLE = /[\p{Cc}\p{Cs}\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;
const USER_ID = /^[0-9a-fA-F]{24}$/;

/** A short, printable rendering of a rejected value (inputs can be huge or hold control characters). */
function shown(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") {
    // Invisible characters are written as escapes, so the message shows what was given.
    const text = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value).replace(
      new RegExp(INVISIBLE.source, "gu"),
      (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
    );
    return `the string ${text}`;
  }
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

// Every field is `.optional()` to zod; the one required field, taskId, is checked in `validate`.
const text = (what: string, pattern?: RegExp) =>
  z
    .unknown()
    .optional()
    .superRefine((value, ctx) => {
      if (value !== undefined && (typeof value !== "string" || value === "" || (pattern && !pattern.test(value)))) {
        ctx.addIssue({
          code: "custom",
          message: `must be ${what}, got ${value === "" ? "an empty string" : shown(value)}`,
        });
      }
    });

const flag = z
  .unknown()
  .optional()
  .superRefine((value, ctx) => {
    if (value !== undefined && typeof value !== "boolean") {
      ctx.addIssue({ code: "custom", message: `must be true or false, got ${shown(value)}` });
    }
  });

/** What `up` does when refresh found the task held by someone else, or by nobody. */
export const DRIFT_CHOICES = ["reclaim", "ignore", "fail"] as const;
export type OnDrift = (typeof DRIFT_CHOICES)[number];

const onDrift = z
  .unknown()
  .optional()
  .superRefine((value, ctx) => {
    if (value !== undefined && !(DRIFT_CHOICES as readonly unknown[]).includes(value)) {
      ctx.addIssue({ code: "custom", message: `must be "reclaim", "ignore" or "fail", got ${shown(value)}` });
    }
  });

const baseUrl = z
  .unknown()
  .optional()
  .superRefine((value, ctx) => {
    if (value === undefined) return;
    const reason = typeof value === "string" ? checkBaseUrl(value) : "must be an http:// or https:// URL";
    if (reason) ctx.addIssue({ code: "custom", message: reason });
  });

const taskId = text("a task id: a UUID such as 0e8b7f3c-5d2a-4c1e-9f6b-2a7d9c4e1b30", TASK_ID);

const taskClaimSchema = z.object({
  taskId,
  takeOver: flag,
  releaseOnDestroy: flag,
  adopt: flag,
  onDrift,
  baseUrl,
});

const workItemId = text("a work item id: a UUID such as 0e8b7f3c-5d2a-4c1e-9f6b-2a7d9c4e1b30", TASK_ID);

const workItemClaimSchema = z.object({
  workItemId,
  takeOver: flag,
  releaseOnDestroy: flag,
  adopt: flag,
  onDrift,
  baseUrl,
});

/**
 * `unknown`: keys whose values the engine does not know yet (they may still turn out to be unset).
 * `held`: the key naming what is assigned (`taskId`, or `workItemId` for WorkItemAssignment).
 */
const assignmentSchema = (unknown: ReadonlySet<string>, held: Record<string, z.ZodType> = { taskId }) =>
  z
    .object({
      ...held,
      user: z
        .unknown()
        .optional()
        .superRefine((value, ctx) => {
          if (value !== undefined && (typeof value !== "string" || value.trim() === "" || value.length > 256)) {
            ctx.addIssue({ code: "custom", message: `must be a username, got ${shown(value)}` });
          } else if (typeof value === "string" && INVISIBLE.test(value)) {
            ctx.addIssue({
              code: "custom",
              message: `must be a username, got ${shown(value)}, which holds control or invisible characters`,
            });
          }
        }),
      userId: z
        .unknown()
        .optional()
        .superRefine((value, ctx) => {
          if (value !== undefined && (typeof value !== "string" || !USER_ID.test(value))) {
            ctx.addIssue({
              code: "custom",
              message: `must be a user id (24 hexadecimal characters), got ${shown(value)}`,
            });
          }
        }),
      releaseOnDestroy: flag,
      adopt: flag,
      onDrift,
      baseUrl,
    })
    .superRefine((value, ctx) => {
      const given = ["user", "userId"].filter(
        (k) => (value as Record<string, unknown>)[k] !== undefined && !unknown.has(k),
      );
      const maybe = ["user", "userId"].filter((k) => unknown.has(k));
      if (given.length > 1 || (given.length === 0 && maybe.length === 0)) {
        ctx.addIssue({
          code: "custom",
          path: ["user"],
          message:
            given.length === 0
              ? 'set "user" (a username) or "userId" (an account id): the person it is assigned to'
              : 'set either "user" or "userId", not both',
        });
      }
    });

/**
 * Validates `news` against `schema`, letting unknown values through. Returns failures and the inputs
 * with defaults applied (keys the resource does not know are dropped).
 */
function validate<T>(
  schemaFor: (unknown: ReadonlySet<string>) => z.ZodType,
  news: Record<string, unknown>,
  keys: readonly string[],
  required: { key: string; reason: string } = {
    key: "taskId",
    reason: "is required: the task's id (a UUID), e.g. from findTask",
  },
): CheckOutcome<T> {
  const candidate: Record<string, unknown> = {};
  const unknown = new Set<string>();
  for (const key of keys) {
    if (news?.[key] === UNKNOWN) unknown.add(key);
    // A value not known yet is checked later; a stand-in that passes keeps the other checks honest.
    else if (news?.[key] !== undefined) candidate[key] = news[key];
  }
  const result = schemaFor(unknown).safeParse(
    Object.fromEntries(Object.entries(candidate).concat([...unknown].map((k) => [k, placeholder(k)]))),
  );
  const failures: CheckFailure[] = result.success
    ? []
    : result.error.issues.map((issue) => ({
        property: String(issue.path[0] ?? keys[0]),
        reason: issue.message,
      }));
  if (news?.[required.key] === undefined) failures.unshift({ property: required.key, reason: required.reason });
  const inputs: Record<string, unknown> = { ...candidate };
  for (const key of unknown) inputs[key] = UNKNOWN;
  return { inputs: inputs as T, failures };
}

function placeholder(key: string): unknown {
  switch (key) {
    case "taskId":
    case "workItemId":
      return UNKNOWN; // a UUID itself
    case "userId":
      return "000000000000000000000000";
    case "baseUrl":
      return "https://unknown.invalid";
    case "user":
      return "unknown";
    case "onDrift":
      return "reclaim";
    default:
      return false;
  }
}

/** What both resources take besides what they hold the task for. */
export interface OwnershipInputs {
  taskId: string;
  releaseOnDestroy: boolean;
  /**
   * Record a claim the account already holds (made by another stack, another resource, or by hand)
   * instead of failing. An adopted claim is never released by this resource: it releases only
   * what it claimed.
   */
  adopt: boolean;
  /** After refresh found the task held by someone else or by nobody: claim it again, leave it, or fail. */
  onDrift: OnDrift;
  /** Must name the provider's platform (an explicit provider serves any other). */
  baseUrl?: string;
}

export interface TaskClaimInputs extends OwnershipInputs {
  takeOver: boolean;
}

/** WorkItemAssignment's inputs: TaskAssignment's, for a Work Center item. */
export interface WorkItemAssignmentInputs extends Omit<TaskAssignmentInputs, "taskId"> {
  workItemId: string;
}

/** WorkItemClaim's inputs: TaskClaim's, for a Work Center item (`workItemId`) instead of a task. */
export interface WorkItemClaimInputs extends Omit<TaskClaimInputs, "taskId"> {
  workItemId: string;
}

export interface TaskAssignmentInputs extends OwnershipInputs {
  user?: string;
  userId?: string;
}

/** Defaults, and the platform in one spelling: equivalent spellings of a URL are no change. */
function withDefaults<T extends Partial<OwnershipInputs>>(inputs: T): T {
  inputs.releaseOnDestroy ??= true;
  inputs.adopt ??= false;
  inputs.onDrift ??= "reclaim";
  if (typeof inputs.baseUrl === "string" && inputs.baseUrl !== UNKNOWN) inputs.baseUrl = platformOf(inputs.baseUrl);
  return inputs;
}

export function checkTaskClaimInputs(news: Record<string, unknown>): CheckOutcome<TaskClaimInputs> {
  const outcome = validate<TaskClaimInputs>(() => taskClaimSchema, news, [
    "taskId",
    "takeOver",
    "releaseOnDestroy",
    "adopt",
    "onDrift",
    "baseUrl",
  ]);
  outcome.inputs.takeOver ??= false;
  withDefaults(outcome.inputs);
  return outcome;
}

export function checkTaskAssignmentInputs(news: Record<string, unknown>): CheckOutcome<TaskAssignmentInputs> {
  const outcome = validate<TaskAssignmentInputs>((unknown) => assignmentSchema(unknown), news, [
    "taskId",
    "user",
    "userId",
    "releaseOnDestroy",
    "adopt",
    "onDrift",
    "baseUrl",
  ]);
  withDefaults(outcome.inputs);
  return outcome;
}

export function checkWorkItemClaimInputs(news: Record<string, unknown>): CheckOutcome<WorkItemClaimInputs> {
  const outcome = validate<WorkItemClaimInputs>(
    () => workItemClaimSchema,
    news,
    ["workItemId", "takeOver", "releaseOnDestroy", "adopt", "onDrift", "baseUrl"],
    { key: "workItemId", reason: "is required: the work item's id (a UUID), e.g. from findWorkItem" },
  );
  outcome.inputs.takeOver ??= false;
  withDefaults(outcome.inputs);
  return outcome;
}

export function checkWorkItemAssignmentInputs(news: Record<string, unknown>): CheckOutcome<WorkItemAssignmentInputs> {
  const outcome = validate<WorkItemAssignmentInputs>(
    (unknown) => assignmentSchema(unknown, { workItemId }),
    news,
    ["workItemId", "user", "userId", "releaseOnDestroy", "adopt", "onDrift", "baseUrl"],
    { key: "workItemId", reason: "is required: the work item's id (a UUID), e.g. from findWorkItem" },
  );
  withDefaults(outcome.inputs);
  return outcome;
}
