// TaskAssignment: "task X belongs to user Y" (a named approver), through IAP's assign, by a claim
// this resource made (or adopted). Plain functions over the SDK client, like TaskClaim's, and the
// same ownership rules (ownership.ts).
import { sameUser } from "../../sdk";
import {
  type CheckOutcome,
  checkTaskAssignmentInputs,
  type OnDrift,
  type TaskAssignmentInputs,
  UNKNOWN,
} from "./inputs";
import { OutcomeUnknownError, write } from "./outcome";
import {
  acquire,
  driftChange,
  drifted,
  driftRefusal,
  type HeldClaim,
  heldClaim,
  holderName,
  releaseOwnClaim,
  settledClaim,
} from "./ownership";
import {
  type ClaimKind,
  changedFlags,
  changedProperties,
  type DetailedDiff,
  type Diff,
  replacements,
} from "./task-claim";
import {
  describe,
  factsOf,
  finishedMeanwhile,
  type Held,
  type Holder,
  isFinished,
  type LifecycleContext,
  TASKS,
  type TaskFacts,
} from "./task-facts";

/** Tasks, assigned through Operations Manager; WorkItemAssignment runs the same rules over Work Center. */
export const TASK_ASSIGNMENT: ClaimKind = { what: "TaskAssignment", desk: TASKS };

export type { TaskAssignmentInputs } from "./inputs";

export interface TaskAssignmentState extends TaskAssignmentInputs, TaskFacts, HeldClaim {
  /** The platform the task lives on, in one spelling (the provider's `baseUrl`). */
  platformUrl: string;
  /** Username of the person the task is assigned to. */
  assignee: string;
  assigneeId: string;
}

/** As state may hold it: states written before `adopt` and `onDrift` existed lack them. */
export type StoredTaskAssignment = Omit<TaskAssignmentState, "adopt" | "onDrift"> &
  Partial<Pick<TaskAssignmentInputs, "adopt" | "onDrift">>;

export function checkTaskAssignment(news: Record<string, unknown>): CheckOutcome<TaskAssignmentInputs> {
  return checkTaskAssignmentInputs(news);
}

function assigneeOf(state: StoredTaskAssignment): Holder {
  return { id: state.assigneeId, username: state.assignee };
}

/** The assignee named by the inputs differs from the one state records. */
function assigneeChanged(olds: StoredTaskAssignment, news: TaskAssignmentInputs): boolean {
  if (news.userId !== undefined) return news.userId !== olds.assigneeId || olds.user !== undefined;
  return news.user !== olds.user || olds.userId !== undefined;
}

/** State says the task is open and the assignee's claim made by this resource is gone (or unknown). */
export function needsAssignment(state: StoredTaskAssignment): boolean {
  return state.status === undefined || drifted(state, assigneeOf(state), state);
}

const FLAGS = ["releaseOnDestroy", "adopt", "onDrift"] as const;
const DEFAULTS = { releaseOnDestroy: true, adopt: false, onDrift: "reclaim" } as const;

export function diffTaskAssignment(
  olds: StoredTaskAssignment,
  news: TaskAssignmentInputs,
  configuredUrl?: string,
  kind: ClaimKind = TASK_ASSIGNMENT,
): Diff {
  const { properties: _, ...diff } = detailedDiffTaskAssignment(olds, news, configuredUrl, kind);
  return diff;
}

/** diffTaskAssignment, with the properties that differ. */
export function detailedDiffTaskAssignment(
  olds: StoredTaskAssignment,
  news: TaskAssignmentInputs,
  configuredUrl?: string,
  kind: ClaimKind = TASK_ASSIGNMENT,
): DetailedDiff {
  const { replaces, reasons, unknown } = replacements(olds, news, configuredUrl, kind.desk.noun);
  const reassign = assigneeChanged(olds, news);
  if (reassign) {
    const next = news.user ?? news.userId;
    const shown = next === UNKNOWN ? "a user not known until the resources it comes from are updated" : next;
    reasons.push(`${kind.what}: the assignee changes from ${olds.assignee} to ${shown}`);
  }
  const drift =
    replaces.length === 0 && !unknown && !reassign
      ? driftChange(kind.what, "assignment", olds, assigneeOf(olds), news, kind.desk.noun)
      : undefined;
  if (drift) reasons.push(drift);
  const flags = changedFlags(olds, news, FLAGS, DEFAULTS);
  const changes = replaces.length > 0 || unknown || reassign || flags.length > 0 || drift !== undefined;
  const assignee = reassign ? [news.userId !== undefined ? "userId" : "user"] : [];
  const properties = changedProperties(olds, news, replaces, [...assignee, ...flags], drift !== undefined);
  return { changes, replaces, deleteBeforeReplace: true, reasons, properties };
}

/** The account the inputs name: looked up by username, or taken as given by id. */
async function resolveAssignee(ctx: LifecycleContext, inputs: TaskAssignmentInputs, what: string): Promise<Holder> {
  if (inputs.userId !== undefined) return { id: inputs.userId };
  const username = inputs.user as string;
  const account = await ctx.client.findAccount(username, ctx.call);
  if (!account) throw new Error(`${what}: IAP at ${ctx.platformUrl} has no account with the username "${username}"`);
  if (account.inactive) throw new Error(`${what}: the IAP account "${username}" is inactive`);
  return { id: account.id, username: account.username };
}

/**
 * Assigns the task, unless the assignee already holds it (then adopted with `adopt`, else refused)
 * or it is finished (returned as it is). An assign whose outcome is unknown fails with
 * OutcomeUnknownError recording a possible assignment: the inputs and the assignee, without the
 * task's facts (no `status`).
 */
async function assign(
  ctx: LifecycleContext,
  inputs: TaskAssignmentInputs,
  context: "new" | "drift",
  kind: ClaimKind,
): Promise<{ task: Held; assignee: Holder; adopted: boolean; finished?: boolean }> {
  const { what, desk } = kind;
  const assignee = await resolveAssignee(ctx, inputs, what);
  const send = () =>
    write(
      `${what}: the assignment of ${desk.noun} ${inputs.taskId} to ${holderName(assignee)}`,
      () => desk.assign(ctx, inputs.taskId, assignee.id),
      desk.noun,
    );
  try {
    // Assigning replaces whoever holds the task: that is what an assignment is for.
    const got = await acquire<Held>(ctx, what, inputs, assignee, send, send, context, desk);
    const username = assignee.username ?? (sameUser(got.task.owner, assignee) ? got.task.owner?.username : undefined);
    return { ...got, assignee: { id: assignee.id, username } };
  } catch (error) {
    if (!(error instanceof OutcomeUnknownError)) throw error;
    throw error.recording({
      ...pickInputs(inputs),
      platformUrl: ctx.platformUrl,
      assignee: assignee.username ?? assignee.id,
      assigneeId: assignee.id,
    } satisfies Omit<TaskAssignmentState, keyof TaskFacts | keyof HeldClaim>);
  }
}

function pickInputs(inputs: StoredTaskAssignment | TaskAssignmentInputs): TaskAssignmentInputs {
  return {
    taskId: inputs.taskId,
    ...(inputs.user !== undefined ? { user: inputs.user } : {}),
    ...(inputs.userId !== undefined ? { userId: inputs.userId } : {}),
    releaseOnDestroy: inputs.releaseOnDestroy,
    adopt: inputs.adopt ?? DEFAULTS.adopt,
    onDrift: inputs.onDrift ?? DEFAULTS.onDrift,
    ...(inputs.baseUrl !== undefined ? { baseUrl: inputs.baseUrl } : {}),
  };
}

function stateOf(
  ctx: LifecycleContext,
  inputs: TaskAssignmentInputs,
  task: Held,
  assignee: Holder,
  held: HeldClaim,
): TaskAssignmentState {
  return {
    ...pickInputs(inputs),
    platformUrl: ctx.platformUrl,
    ...factsOf(task, [assignee]),
    assignee: assignee.username ?? assignee.id,
    assigneeId: assignee.id,
    ...held,
  };
}

/**
 * Assigns the task; an unknown username fails naming it, a task the assignee already holds is
 * refused unless `adopt`, and a failure leaves nothing in state.
 */
export async function createTaskAssignment(
  ctx: LifecycleContext,
  inputs: TaskAssignmentInputs,
  kind: ClaimKind = TASK_ASSIGNMENT,
): Promise<TaskAssignmentState> {
  const got = await assign(ctx, inputs, "new", kind);
  if (got.finished) {
    throw new Error(
      `${kind.what}: ${describe(got.task, kind.desk.noun)} is ${got.task.status}: there is nothing left to assign`,
    );
  }
  return stateOf(ctx, inputs, got.task, got.assignee, heldClaim(got.task, got.assignee, got.adopted));
}

export async function readTaskAssignment(
  ctx: LifecycleContext,
  state: StoredTaskAssignment,
  kind: ClaimKind = TASK_ASSIGNMENT,
): Promise<TaskAssignmentState | undefined> {
  const task = await kind.desk.read(ctx, state.taskId, state);
  if (!task) return undefined;
  return refreshed(ctx, state, task);
}

/** `state` with the task's facts as IAP has them now; which claim is this resource's is kept. */
function refreshed(ctx: LifecycleContext, state: StoredTaskAssignment, task: Held): TaskAssignmentState {
  const facts = factsOf(task, [assigneeOf(state)]);
  return {
    ...pickInputs(state),
    platformUrl: state.platformUrl ?? ctx.platformUrl,
    ...facts,
    assignee: state.assignee,
    assigneeId: state.assigneeId,
    ...settledClaim(state, facts, assigneeOf(state)),
  };
}

/**
 * Re-assigns when the assignee changed, or on drift as `onDrift` says (a possible assignment is
 * always settled); else IAP is not called. A finished task (the work is done) is not assigned
 * again: the new inputs are recorded, while `assignee` and `owner` keep saying who had it.
 */
export async function updateTaskAssignment(
  ctx: LifecycleContext,
  stored: StoredTaskAssignment,
  news: TaskAssignmentInputs,
  kind: ClaimKind = TASK_ASSIGNMENT,
): Promise<TaskAssignmentState> {
  const { what, desk } = kind;
  const possible = stored.status === undefined;
  const olds = possible ? await readTaskAssignment(ctx, stored, kind) : (stored as TaskAssignmentState);
  if (!olds) throw new Error(`${what}: ${desk.noun} ${stored.taskId} no longer exists on ${ctx.platformUrl}`);
  const { taskId: _t, user: _u, userId: _i, releaseOnDestroy: _r, adopt: _a, onDrift: _d, baseUrl: _b, ...kept } = olds;
  const recorded: TaskAssignmentState = { ...pickInputs(news), ...kept };
  if (isFinished(olds.status)) return recorded;
  if (!assigneeChanged(olds, news)) {
    if (!needsAssignment(olds)) return recorded;
    const onDrift: OnDrift = possible ? "reclaim" : news.onDrift;
    if (onDrift === "ignore") return recorded;
    if (onDrift === "fail") throw driftRefusal(what, olds, assigneeOf(olds), desk.noun);
  }
  try {
    const got = await assign(ctx, news, possible || assigneeChanged(olds, news) ? "new" : "drift", kind);
    if (got.finished) return refreshed(ctx, recorded, got.task);
    return stateOf(ctx, news, got.task, got.assignee, heldClaim(got.task, got.assignee, got.adopted));
  } catch (error) {
    if (error instanceof OutcomeUnknownError) throw error;
    return refreshed(ctx, recorded, await finishedMeanwhile<Held>(ctx, news.taskId, error, desk));
  }
}

/** Releases the task if IAP still shows the assignee's claim this resource made, and it is open. */
export async function deleteTaskAssignment(
  ctx: LifecycleContext,
  state: StoredTaskAssignment,
  kind: ClaimKind = TASK_ASSIGNMENT,
): Promise<void> {
  await releaseOwnClaim(ctx, kind.what, state, async () => assigneeOf(state), kind.desk);
}

/**
 * `pulumi import` by task id alone: the person holding the task is recorded as the assignee, and
 * the claim as adopted (destroying the resource never releases a claim it did not make). A task
 * held by nobody, or gone, is refused: importing records what is, it never assigns. Read-only.
 * `kind`: a task (default) or a Work Center item (its desk).
 */
export async function importTaskAssignment(
  ctx: LifecycleContext,
  taskId: string,
  kind: ClaimKind = TASK_ASSIGNMENT,
): Promise<TaskAssignmentState> {
  const { what, desk } = kind;
  const task = await desk.read(ctx, taskId);
  if (!task) {
    throw new Error(`${what}: ${desk.noun} ${taskId} does not exist on ${ctx.platformUrl}: there is nothing to import`);
  }
  if (!task.owner) {
    throw new Error(
      `${what}: ${describe(task, desk.noun)} is held by nobody: import records an assignment that exists. Declare a ${what} for it instead (up assigns it).`,
    );
  }
  const assignee: Holder = { id: task.owner.id, username: task.owner.username };
  const inputs: TaskAssignmentInputs = {
    taskId: task.id,
    ...(assignee.username !== undefined ? { user: assignee.username } : { userId: assignee.id }),
    ...DEFAULTS,
    adopt: true,
  };
  return stateOf(ctx, inputs, task, assignee, heldClaim(task, assignee, true));
}
