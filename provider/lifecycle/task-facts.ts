// What the resources know about the thing they hold (an Operations Manager task, or a Work Center
// work item on Platform 6.5+), and the reads and writes they share. Everything that reaches state
// goes through `factsOf`, an explicit allowlist: a document's `raw` form holds job variables (often
// device credentials) and never leaves this module.
import {
  type CallOptions,
  NotFoundError,
  type OperationsManagerClient,
  ServerError,
  sameUser,
  type Task,
  TaskStateError,
  type WhoAmI,
  type WorkItem,
} from "../../sdk";

/** What a lifecycle function works with: one client, the operation's deadline, and who we are. */
export interface LifecycleContext {
  readonly client: OperationsManagerClient;
  /** The platform the client talks to, recorded in state so refresh and destroy go back there. */
  readonly platformUrl: string;
  /** Carries the operation's deadline (an AbortSignal) to every request. */
  readonly call: CallOptions;
  /** The account the client acts as, asked once per client, bounded by the operation's deadline. */
  me(): Promise<WhoAmI>;
}

/**
 * A context for one operation of `client` (which talks to `platformUrl`); `me()` is the client's
 * remembered answer to whoami, bounded by the operation's signal.
 */
export function contextFor(
  client: OperationsManagerClient,
  platformUrl: string,
  call: CallOptions = {},
): LifecycleContext {
  return { client, platformUrl, call, me: () => client.currentUser(call) };
}

/** A user as state records it. */
export interface Holder {
  id: string;
  username?: string | undefined;
}

/**
 * A thing a resource holds, as the rules read it: a task, or a work item (both normalised by the
 * SDK to the same owner, claim time and status).
 */
export interface Held {
  id: string;
  name?: string;
  status?: string;
  owner?: Holder;
  claimTime?: string;
  /** Tasks: their job. */
  job?: { id?: string };
  /** Work items: the execution that created them, and the root of its ancestry. */
  execution?: { id: string; type?: string };
  rootExecution?: { id: string };
}

/**
 * Where a held thing lives and how it is read, claimed, assigned and released: one for Operations
 * Manager tasks, one for Work Center items. The ownership rules are written once, over a desk.
 */
export interface Desk<T extends Held = Held> {
  /** "task" or "work item", as messages name it. */
  readonly noun: string;
  /** The lookup that finds one by name, named in "does not exist" messages. */
  readonly finder: string;
  /** `known`: what state recorded of it (a work item's root execution narrows the gone check). */
  read(ctx: LifecycleContext, id: string, known?: Known): Promise<T | undefined>;
  claim(ctx: LifecycleContext, id: string): Promise<T>;
  assign(ctx: LifecycleContext, id: string, userId: string): Promise<T>;
  release(ctx: LifecycleContext, id: string): Promise<T>;
  isGone(ctx: LifecycleContext, id: string, error: unknown, known?: Known): Promise<boolean>;
}

/** What state may know of a held thing beyond its id. */
export interface Known {
  rootExecutionId?: string | undefined;
}

/** The task's facts as stored in state. */
export interface TaskFacts {
  /** The task's name, e.g. "Approve change". */
  taskName?: string;
  jobId?: string;
  status?: string;
  /** Username of whoever holds the task now (its id when IAP did not say); unset when nobody does. */
  owner?: string;
  ownerId?: string;
  /** When the current holder claimed it, ISO-8601 UTC. */
  claimTime?: string;
  /** Work items: the execution that created it (a job id for a workflow, else an agent session). */
  executionId?: string;
  rootExecutionId?: string;
}

// Tasks end complete, canceled, error or failure; work items completed or canceled.
const FINISHED = new Set(["complete", "completed", "canceled", "error", "failure"]);

/** A task whose work is over (approved, rejected, canceled or failed) can no longer be held. */
export function isFinished(status: string | undefined): boolean {
  return status !== undefined && FINISHED.has(status);
}

export function ownerOf(facts: TaskFacts): Holder | undefined {
  return facts.ownerId ? { id: facts.ownerId, username: facts.owner } : undefined;
}

/** The allowlisted facts of `task`; `known` names users whose username IAP may have left out. */
export function factsOf(task: Held, known: readonly Holder[] = []): TaskFacts {
  const facts: TaskFacts = {};
  if (task.name !== undefined) facts.taskName = task.name;
  if (task.job?.id !== undefined) facts.jobId = task.job.id;
  if (task.execution) {
    facts.executionId = task.execution.id;
    // A workflow's work item is its job's manual task: the execution is the job.
    if (task.execution.type === "workflow") facts.jobId = task.execution.id;
  }
  if (task.rootExecution) facts.rootExecutionId = task.rootExecution.id;
  if (task.status !== undefined) facts.status = task.status;
  if (task.owner) {
    const named = task.owner.username ?? known.find((k) => sameUser(k, task.owner))?.username;
    facts.owner = named ?? task.owner.id;
    facts.ownerId = task.owner.id;
    if (task.claimTime !== undefined) facts.claimTime = task.claimTime;
  }
  return facts;
}

/**
 * Whether `error` (from a call about task `id`) means the task does not exist. The answer comes
 * from the data, not from the status code: IAP may answer 500 for a missing task as for any
 * business error, and a 404 may come from a proxy, or from an IAP still starting, that does not
 * serve the route yet. Either is settled by searching for the id; a task is gone only when IAP's
 * search answers and finds nothing. Taking a stray 404 at its word would drop from state a claim
 * IAP still holds.
 */
export async function isGone(ctx: LifecycleContext, id: string, error: unknown): Promise<boolean> {
  if (!(error instanceof NotFoundError) && !(error instanceof ServerError && error.status === 500)) return false;
  try {
    const found = await ctx.client.listTasks(
      { filters: { equals: { _id: id } }, limit: 1, include: ["_id"] },
      ctx.call,
    );
    return found.total === 0;
  } catch {
    return false; // cannot tell: the caller reports the first error, which says more
  }
}

/** The task with its owner's username, or undefined when it no longer exists. */
export async function readTask(ctx: LifecycleContext, id: string): Promise<Task | undefined> {
  try {
    return await ctx.client.getTask(id, { dereference: ["metrics.owner"], ...ctx.call });
  } catch (error) {
    if (await isGone(ctx, id, error)) return undefined;
    throw error;
  }
}

/**
 * For an update whose write IAP refused: when the refusal is that the task finished meanwhile (the
 * approval was given since the last refresh), the task as it is now, since nothing is left to hold
 * and that is no error; otherwise the refusal, rethrown.
 */
export async function finishedMeanwhile<T extends Held = Task>(
  ctx: LifecycleContext,
  id: string,
  refusal: unknown,
  desk: Desk<T> = TASKS as unknown as Desk<T>,
): Promise<T> {
  if (!(refusal instanceof TaskStateError && refusal.reason === "finished")) throw refusal;
  const task = await desk.read(ctx, id);
  if (!task) throw refusal;
  return task;
}

export function describe(task: Held, noun = "task"): string {
  return task.name ? `${noun} ${task.id} ("${task.name}")` : `${noun} ${task.id}`;
}

/** Operations Manager tasks. */
export const TASKS: Desk<Task> = {
  noun: "task",
  finder: "findTask",
  read: readTask,
  claim: (ctx, id) => ctx.client.claimTask(id, ctx.call),
  assign: (ctx, id, userId) => ctx.client.assignTask(id, userId, ctx.call),
  release: (ctx, id) => ctx.client.releaseTask(id, ctx.call),
  isGone,
};

/**
 * Whether `error` (from a call about work item `id`) means the item does not exist. As for tasks,
 * the data decides, not the status. Work Center documents no search by id: with the root execution
 * state recorded, its history (`GET …/work-items?rootExecutionId=`) is asked; without it, the
 * search is paged through (only after a failed read, which is rare). Only a listing known to be
 * complete answers "gone": anything ambiguous (an error, a page that fails to parse, pages ending
 * before the `total` the server gave, a page repeating ids) answers "not gone", so the read reports
 * its error and state keeps the claim.
 */
async function isWorkItemGone(ctx: LifecycleContext, id: string, error: unknown, known?: Known): Promise<boolean> {
  if (!(error instanceof NotFoundError) && !(error instanceof ServerError && error.status === 500)) return false;
  try {
    if (known?.rootExecutionId) {
      const items = await ctx.client.workItemHistory(known.rootExecutionId, ctx.call);
      return !items.some((item) => item.id === id);
    }
    return !(await listedInFull(ctx, id));
  } catch {
    return false; // cannot tell: the caller reports the first error, which says more
  }
}

/**
 * Whether the full search lists `id`; throws when the listing cannot be known to be complete. Pages
 * are asked until `total` is reached, or (without `total`) until an empty page: a short page may be
 * a server's cap, not the end.
 */
async function listedInFull(ctx: LifecycleContext, id: string): Promise<boolean> {
  const seen = new Set<string>();
  for (let skip = 0; ; ) {
    const page = await ctx.client.searchWorkItems({ skip, limit: 100 }, ctx.call);
    if (page.items.some((item) => item.id === id)) return true;
    const fresh = page.items.filter((item) => !seen.has(item.id));
    for (const item of fresh) seen.add(item.id);
    skip += page.items.length;
    if (page.total !== undefined && skip >= page.total) return false;
    if (page.items.length === 0) {
      if (page.total === undefined) return false;
      throw new Error(`the search ended at ${skip} of the ${page.total} items it announced`);
    }
    if (fresh.length === 0) throw new Error("the search repeated a page");
  }
}

/**
 * The work item with its owner's username, or undefined when it no longer exists. Work Center
 * sends the owner as an id only (and has no dereference): the account is asked for the name, so
 * messages and state say "alice", not an id; when that fails the id stands.
 */
export async function readWorkItem(ctx: LifecycleContext, id: string, known?: Known): Promise<WorkItem | undefined> {
  let item: WorkItem;
  try {
    item = await ctx.client.getWorkItem(id, ctx.call);
  } catch (error) {
    if (await isWorkItemGone(ctx, id, error, known)) return undefined;
    throw error;
  }
  const owner = item.owner;
  if (owner && owner.username === undefined && /^[0-9a-fA-F]{24}$/.test(owner.id)) {
    const account = await ctx.client.getAccount(owner.id, ctx.call).catch(() => undefined);
    if (account?.username) item.owner = { id: owner.id, username: account.username };
  }
  return item;
}

/** Work Center items (Platform 6.5+). */
export const WORK_ITEMS: Desk<WorkItem> = {
  noun: "work item",
  finder: "findWorkItem",
  read: readWorkItem,
  claim: (ctx, id) => ctx.client.claimWorkItem(id, ctx.call),
  assign: (ctx, id, userId) => ctx.client.assignWorkItem(id, userId, ctx.call),
  release: (ctx, id) => ctx.client.releaseWorkItem(id, ctx.call),
  isGone: isWorkItemGone,
};
