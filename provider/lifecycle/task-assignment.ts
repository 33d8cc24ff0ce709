// TaskAssignment: "task X belongs to user Y" (a named approver), through IAP's assign. Plain
// functions over the SDK client, like TaskClaim's.
import { sameUser, type Task } from "../../sdk";
import { type CheckOutcome, checkTaskAssignmentInputs, type TaskAssignmentInputs } from "./inputs";
import { OutcomeUnknownError, write } from "./outcome";
import { type Diff, replacements } from "./task-claim";
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

export type { TaskAssignmentInputs } from "./inputs";

export interface TaskAssignmentState extends TaskAssignmentInputs, TaskFacts {
  /** The platform the task lives on: `baseUrl`, or `itential:baseUrl` when it was assigned. */
  platformUrl: string;
  /** Username of the person the task is assigned to. */
  assignee: string;
  assigneeId: string;
}

export function checkTaskAssignment(news: Record<string, unknown>): CheckOutcome<TaskAssignmentInputs> {
  return checkTaskAssignmentInputs(news);
}

function assigneeOf(state: TaskAssignmentState): Holder {
  return { id: state.assigneeId, username: state.assignee };
}

/** The assignee named by the inputs differs from the one state records. */
function assigneeChanged(olds: TaskAssignmentState, news: TaskAssignmentInputs): boolean {
  if (news.userId !== undefined) return news.userId !== olds.assigneeId || olds.user !== undefined;
  return news.user !== olds.user || olds.userId !== undefined;
}

/** State says the task is open and held by someone other than the assignee (or by nobody). */
export function needsAssignment(state: TaskAssignmentState): boolean {
  return !isFinished(state.status) && !sameUser(ownerOf(state), assigneeOf(state));
}

export function diffTaskAssignment(
  olds: TaskAssignmentState,
  news: TaskAssignmentInputs,
  configuredUrl?: string,
): Diff {
  const replaces = replacements(olds, news, configuredUrl);
  const changes =
    replaces.length > 0 ||
    assigneeChanged(olds, news) ||
    news.releaseOnDestroy !== olds.releaseOnDestroy ||
    needsAssignment(olds);
  return { changes, replaces, deleteBeforeReplace: true };
}

/** The account the inputs name: looked up by username, or taken as given by id. */
async function resolveAssignee(ctx: LifecycleContext, inputs: TaskAssignmentInputs): Promise<Holder> {
  if (inputs.userId !== undefined) return { id: inputs.userId };
  const username = inputs.user as string;
  const account = await ctx.client.findAccount(username, ctx.call);
  if (!account) throw new Error(`TaskAssignment: IAP has no account with the username "${username}"`);
  if (account.inactive) throw new Error(`TaskAssignment: the IAP account "${username}" is inactive`);
  return { id: account.id, username: account.username };
}

/**
 * Assigns the task. An assign whose outcome is unknown fails with OutcomeUnknownError recording a
 * possible assignment: the inputs and the assignee, without the task's facts (no `status`).
 */
async function assign(ctx: LifecycleContext, inputs: TaskAssignmentInputs): Promise<TaskAssignmentState> {
  const assignee = await resolveAssignee(ctx, inputs);
  let task: Task;
  try {
    task = await write(`TaskAssignment: the assignment of task ${inputs.taskId} to ${who(assignee)}`, () =>
      ctx.client.assignTask(inputs.taskId, assignee.id, ctx.call),
    );
  } catch (error) {
    if (!(error instanceof OutcomeUnknownError)) throw error;
    throw error.recording({
      ...pickInputs(inputs),
      platformUrl: ctx.platformUrl,
      assignee: assignee.username ?? assignee.id,
      assigneeId: assignee.id,
    } satisfies Omit<TaskAssignmentState, keyof TaskFacts>);
  }
  const username = assignee.username ?? (sameUser(task.owner, assignee) ? task.owner?.username : undefined);
  return stateOf(ctx, inputs, task, { id: assignee.id, username });
}

function who(holder: Holder): string {
  return holder.username ?? `user ${holder.id}`;
}

function pickInputs(inputs: TaskAssignmentInputs): TaskAssignmentInputs {
  return {
    taskId: inputs.taskId,
    ...(inputs.user !== undefined ? { user: inputs.user } : {}),
    ...(inputs.userId !== undefined ? { userId: inputs.userId } : {}),
    releaseOnDestroy: inputs.releaseOnDestroy,
    ...(inputs.baseUrl !== undefined ? { baseUrl: inputs.baseUrl } : {}),
  };
}

function stateOf(
  ctx: LifecycleContext,
  inputs: TaskAssignmentInputs,
  task: Task,
  assignee: Holder,
): TaskAssignmentState {
  return {
    ...pickInputs(inputs),
    platformUrl: ctx.platformUrl,
    ...factsOf(task, [assignee]),
    assignee: assignee.username ?? assignee.id,
    assigneeId: assignee.id,
  };
}

/** Assigns the task; an unknown username fails naming it, and a failure leaves nothing in state. */
export async function createTaskAssignment(
  ctx: LifecycleContext,
  inputs: TaskAssignmentInputs,
): Promise<TaskAssignmentState> {
  return assign(ctx, inputs);
}

export async function readTaskAssignment(
  ctx: LifecycleContext,
  state: TaskAssignmentState,
): Promise<TaskAssignmentState | undefined> {
  const task = await readTask(ctx, state.taskId);
  if (!task) return undefined;
  return refreshed(ctx, state, task);
}

/** `state` with the task's facts as IAP has them now. */
function refreshed(ctx: LifecycleContext, state: TaskAssignmentState, task: Task): TaskAssignmentState {
  return {
    ...pickInputs(state),
    platformUrl: state.platformUrl ?? ctx.platformUrl,
    ...factsOf(task, [assigneeOf(state)]),
    assignee: state.assignee,
    assigneeId: state.assigneeId,
  };
}

/**
 * Re-assigns when the assignee changed or state shows the task taken from them; else IAP is not
 * called. A finished task (the work is done) is not assigned again: the new inputs are recorded,
 * while `assignee` and `owner` keep saying who had it, as TaskClaim counts a finished task done.
 */
export async function updateTaskAssignment(
  ctx: LifecycleContext,
  stored: TaskAssignmentState,
  news: TaskAssignmentInputs,
): Promise<TaskAssignmentState> {
  // A possible assignment (no facts: its outcome was unknown) is settled first.
  const olds = stored.status === undefined ? await readTaskAssignment(ctx, stored) : stored;
  if (!olds) throw new Error(`TaskAssignment: task ${stored.taskId} no longer exists`);
  const { taskId: _t, user: _u, userId: _i, releaseOnDestroy: _r, baseUrl: _b, ...kept } = olds;
  const recorded: TaskAssignmentState = { ...pickInputs(news), ...kept };
  if (isFinished(olds.status) || (!assigneeChanged(olds, news) && !needsAssignment(olds))) return recorded;
  try {
    return await assign(ctx, news);
  } catch (error) {
    return refreshed(ctx, recorded, await finishedMeanwhile(ctx, news.taskId, error));
  }
}

/** Releases the task if the assignee still holds it and it is open. */
export async function deleteTaskAssignment(ctx: LifecycleContext, state: TaskAssignmentState): Promise<void> {
  if (state.releaseOnDestroy === false) return;
  await releaseIfHeld(ctx, state.taskId, assigneeOf(state), "TaskAssignment");
}
