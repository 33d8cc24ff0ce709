// TaskClaim: "the account this stack runs as holds task X". The rules, as plain functions over the
// SDK client, with no Pulumi import: the dynamic provider (dynamic/host.ts) adapts them, and a
// native provider could serve the same functions later.
import { sameUser, type Task, TaskStateError } from "../../sdk";
import { normaliseBaseUrl } from "../base-url";
import { type CheckOutcome, checkTaskClaimInputs, type TaskClaimInputs, UNKNOWN } from "./inputs";
import { OutcomeUnknownError, write } from "./outcome";
import {
  factsOf,
  finishedMeanwhile,
  type Holder,
  isFinished,
  type LifecycleContext,
  ownerOf,
  readTask,
  releaseIfHeld,
  type TaskFacts,
} from "./task-facts";

export type { TaskClaimInputs } from "./inputs";

/** What state records: the inputs, the task's facts, and the account the claim is made for. */
export interface TaskClaimState extends TaskClaimInputs, TaskFacts {
  /** The platform the task lives on: `baseUrl`, or `itential:baseUrl` when the claim was made. */
  platformUrl: string;
  /** Username of the account this resource claims the task for (the provider's credentials). */
  claimant: string;
  claimantId: string;
}

/**
 * What state may hold: a settled claim, or a possible claim, recorded when a claim's outcome was
 * unknown (outcome.ts). A possible claim has no facts (no `status`: they are unknown) and may not
 * know its claimant yet; refresh, update and delete learn both before they act.
 */
export type StoredTaskClaim = TaskClaimInputs &
  TaskFacts &
  Partial<Pick<TaskClaimState, "claimant" | "claimantId" | "platformUrl">>;

/** The change a diff reports, in the shape the engine takes. */
export interface Diff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export function checkTaskClaim(news: Record<string, unknown>): CheckOutcome<TaskClaimInputs> {
  return checkTaskClaimInputs(news);
}

function claimantOf(state: StoredTaskClaim): Holder | undefined {
  return state.claimantId ? { id: state.claimantId, username: state.claimant } : undefined;
}

/** The account the claim is for: as state records it, or (a possible claim) the one we act as. */
async function claimantFor(ctx: LifecycleContext, state: StoredTaskClaim): Promise<Holder> {
  const known = claimantOf(state);
  if (known) return known;
  const me = await ctx.me();
  return { id: me.id, username: me.username };
}

/**
 * State says the task is open and not ours (a person released or re-took it), or does not know
 * (a possible claim): the next up claims it.
 */
export function needsClaim(state: StoredTaskClaim): boolean {
  const claimant = claimantOf(state);
  return !isFinished(state.status) && (!claimant || !sameUser(ownerOf(state), claimant));
}

/**
 * Properties whose change means another claim: another task, or another platform. The platform is
 * compared as used: the resource's `baseUrl`, else the configured `itential:baseUrl`
 * (`configuredUrl`), against the one state recorded, so changing the stack's URL moves the claim
 * rather than leaving it behind on the old platform.
 */
export function replacements(
  olds: { taskId: string; baseUrl?: string; platformUrl?: string },
  news: { taskId: string; baseUrl?: string },
  configuredUrl?: string,
) {
  const replaces: string[] = [];
  if (news.taskId === UNKNOWN || news.taskId !== olds.taskId) replaces.push("taskId");
  const before = olds.platformUrl ?? olds.baseUrl;
  const after = news.baseUrl ?? configuredUrl;
  if (
    after === UNKNOWN ||
    (before !== undefined && after !== undefined && normaliseBaseUrl(before) !== normaliseBaseUrl(after))
  ) {
    replaces.push("baseUrl");
  }
  return replaces;
}

/**
 * Always an explicit answer (never "let the engine compare", which would compare `__provider` and
 * show every library upgrade as an update). Release before re-claiming on replacement: claiming the
 * same task first and then releasing the old resource would leave it unclaimed.
 */
export function diffTaskClaim(olds: StoredTaskClaim, news: TaskClaimInputs, configuredUrl?: string): Diff {
  const replaces = replacements(olds, news, configuredUrl);
  const flags = news.takeOver !== olds.takeOver || news.releaseOnDestroy !== olds.releaseOnDestroy;
  return { changes: replaces.length > 0 || flags || needsClaim(olds), replaces, deleteBeforeReplace: true };
}

/**
 * Claims the task (or, with takeOver, assigns it to ourselves when another holds it). A claim or
 * assign whose outcome is unknown fails with OutcomeUnknownError, which the caller completes with
 * what state should record.
 */
async function claim(ctx: LifecycleContext, inputs: TaskClaimInputs): Promise<{ task: Task; claimant: Holder }> {
  let task: Task;
  try {
    task = await write(`TaskClaim: the claim of task ${inputs.taskId}`, () =>
      ctx.client.claimTask(inputs.taskId, ctx.call),
    );
  } catch (error) {
    if (!(error instanceof TaskStateError && error.reason === "claimed-by-another")) throw error;
    if (!inputs.takeOver) {
      throw new Error(`${error.message}. Set takeOver: true to take it over, or ask them to release it.`);
    }
    const me = await ctx.me();
    task = await write(`TaskClaim: the take-over of task ${inputs.taskId} (assigned to ${me.username})`, () =>
      ctx.client.assignTask(inputs.taskId, me.id, ctx.call),
    );
  }
  // The claim succeeded, so its owner is us; IAP may name it by id alone.
  const claimant = task.owner?.username && task.owner.id ? task.owner : await ctx.me();
  return { task, claimant: { id: claimant.id, username: claimant.username } };
}

function stateOf(ctx: LifecycleContext, inputs: TaskClaimInputs, task: Task, claimant: Holder): TaskClaimState {
  return {
    ...pickInputs(inputs),
    platformUrl: ctx.platformUrl,
    ...factsOf(task, [claimant]),
    claimant: claimant.username ?? claimant.id,
    claimantId: claimant.id,
  };
}

function pickInputs(inputs: TaskClaimInputs): TaskClaimInputs {
  return {
    taskId: inputs.taskId,
    takeOver: inputs.takeOver,
    releaseOnDestroy: inputs.releaseOnDestroy,
    ...(inputs.baseUrl !== undefined ? { baseUrl: inputs.baseUrl } : {}),
  };
}

/** The possible claim state records when a claim's outcome is unknown: inputs and claimant, no facts. */
function possibleClaim(ctx: LifecycleContext, inputs: TaskClaimInputs, claimant: Holder | undefined): StoredTaskClaim {
  return {
    ...pickInputs(inputs),
    platformUrl: ctx.platformUrl,
    ...(claimant ? { claimant: claimant.username ?? claimant.id, claimantId: claimant.id } : {}),
  };
}

/**
 * Claims the task. A task this account already holds is adopted without error: our answer to
 * `pulumi import`, which dynamic resources cannot use. A refused claim leaves nothing in state; a
 * claim whose outcome is unknown fails with OutcomeUnknownError recording a possible claim.
 */
export async function createTaskClaim(ctx: LifecycleContext, inputs: TaskClaimInputs): Promise<TaskClaimState> {
  try {
    const { task, claimant } = await claim(ctx, inputs);
    return stateOf(ctx, inputs, task, claimant);
  } catch (error) {
    if (error instanceof OutcomeUnknownError) throw error.recording(possibleClaim(ctx, inputs, undefined));
    throw error;
  }
}

/** Refresh: the task's owner, claim time and status as IAP has them now; undefined when it is gone. */
export async function readTaskClaim(
  ctx: LifecycleContext,
  state: StoredTaskClaim,
): Promise<TaskClaimState | undefined> {
  const task = await readTask(ctx, state.taskId);
  if (!task) return undefined;
  return refreshed(ctx, state, task, await claimantFor(ctx, state));
}

/** `state` with the task's facts as IAP has them now. */
function refreshed(ctx: LifecycleContext, state: StoredTaskClaim, task: Task, claimant: Holder): TaskClaimState {
  return {
    ...pickInputs(state),
    platformUrl: state.platformUrl ?? ctx.platformUrl,
    ...factsOf(task, [claimant]),
    claimant: claimant.username ?? claimant.id,
    claimantId: claimant.id,
  };
}

/**
 * Re-claims when state shows the task open and not ours; otherwise only the flags change and IAP is
 * not called. Always returns the full state (an update without outputs would wipe them).
 */
export async function updateTaskClaim(
  ctx: LifecycleContext,
  stored: StoredTaskClaim,
  news: TaskClaimInputs,
): Promise<TaskClaimState> {
  // A possible claim is settled first: it may be ours already, or its task finished meanwhile.
  const olds = stored.status === undefined ? await readTaskClaim(ctx, stored) : stored;
  if (!olds) throw new Error(`TaskClaim: task ${stored.taskId} no longer exists`);
  const { taskId: _t, takeOver: _o, releaseOnDestroy: _r, baseUrl: _b, ...kept } = olds as TaskClaimState;
  const recorded: TaskClaimState = { ...pickInputs(news), ...kept };
  if (!needsClaim(olds)) return recorded;
  try {
    const { task, claimant } = await claim(ctx, news);
    return stateOf(ctx, news, task, claimant);
  } catch (error) {
    if (error instanceof OutcomeUnknownError) throw error.recording(possibleClaim(ctx, news, claimantOf(olds)));
    // Approved since the last refresh: nothing is left to hold, and that is no error.
    const task = await finishedMeanwhile(ctx, news.taskId, error);
    return refreshed(ctx, recorded, task, { id: recorded.claimantId, username: recorded.claimant });
  }
}

/** Releases the task if we still hold it and it is open; `releaseOnDestroy: false` leaves it held. */
export async function deleteTaskClaim(ctx: LifecycleContext, state: StoredTaskClaim): Promise<void> {
  if (state.releaseOnDestroy === false) return;
  await releaseIfHeld(ctx, state.taskId, await claimantFor(ctx, state), "TaskClaim");
}
