// Ownership: a claim belongs to the resource that made it. Both resources (TaskClaim for the
// provider's own account, TaskAssignment for a named person) hold a task for a *holder*, and
// record which claim is theirs: the claim time IAP gave it (`heldSince`), and whether they made
// it or adopted one that already existed (`adopted`). From that follow the rules both share:
//
// - acquiring never silently takes over a claim the holder already has (another stack, another
//   resource of this stack, a rename without an alias, or a person): that is `adopt`, a choice
//   recorded in state, and without it nothing is sent;
// - a resource releases only the claim it made, while IAP still shows that very claim (same
//   holder, same claim time): never an adopted claim, never a claim someone made after it;
// - drift (the task released, or held by anyone else or under another claim) is reported by diff
//   with a reason, and `onDrift` says whether `up` claims again, leaves it, or fails.
import { sameUser, type Task, TaskStateError } from "../../sdk";
import type { OwnershipInputs } from "./inputs";
import {
  type Desk,
  describe,
  factsOf,
  type Held,
  type Holder,
  isFinished,
  type LifecycleContext,
  ownerOf,
  TASKS,
  type TaskFacts,
} from "./task-facts";

/** What state records of the claim a resource holds. */
export interface HeldClaim {
  /** The claim time IAP gave the claim this resource made or adopted (ISO-8601 UTC). */
  heldSince?: string;
  /** True when the resource recorded a claim it did not make (`adopt`): it never releases it. */
  adopted?: boolean;
}

/**
 * Whether IAP (as `facts` show it) still has the claim this resource holds: the same holder and,
 * where both are known, the same claim time. A claim time that changed means the holder let go and
 * someone claimed again for them (another stack, a person with their login): not this claim.
 */
export function holdsItsClaim(facts: TaskFacts, holder: Holder | undefined, claim: HeldClaim): boolean {
  if (!holder || !sameUser(ownerOf(facts), holder)) return false;
  return claim.heldSince === undefined || facts.claimTime === undefined || facts.claimTime === claim.heldSince;
}

/** State shows the task open and its claim gone (released, taken, or claimed again by another). */
export function drifted(facts: TaskFacts, holder: Holder | undefined, claim: HeldClaim): boolean {
  return !isFinished(facts.status) && !holdsItsClaim(facts, holder, claim);
}

/** A holder as messages name them: the username, else the account id. */
export function holderName(holder: Holder): string {
  return holder.username ?? `user ${holder.id}`;
}

/** What refresh found: the task (or work item), and who holds it instead of this resource's claim. */
function finding(state: TaskFacts & { taskId: string }, holder: Holder | undefined, noun: string): string {
  const task = state.taskName ? `${noun} ${state.taskId} ("${state.taskName}")` : `${noun} ${state.taskId}`;
  const owner = ownerOf(state);
  if (!owner) return `${task} released (nobody holds it)`;
  const since = state.claimTime ? ` since ${state.claimTime}` : "";
  const name = owner.username ?? owner.id;
  return holder && sameUser(owner, holder)
    ? `${task} held by ${name}${since}, under a claim this resource did not make`
    : `${task} held by ${name}${since}`;
}

/** What refresh found and what `up` will do about it, in words a reviewer reads in the plan. */
export function driftReason(
  what: string,
  state: TaskFacts & { taskId: string },
  holder: Holder | undefined,
  inputs: Pick<OwnershipInputs, "onDrift" | "adopt">,
  noun = "task",
): string {
  const owner = ownerOf(state);
  // The holder holds it, but by a claim made elsewhere: up adopts it only when told to.
  const elsewhere = owner !== undefined && holder !== undefined && sameUser(owner, holder);
  const next =
    inputs.onDrift === "ignore"
      ? 'up leaves it as it is (onDrift "ignore")'
      : inputs.onDrift === "fail"
        ? 'up will fail, naming the holder (onDrift "fail")'
        : elsewhere
          ? inputs.adopt
            ? "up records that claim as adopted (adopt: true)"
            : 'up will fail, sending nothing: this resource does not take over a claim it did not make (set adopt: true to record it, or onDrift "ignore")'
          : `up will claim it again${holder ? ` for ${holderName(holder)}` : ""} (onDrift "reclaim")`;
  return `${what}: refresh found ${finding(state, holder, noun)}; ${next}`;
}

/**
 * Why drift makes a diff a change, or undefined when it does not: a claim whose outcome was unknown
 * is always settled by the next up; a claim gone from IAP is acted on unless onDrift is "ignore".
 */
export function driftChange(
  what: string,
  write: string,
  state: TaskFacts & HeldClaim & { taskId: string },
  holder: Holder | undefined,
  inputs: Pick<OwnershipInputs, "onDrift" | "adopt">,
  noun = "task",
): string | undefined {
  if (state.status === undefined) {
    return `${what}: the outcome of the ${write} of ${noun} ${state.taskId} is not known yet: up reads the ${noun} and settles it`;
  }
  if (!drifted(state, holder, state) || inputs.onDrift === "ignore") return undefined;
  return driftReason(what, state, holder, inputs, noun);
}

/** The refusal `onDrift: "fail"` gives, naming the holder. Nothing was sent. */
export function driftRefusal(
  what: string,
  state: TaskFacts & { taskId: string },
  holder: Holder | undefined,
  noun = "task",
): Error {
  return new Error(
    `${what}: refresh found ${finding(state, holder, noun)}. onDrift is "fail", so nothing was sent: settle it with the ` +
      'holder, then run `pulumi refresh`; or set onDrift to "reclaim" (claim it again) or "ignore" (leave it and ' +
      "record the holder).",
  );
}

/** The result of acquiring: the task (or work item) as IAP has it now, and whether the claim was adopted. */
export interface Acquired<T extends Held = Task> {
  task: T;
  adopted: boolean;
  /** Set when the task was finished already: nothing was sent. */
  finished?: boolean;
}

/**
 * Makes `holder` hold the task through `send` (a claim or assign), deciding from the task as IAP
 * has it first, so a refusal sends nothing:
 * - gone: an error naming the task and the platform;
 * - finished: returned with `finished` (the caller decides: an error for a new resource, a record
 *   for an existing one);
 * - held by `holder` already: adopted with `inputs.adopt`, else an error naming the claim time
 *   and the two fixes (an alias for a rename, `adopt` to share);
 * - held by someone else: `whenHeldByAnother` decides (TaskClaim fails unless takeOver; an
 *   assignment replaces the holder, which is what assigning is);
 * - otherwise: `send`.
 */
export async function acquire<T extends Held = Task>(
  ctx: LifecycleContext,
  what: string,
  inputs: Pick<OwnershipInputs, "taskId" | "adopt">,
  holder: Holder,
  send: (task: T) => Promise<T>,
  whenHeldByAnother: (task: T) => Promise<T>,
  context: "new" | "drift" = "new",
  desk: Desk<T> = TASKS as unknown as Desk<T>,
): Promise<Acquired<T>> {
  const task = await desk.read(ctx, inputs.taskId);
  if (!task) {
    throw new Error(
      `${what}: ${desk.noun} ${inputs.taskId} does not exist on ${ctx.platformUrl}. Check the ${desk.noun} id ` +
        `(${desk.finder} finds one by name).`,
    );
  }
  if (isFinished(task.status)) return { task, adopted: false, finished: true };
  if (task.owner && sameUser(task.owner, holder)) {
    if (inputs.adopt) return { task, adopted: true };
    throw alreadyHeld(what, ctx, task, holder, context, desk.noun);
  }
  if (task.owner) return { task: await whenHeldByAnother(task), adopted: false };
  return { task: await send(task), adopted: false };
}

function alreadyHeld(
  what: string,
  ctx: LifecycleContext,
  task: Held,
  holder: Holder,
  context: "new" | "drift",
  noun: string,
): Error {
  const since = factsOf(task, [holder]).claimTime;
  const held =
    `${what}: ${describe(task, noun)} on ${ctx.platformUrl} is already held by ${holderName(holder)}` +
    `${since ? ` since ${since}` : ""}, by a claim this resource did not make`;
  if (context === "drift") {
    return new Error(
      `${held} (its own claim was released, and the ${noun} claimed again elsewhere: by the holder, another stack, ` +
        "or by hand). Nothing was sent: set adopt: true to record that claim (this resource then never releases it), " +
        'or onDrift: "ignore" to leave it.',
    );
  }
  return new Error(
    `${held} (another resource or stack, or by hand). Nothing was sent. If this resource was renamed or moved, ` +
      'give it its old name as an alias (`aliases: [{ name: "<old name>" }]`) so Pulumi knows it is the same claim; ' +
      "to share that claim, set adopt: true (an adopted claim is recorded, and never released by this resource).",
  );
}

/** The state fields of a claim just acquired: the claim time is this resource's own. */
export function heldClaim(task: Held, holder: Holder, adopted: boolean): HeldClaim {
  const since = factsOf(task, [holder]).claimTime;
  return since !== undefined ? { heldSince: since, adopted } : { adopted };
}

/**
 * Which claim is this resource's after a refresh: the one state records. A state that does not
 * know yet (a claim whose outcome was unknown, or a state written before claim times were kept)
 * learns it from IAP when IAP shows the holder holding the task.
 */
export function settledClaim(state: HeldClaim, facts: TaskFacts, holder: Holder | undefined): HeldClaim {
  const adopted = state.adopted ?? false;
  if (state.heldSince !== undefined) return { heldSince: state.heldSince, adopted };
  if (holder && sameUser(ownerOf(facts), holder) && facts.claimTime !== undefined) {
    return { heldSince: facts.claimTime, adopted };
  }
  return { adopted };
}

/**
 * Releases the task if IAP still shows the claim this resource made, and the task is open. Gone,
 * finished, released, taken by someone else, or claimed again under another claim: nothing of
 * this resource's is left to give back. An adopted claim is never released. A release IAP refuses
 * while the claim is still there (our credentials may not release it) is an error, so the
 * resource stays in state rather than state forgetting a claim that is still held.
 */
export async function releaseOwnClaim(
  ctx: LifecycleContext,
  what: string,
  state: { taskId: string; releaseOnDestroy?: boolean; rootExecutionId?: string } & HeldClaim,
  holderOf: () => Promise<Holder>,
  desk: Desk = TASKS,
): Promise<void> {
  if (state.releaseOnDestroy === false || state.adopted === true) return;
  const holder = await holderOf();
  const task = await desk.read(ctx, state.taskId, state);
  if (!task || isFinished(task.status) || !holdsItsClaim(factsOf(task, [holder]), holder, state)) return;
  try {
    await desk.release(ctx, state.taskId);
  } catch (error) {
    if (error instanceof TaskStateError) {
      if (error.reason === "claimed-by-another" && sameUser(error.owner, holder)) {
        const me = await ctx.me().catch(() => undefined);
        throw new Error(
          `${what}: ${describe(task, desk.noun)} is still held by ${holderName(holder)}, and IAP does not let ` +
            `${me?.username ?? "the configured account"} release it (IAP usually lets only the holder or an ` +
            `administrator release a ${desk.noun}). Give the provider an administrator's credentials and run ` +
            "`pulumi destroy --run-program` (destroy otherwise uses the provider configuration the last update stored); " +
            `or, to leave the ${desk.noun} held, set releaseOnDestroy: false and run \`pulumi up\` (for a resource no longer in ` +
            "the program: `pulumi state delete` it).",
        );
      }
      return; // finished, released or taken by someone else meanwhile
    }
    if (await desk.isGone(ctx, state.taskId, error, state)) return;
    throw error;
  }
}

/**
 * One resource per task in a provider process: two resources holding one task (two TaskClaims, or
 * a TaskClaim and a TaskAssignment) would release each other's claim, or take it from each other
 * on every `up`. The engine hands every resource of a stack that uses one provider to one process,
 * so a second resource naming a task the first already named is refused at `check`, in preview
 * where the task id is known and in every `up` (where it always is). Resources served by
 * different processes (two stacks, two explicit providers for one platform) cannot see each
 * other here: `acquire` refuses a task the holder already has instead.
 */
export class OneResourcePerTask {
  readonly #named = new Map<string, { who: string; urn?: string }>();
  /** Tasks a replacement may name once more (see `replacing`). */
  readonly #replacing = new Set<string>();

  /**
   * Notes that `who` (a resource kind) names the task (or, with `noun`, the work item); why not,
   * when another already does. `urn`, when the front end knows which resource is checked (the
   * native plugin): the same resource checked again (the engine checks a replacement a second
   * time) is not a second resource.
   */
  note(platform: string, taskId: string, who: string, urn?: string, noun = "task"): string | undefined {
    const key = keyOf(platform, taskId, noun);
    const first = this.#named.get(key);
    if (first === undefined) {
      this.#named.set(key, { who, urn });
      return undefined;
    }
    if (urn !== undefined && first.urn === urn) return undefined;
    if (urn === undefined && this.#replacing.delete(key)) return undefined;
    return (
      `names ${noun} ${taskId}, which another ${first.who} of this stack already holds on ${platform}: two resources on one ` +
      `${noun} would release or take it from each other. Keep one (if one was renamed, give it the old name as an alias).`
    );
  }

  /**
   * A diff decided to replace a resource onto the task: the engine checks the replacement once
   * more, with the same inputs, which a front end that knows no URN (the dynamic provider) cannot
   * tell from a second resource. So the task may be noted once more without a URN; a further
   * resource naming it is refused as before. With a URN no allowance is needed (nor left lying).
   */
  replacing(platform: string, taskId: string, urn?: string, noun = "task"): void {
    if (urn === undefined) this.#replacing.add(keyOf(platform, taskId, noun));
  }
}

// A work item and a task are different things, whatever their ids.
const keyOf = (platform: string, id: string, noun: string) => `${platform} ${noun} ${id.toLowerCase()}`;
