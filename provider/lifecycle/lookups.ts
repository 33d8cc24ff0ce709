// Lookups: read-only, safe in preview, run in the program process. A job's task is found through
// the task search (`equals[job._id]`, `equals[name]`), not the job document's `tasks` map, whose
// shape differs between IAP versions.
import { type SearchFilters, type Task, ValidationError, type WorkItem } from "../../sdk";
import { factsOf, type LifecycleContext, readTask, readWorkItem } from "./task-facts";

/** A task as lookups return it: plain values, nothing from the task's variables. */
export interface TaskInfo {
  /** The task document's id (a UUID): what TaskClaim and TaskAssignment take as `taskId`. */
  id: string;
  name?: string;
  type?: string;
  status?: string;
  jobId?: string;
  /** The task's key inside its job (1-4 hex digits), as manual-controller and finish take it. */
  taskKey?: string;
  owner?: string;
  ownerId?: string;
  claimTime?: string;
}

export interface FindTaskArgs {
  /** The job's id (24 hexadecimal characters). */
  jobId: string;
  /** The task's name, exactly, e.g. "Approve change". */
  name: string;
  type?: string;
  status?: string;
  /**
   * Keep looking until the task appears, for pipelines that start a job just before claiming:
   * a duration such as "30s", "5m", "1h" or a number of milliseconds. Default: look once.
   */
  waitFor?: string | number;
}

export function infoOf(task: Task): TaskInfo {
  const facts = factsOf(task);
  const info: TaskInfo = { id: task.id };
  if (task.name !== undefined) info.name = task.name;
  if (task.type !== undefined) info.type = task.type;
  if (facts.status !== undefined) info.status = facts.status;
  if (facts.jobId !== undefined) info.jobId = facts.jobId;
  if (task.job?.taskKey !== undefined) info.taskKey = task.job.taskKey;
  if (facts.owner !== undefined) info.owner = facts.owner;
  if (facts.ownerId !== undefined) info.ownerId = facts.ownerId;
  if (facts.claimTime !== undefined) info.claimTime = facts.claimTime;
  return info;
}

/** One task by id; a task that does not exist is an error naming the id. */
export async function lookupTask(ctx: LifecycleContext, taskId: string): Promise<TaskInfo> {
  const task = await readTask(ctx, taskId);
  if (!task) throw new Error(`getTask: task ${taskId} does not exist`);
  return infoOf(task);
}

/** Milliseconds in a duration ("90s", "5m", "1h", "250ms", or a number of milliseconds). */
export function parseDuration(value: string | number, what = "waitFor"): number {
  if (typeof value === "number") {
    if (Number.isFinite(value) && value >= 0) return value;
  } else {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
    if (match) {
      const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? "ms") as "ms" | "s" | "m" | "h"];
      return Math.round(Number(match[1]) * unit);
    }
  }
  throw new ValidationError(`${what} must be a duration such as "30s", "5m" or "1h", got ${JSON.stringify(value)}`);
}

/** How long to wait between searches while waiting for a task to appear. */
const POLL_MS = 2000;

/**
 * Exactly one task of the job with this name (and type/status, when given). None: with `waitFor`,
 * searches again until it appears or the time is up. More than one: an error naming the candidates.
 */
export async function findTask(
  ctx: LifecycleContext,
  args: FindTaskArgs,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<TaskInfo> {
  if (typeof args?.name !== "string" || args.name === "") throw new ValidationError("findTask: name is required");
  const equals: NonNullable<SearchFilters["equals"]> = { "job._id": args.jobId, name: args.name };
  if (args.type !== undefined) equals.type = args.type;
  if (args.status !== undefined) equals.status = args.status;
  if (typeof args.jobId !== "string" || !/^[0-9a-fA-F]{24}$/.test(args.jobId)) {
    throw new ValidationError(
      `findTask: jobId must be a job id (24 hexadecimal characters), got ${JSON.stringify(args.jobId)}`,
    );
  }
  const wanted = `a task named "${args.name}"${args.type ? ` of type ${args.type}` : ""}${args.status ? ` with status ${args.status}` : ""} in job ${args.jobId}`;
  return poll("findTask", wanted, args.waitFor, sleep, async () => {
    const page = await ctx.client.listTasks(
      { filters: { equals }, limit: 10, dereference: ["metrics.owner"] },
      ctx.call,
    );
    // IAP answers everything when it cannot read a filter: never take a task the search did not ask for.
    const strays = page.items.filter(
      (t) =>
        t.job?.id !== args.jobId ||
        t.name !== args.name ||
        (args.type !== undefined && t.type !== args.type) ||
        (args.status !== undefined && t.status !== args.status),
    );
    if (strays.length > 0) {
      throw new Error(
        `findTask: IAP answered tasks that do not match the search for ${wanted} (e.g. ${strays[0]?.id}): ` +
          "the platform did not apply the search filters, so no task is chosen.",
      );
    }
    if (page.total === 1 && page.items[0]) return infoOf(page.items[0]);
    if (page.total > 1) {
      const candidates = page.items.map((t) => `${t.id} (${t.status ?? "unknown status"})`).join(", ");
      throw new Error(
        `findTask: ${page.total} tasks match ${wanted}: ${candidates}${page.total > page.items.length ? ", …" : ""}. ` +
          "Narrow it with type or status, or pass the task id to getTask.",
      );
    }
    return undefined;
  });
}

/**
 * Runs `search` until it finds something: once without `waitFor`, else every POLL_MS until the time
 * is up. `wanted` ("a task named …") says what was looked for when nothing turned up.
 */
async function poll<T>(
  lookup: string,
  wanted: string,
  waitFor: string | number | undefined,
  sleep: (ms: number) => Promise<void>,
  search: () => Promise<T | undefined>,
): Promise<T> {
  const waitMs = waitFor === undefined ? 0 : parseDuration(waitFor);
  const until = Date.now() + waitMs;
  for (;;) {
    const found = await search();
    if (found !== undefined) return found;
    const left = until - Date.now();
    if (left <= 0) {
      throw new Error(
        `${lookup}: no ${wanted.slice(2)}${waitMs > 0 ? ` appeared within ${waitFor}` : ""}` +
          (waitMs > 0 ? "" : '; pass waitFor (e.g. "2m") if the job is still starting'),
      );
    }
    await sleep(Math.min(POLL_MS, left));
  }
}

/** A Work Center item as lookups return it: plain values, nothing from its variables. */
export interface WorkItemInfo {
  /** The work item's id (a UUID): what WorkItemClaim takes as `workItemId`. */
  id: string;
  name?: string;
  status?: string;
  /** The execution that created it: a job id for a workflow's item, else an agent session's id. */
  executionId?: string;
  /** `workflow` or `agent`, as Work Center says. */
  executionType?: string;
  rootExecutionId?: string;
  /** The job, for a workflow's item (its execution). */
  jobId?: string;
  owner?: string;
  ownerId?: string;
  claimTime?: string;
}

export interface FindWorkItemArgs {
  /** The execution (an agent session, or a workflow's job) whose item is wanted. */
  executionId?: string;
  /** A workflow's job id: the same as `executionId` for a workflow's item. */
  jobId?: string;
  /** The work item's name, exactly, e.g. "Approve agent remediation". */
  name: string;
  /** e.g. "pending". */
  status?: string;
  /** Keep looking until the item appears ("30s", "5m", "1h" or milliseconds). Default: look once. */
  waitFor?: string | number;
}

export function workItemInfoOf(item: WorkItem): WorkItemInfo {
  const facts = factsOf(item);
  const info: WorkItemInfo = { id: item.id };
  if (item.name !== undefined) info.name = item.name;
  if (facts.status !== undefined) info.status = facts.status;
  if (facts.executionId !== undefined) info.executionId = facts.executionId;
  if (item.execution?.type !== undefined) info.executionType = item.execution.type;
  if (facts.rootExecutionId !== undefined) info.rootExecutionId = facts.rootExecutionId;
  if (facts.jobId !== undefined) info.jobId = facts.jobId;
  if (facts.owner !== undefined) info.owner = facts.owner;
  if (facts.ownerId !== undefined) info.ownerId = facts.ownerId;
  if (facts.claimTime !== undefined) info.claimTime = facts.claimTime;
  return info;
}

/**
 * Exactly one work item with this name, of this execution (or job). Work Center documents no search
 * by execution, so the search is by name and the execution is matched here, on the item's
 * `execution.id` or `rootExecution.id` (docs/work-center.md).
 */
export async function findWorkItem(
  ctx: LifecycleContext,
  args: FindWorkItemArgs,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<WorkItemInfo> {
  if (typeof args?.name !== "string" || args.name === "") throw new ValidationError("findWorkItem: name is required");
  const given = [args.executionId, args.jobId].filter((v) => v !== undefined);
  if (given.length !== 1 || typeof given[0] !== "string" || given[0] === "") {
    throw new ValidationError(
      "findWorkItem: set executionId (an agent session or a job) or jobId (a workflow's job), exactly one",
    );
  }
  const execution = given[0];
  // A workflow's execution is its job: a malformed job id can match nothing, so it fails at once.
  if (args.jobId !== undefined && !/^[0-9a-fA-F]{24}$/.test(args.jobId)) {
    throw new ValidationError(
      `findWorkItem: jobId must be a job id (24 hexadecimal characters), got ${JSON.stringify(args.jobId)}`,
    );
  }
  const where = args.jobId !== undefined ? `job ${execution}` : `execution ${execution}`;
  const wanted = `a work item named "${args.name}"${args.status ? ` with status ${args.status}` : ""} of ${where}`;
  return poll("findWorkItem", wanted, args.waitFor, sleep, async () => {
    const matches: WorkItem[] = [];
    for await (const item of ctx.client.iterateWorkItems(
      { filters: [{ field: "name", operator: "equals", value: args.name }] },
      ctx.call,
    )) {
      if (item.name !== args.name) continue; // a server that ignored the filter: matched here anyway
      if (item.execution?.id !== execution && item.rootExecution?.id !== execution) continue;
      if (args.status !== undefined && item.status !== args.status) continue;
      matches.push(item);
    }
    if (matches.length > 1) {
      const candidates = matches.map((i) => `${i.id} (${i.status ?? "unknown status"})`).join(", ");
      throw new Error(
        `findWorkItem: ${matches.length} work items match ${wanted}: ${candidates}. Narrow it with status.`,
      );
    }
    const found = matches[0];
    if (!found) return undefined;
    // With the owner's username, as a read gives it.
    const item = (await readWorkItem(ctx, found.id)) ?? found;
    return workItemInfoOf(item);
  });
}
