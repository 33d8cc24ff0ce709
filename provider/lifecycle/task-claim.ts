// TaskClaim: "the account this stack runs as holds task X, by a claim this resource made (or
// adopted)". The rules, as plain functions over the SDK client, with no Pulumi import: the dynamic
// provider (dynamic/host.ts) adapts them, and a native provider can serve the same functions.
import { sameUser, TaskStateError } from "../../sdk";
import { platformOf } from "../base-url";
import { type CheckOutcome, checkTaskClaimInputs, type OnDrift, type TaskClaimInputs, UNKNOWN } from "./inputs";
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
  type Desk,
  describe,
  factsOf,
  finishedMeanwhile,
  type Held,
  type Holder,
  type LifecycleContext,
  TASKS,
  type TaskFacts,
} from "./task-facts";

/**
 * What a claim resource claims: Operations Manager tasks (TaskClaim) or Work Center items
 * (WorkItemClaim, work-item-claim.ts). The rules below are written once, over a desk.
 */
export interface ClaimKind {
  /** The resource's name in messages, e.g. "TaskClaim". */
  readonly what: string;
  readonly desk: Desk;
}

export const TASK_CLAIM: ClaimKind = { what: "TaskClaim", desk: TASKS };

export type { TaskClaimInputs } from "./inputs";

/** What state records: the inputs, the task's facts, the account the claim is for, and which claim. */
export interface TaskClaimState extends TaskClaimInputs, TaskFacts, HeldClaim {
  /** The platform the task lives on, in one spelling (the provider's `baseUrl`). */
  platformUrl: string;
  /** Username of the account this resource claims the task for (the provider's credentials). */
  claimant: string;
  claimantId: string;
}

/**
 * What state may hold: a settled claim, or a possible claim, recorded when a claim's outcome was
 * unknown (outcome.ts). A possible claim has no facts (no `status`: they are unknown) and no
 * `heldSince`; refresh, update and delete learn both before they act. States written before
 * `adopt`, `onDrift` and `heldSince` existed read as `adopt: false`, `onDrift: "reclaim"`, and a
 * claim time learnt at the next refresh.
 */
export type StoredTaskClaim = Omit<TaskClaimInputs, "adopt" | "onDrift"> &
  Partial<Pick<TaskClaimInputs, "adopt" | "onDrift">> &
  TaskFacts &
  HeldClaim &
  Partial<Pick<TaskClaimState, "claimant" | "claimantId" | "platformUrl">>;

/**
 * The change a diff reports, in the shape the engine takes, with the reasons a reviewer reads in
 * the plan (the dynamic provider prints them; a native provider puts them in its detailed diff).
 */
export interface Diff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  reasons: string[];
}

/** A diff and the properties that differ (inputs, or `owner` for drift): a native provider's detailed diff. */
export interface DetailedDiff extends Diff {
  properties: string[];
}

export function checkTaskClaim(news: Record<string, unknown>): CheckOutcome<TaskClaimInputs> {
  return checkTaskClaimInputs(news);
}

function claimantOf(state: StoredTaskClaim): Holder | undefined {
  return state.claimantId ? { id: state.claimantId, username: state.claimant } : undefined;
}

/** The account the claim is for: as state records it, or (a possible claim) the one we act as. */
async function claimantFor(ctx: LifecycleContext, state: StoredTaskClaim): Promise<Holder> {
  return claimantOf(state) ?? whoWeAre(ctx);
}

async function whoWeAre(ctx: LifecycleContext): Promise<Holder> {
  const me = await ctx.me();
  return { id: me.id, username: me.username };
}

/**
 * State says the task is open and this resource's claim is gone (a person released or took it, or
 * it was claimed again under another claim), or does not know (a possible claim): `up` acts on it
 * as `onDrift` says.
 */
export function needsClaim(state: StoredTaskClaim): boolean {
  return state.status === undefined || drifted(state, claimantOf(state), state);
}

/**
 * Properties whose change means another claim: another task, or another platform, with the
 * reasons. The platform is compared as used: the resource's `baseUrl`, else the provider's
 * (`configuredUrl`), against the one state recorded, each in one spelling, so `HTTP://IAP:443/`
 * and `https://iap` are no change while a provider moved to another platform moves the claim.
 * An unknown task id is a possible change, never a certain replace: `up` decides once it is known.
 */
export function replacements(
  olds: { taskId: string; baseUrl?: string; platformUrl?: string },
  news: { taskId: string; baseUrl?: string },
  configuredUrl?: string,
  /** What the id names, in the reasons: "task", or "work item". */
  noun = "task",
): { replaces: string[]; reasons: string[]; unknown: boolean } {
  const replaces: string[] = [];
  const reasons: string[] = [];
  let unknown = false;
  if (news.taskId === UNKNOWN) {
    unknown = true;
    reasons.push(
      `taskId is not known until the resources it comes from are updated: up replaces the claim on ${noun} ${olds.taskId} only if it changes`,
    );
  } else if (news.taskId !== olds.taskId) {
    replaces.push("taskId");
    reasons.push(
      `taskId changes from ${olds.taskId} to ${news.taskId}: the claim on the old ${noun} is released (if this resource made it), then the new ${noun} claimed`,
    );
  }
  const before = olds.platformUrl ?? olds.baseUrl;
  const after = news.baseUrl ?? configuredUrl;
  if (after === UNKNOWN) {
    unknown = true;
  } else if (before !== undefined && after !== undefined && platformOf(before) !== platformOf(after)) {
    replaces.push("baseUrl");
    reasons.push(
      `the platform changes from ${platformOf(before)} to ${platformOf(after)}: the claim on ${platformOf(before)} can only ` +
        `be released with credentials for it, which this provider does not send there (set releaseOnDestroy: false first ` +
        "to leave it, or destroy it while the old platform is still configured)",
    );
  }
  return { replaces, reasons, unknown };
}

const TASK_CLAIM_FLAGS = ["takeOver", "releaseOnDestroy", "adopt", "onDrift"] as const;
const DEFAULTS = { takeOver: false, releaseOnDestroy: true, adopt: false, onDrift: "reclaim" } as const;

/** Inputs that change only what state records, as state has them (older states lack some). */
export function changedFlags<K extends string>(
  olds: Partial<Record<K, unknown>>,
  news: Partial<Record<K, unknown>>,
  keys: readonly K[],
  defaults: Partial<Record<K, unknown>>,
): K[] {
  return keys.filter((k) => (news[k] ?? defaults[k]) !== (olds[k] ?? defaults[k]));
}

/** The properties a diff names: replaced, unknown (possibly replaced), changed flags, and `owner` for drift. */
export function changedProperties(
  olds: { taskId: string; baseUrl?: string },
  news: { taskId: string; baseUrl?: string },
  replaces: readonly string[],
  others: readonly string[],
  drift: boolean,
): string[] {
  const unknown = (["taskId", "baseUrl"] as const).filter(
    (k) => news[k] === UNKNOWN && olds[k] !== UNKNOWN && !replaces.includes(k),
  );
  return [...replaces, ...unknown, ...others, ...(drift ? ["owner"] : [])];
}

/**
 * Always an explicit answer (never "let the engine compare", which would compare `__provider` and
 * show every library upgrade as an update). Release before re-claiming on replacement: claiming the
 * same task first and then releasing the old resource would leave it unclaimed.
 */
export function diffTaskClaim(
  olds: StoredTaskClaim,
  news: TaskClaimInputs,
  configuredUrl?: string,
  kind: ClaimKind = TASK_CLAIM,
): Diff {
  const { properties: _, ...diff } = detailedDiffTaskClaim(olds, news, configuredUrl, kind);
  return diff;
}

/** diffTaskClaim, with the properties that differ. */
export function detailedDiffTaskClaim(
  olds: StoredTaskClaim,
  news: TaskClaimInputs,
  configuredUrl?: string,
  kind: ClaimKind = TASK_CLAIM,
): DetailedDiff {
  const { replaces, reasons, unknown } = replacements(olds, news, configuredUrl, kind.desk.noun);
  const flags = changedFlags(olds, news, TASK_CLAIM_FLAGS, DEFAULTS);
  const drift =
    replaces.length === 0 && !unknown
      ? driftChange(kind.what, "claim", olds, claimantOf(olds), news, kind.desk.noun)
      : undefined;
  if (drift) reasons.push(drift);
  return {
    changes: replaces.length > 0 || unknown || flags.length > 0 || drift !== undefined,
    replaces,
    deleteBeforeReplace: true,
    reasons,
    properties: changedProperties(olds, news, replaces, flags, drift !== undefined),
  };
}

/**
 * Claims the task for `me` after `acquire` found it free (or, with takeOver, assigns it to `me`
 * when another holds it). A claim or assign whose outcome is unknown fails with
 * OutcomeUnknownError, which the caller completes with what state should record.
 */
function claimFor(
  ctx: LifecycleContext,
  inputs: TaskClaimInputs,
  me: Holder,
  context: "new" | "drift",
  kind: ClaimKind,
) {
  const { what, desk } = kind;
  const takeOver = async (task: Held): Promise<Held> => {
    if (!inputs.takeOver) {
      const owner = task.owner?.username ?? task.owner?.id;
      const since = task.claimTime ? ` since ${task.claimTime}` : "";
      throw new Error(
        `${what}: ${describe(task, desk.noun)} is claimed by ${owner}${since}. Set takeOver: true to take it over, or ask them ` +
          'to release it (nothing was sent); for a claim they made after this resource\'s, onDrift: "ignore" leaves it.',
      );
    }
    return write(
      `${what}: the take-over of ${desk.noun} ${inputs.taskId} (assigned to ${me.username ?? me.id})`,
      () => desk.assign(ctx, inputs.taskId, me.id),
      desk.noun,
    );
  };
  const claim = async (): Promise<Held> => {
    try {
      return await write(
        `${what}: the claim of ${desk.noun} ${inputs.taskId}`,
        () => desk.claim(ctx, inputs.taskId),
        desk.noun,
      );
    } catch (error) {
      // A person claimed it between our read and our claim.
      if (error instanceof TaskStateError && error.reason === "claimed-by-another") {
        const task = await desk.read(ctx, inputs.taskId);
        if (task?.owner) return takeOver(task);
      }
      throw error;
    }
  };
  return acquire<Held>(ctx, what, inputs, me, claim, takeOver, context, desk);
}

function stateOf(
  ctx: LifecycleContext,
  inputs: TaskClaimInputs,
  task: Held,
  claimant: Holder,
  held: HeldClaim,
): TaskClaimState {
  return {
    ...pickInputs(inputs),
    platformUrl: ctx.platformUrl,
    ...factsOf(task, [claimant]),
    claimant: claimant.username ?? claimant.id,
    claimantId: claimant.id,
    ...held,
  };
}

function pickInputs(inputs: StoredTaskClaim): TaskClaimInputs {
  return {
    taskId: inputs.taskId,
    takeOver: inputs.takeOver,
    releaseOnDestroy: inputs.releaseOnDestroy,
    adopt: inputs.adopt ?? DEFAULTS.adopt,
    onDrift: inputs.onDrift ?? DEFAULTS.onDrift,
    ...(inputs.baseUrl !== undefined ? { baseUrl: inputs.baseUrl } : {}),
  };
}

/** The possible claim state records when a claim's outcome is unknown: inputs and claimant, no facts. */
function possibleClaim(ctx: LifecycleContext, inputs: TaskClaimInputs, claimant: Holder): StoredTaskClaim {
  return {
    ...pickInputs(inputs),
    platformUrl: ctx.platformUrl,
    claimant: claimant.username ?? claimant.id,
    claimantId: claimant.id,
  };
}

/**
 * Claims the task for the account the provider acts as. A task that account already holds is
 * refused, naming the fixes, unless `adopt` (then recorded, and never released by this resource).
 * A refused claim leaves nothing in state; a claim whose outcome is unknown fails with
 * OutcomeUnknownError recording a possible claim.
 */
export async function createTaskClaim(
  ctx: LifecycleContext,
  inputs: TaskClaimInputs,
  kind: ClaimKind = TASK_CLAIM,
): Promise<TaskClaimState> {
  const me = await whoWeAre(ctx);
  try {
    const got = await claimFor(ctx, inputs, me, "new", kind);
    if (got.finished) {
      throw new Error(
        `${kind.what}: ${describe(got.task, kind.desk.noun)} is ${got.task.status}: there is nothing left to claim`,
      );
    }
    return stateOf(ctx, inputs, got.task, me, heldClaim(got.task, me, got.adopted));
  } catch (error) {
    if (error instanceof OutcomeUnknownError) throw error.recording(possibleClaim(ctx, inputs, me));
    throw error;
  }
}

/** Refresh: the task's owner, claim time and status as IAP has them now; undefined when it is gone. */
export async function readTaskClaim(
  ctx: LifecycleContext,
  state: StoredTaskClaim,
  kind: ClaimKind = TASK_CLAIM,
): Promise<TaskClaimState | undefined> {
  const task = await kind.desk.read(ctx, state.taskId, state);
  if (!task) return undefined;
  return refreshed(ctx, state, task, await claimantFor(ctx, state));
}

/** `state` with the task's facts as IAP has them now; which claim is this resource's is kept. */
function refreshed(ctx: LifecycleContext, state: StoredTaskClaim, task: Held, claimant: Holder): TaskClaimState {
  const facts = factsOf(task, [claimant]);
  return {
    ...pickInputs(state),
    platformUrl: state.platformUrl ?? ctx.platformUrl,
    ...facts,
    claimant: claimant.username ?? claimant.id,
    claimantId: claimant.id,
    ...settledClaim(state, facts, claimant),
  };
}

/**
 * Acts on drift as `onDrift` says (a possible claim is always settled: its own claim's outcome is
 * not drift); otherwise only the flags change and IAP is not called. Always returns the full state
 * (an update without outputs would wipe them).
 */
export async function updateTaskClaim(
  ctx: LifecycleContext,
  stored: StoredTaskClaim,
  news: TaskClaimInputs,
  kind: ClaimKind = TASK_CLAIM,
): Promise<TaskClaimState> {
  const { what, desk } = kind;
  const possible = stored.status === undefined;
  // A possible claim is settled first: it may be ours already, or its task finished meanwhile.
  const olds = possible ? await readTaskClaim(ctx, stored, kind) : (stored as TaskClaimState);
  if (!olds) throw new Error(`${what}: ${desk.noun} ${stored.taskId} no longer exists on ${ctx.platformUrl}`);
  const claimant = await claimantFor(ctx, olds);
  const recorded = refreshedInputs(olds, news);
  if (!needsClaim(olds)) return recorded;
  const onDrift: OnDrift = possible ? "reclaim" : news.onDrift;
  if (onDrift === "ignore") return recorded;
  if (onDrift === "fail") throw driftRefusal(what, olds, claimant, desk.noun);
  const me = await whoWeAre(ctx);
  try {
    const got = await claimFor(ctx, news, me, possible ? "new" : "drift", kind);
    if (got.finished) return refreshed(ctx, recorded, got.task, claimant);
    return stateOf(ctx, news, got.task, me, heldClaim(got.task, me, got.adopted));
  } catch (error) {
    if (error instanceof OutcomeUnknownError) throw error.recording(possibleClaim(ctx, news, me));
    // Approved since the last refresh: nothing is left to hold, and that is no error.
    return refreshed(ctx, recorded, await finishedMeanwhile<Held>(ctx, news.taskId, error, desk), claimant);
  }
}

/** `state` with the new inputs: what an update that sends nothing records. */
function refreshedInputs(state: TaskClaimState, news: TaskClaimInputs): TaskClaimState {
  const { taskId: _t, takeOver: _o, releaseOnDestroy: _r, adopt: _a, onDrift: _d, baseUrl: _b, ...kept } = state;
  return { ...pickInputs(news), ...kept };
}

/**
 * Releases the task if IAP still shows the claim this resource made and it is open;
 * `releaseOnDestroy: false` and an adopted claim leave it held.
 */
export async function deleteTaskClaim(
  ctx: LifecycleContext,
  state: StoredTaskClaim,
  kind: ClaimKind = TASK_CLAIM,
): Promise<void> {
  await releaseOwnClaim(ctx, kind.what, state, () => claimantFor(ctx, state), kind.desk);
}

/**
 * `pulumi import` by task id alone: a task this account holds is adopted (recorded with
 * `adopt: true`, so destroying the resource never releases a claim it did not make). A task held
 * by someone else, by nobody, or gone is refused, naming the holder: importing records what is,
 * it never claims. Read-only. `kind`: a task (default) or a Work Center item (its desk).
 */
export async function importTaskClaim(
  ctx: LifecycleContext,
  taskId: string,
  kind: ClaimKind = TASK_CLAIM,
): Promise<TaskClaimState> {
  const { what, desk } = kind;
  const task = await desk.read(ctx, taskId);
  if (!task)
    throw new Error(`${what}: ${desk.noun} ${taskId} does not exist on ${ctx.platformUrl}: there is nothing to import`);
  const me = await whoWeAre(ctx);
  if (!task.owner || !sameUser(task.owner, me)) {
    const held = task.owner
      ? `is held by ${factsOf(task, [me]).owner ?? task.owner.id}${task.claimTime ? ` since ${task.claimTime}` : ""}`
      : "is held by nobody";
    throw new Error(
      `${what}: ${describe(task, desk.noun)} ${held}: import adopts only a ${desk.noun} ${holderName(me)} (this provider's account) holds. ` +
        `Declare a ${what} for it instead (up claims it, or refuses naming the holder), or ask the holder to release it.`,
    );
  }
  const inputs: TaskClaimInputs = { taskId: task.id, ...DEFAULTS, adopt: true };
  return stateOf(ctx, inputs, task, me, heldClaim(task, me, true));
}
