// What both resources know about a task, and the reads and releases they share. Everything that
// reaches state goes through `factsOf`, an explicit allowlist: a task's `raw` document holds job
// variables (often device credentials) and never leaves this module.
import {
  type CallOptions,
  NotFoundError,
  type OperationsManagerClient,
  ServerError,
  sameUser,
  type Task,
  TaskStateError,
  type WhoAmI,
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
}

const FINISHED = new Set(["complete", "canceled", "error", "failure"]);

/** A task whose work is over (approved, rejected, canceled or failed) can no longer be held. */
export function isFinished(status: string | undefined): boolean {
  return status !== undefined && FINISHED.has(status);
}

export function ownerOf(facts: TaskFacts): Holder | undefined {
  return facts.ownerId ? { id: facts.ownerId, username: facts.owner } : undefined;
}

/** The allowlisted facts of `task`; `known` names users whose username IAP may have left out. */
export function factsOf(task: Task, known: readonly Holder[] = []): TaskFacts {
  const facts: TaskFacts = {};
  if (task.name !== undefined) facts.taskName = task.name;
  if (task.job?.id !== undefined) facts.jobId = task.job.id;
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
export async function finishedMeanwhile(ctx: LifecycleContext, id: string, refusal: unknown): Promise<Task> {
  if (!(refusal instanceof TaskStateError && refusal.reason === "finished")) throw refusal;
  const task = await readTask(ctx, id);
  if (!task) throw refusal;
  return task;
}

export function describe(task: Task): string {
  return task.name ? `task ${task.id} ("${task.name}")` : `task ${task.id}`;
}
