// WorkItemClaim: "the account this stack runs as holds Work Center item X, by a claim this resource
// made (or adopted)", for Platform 6.5+, where agent sessions' approvals exist only in Work Center.
// The rules are TaskClaim's, run over the Work Center desk (task-claim.ts's ClaimKind): read first,
// adopt or refuse, takeOver, heldSince/adopted, release only its own claim, onDrift, outcome-checked
// writes. This module only renames: the rules speak of `taskId` and `taskName`, a work item's state
// of `workItemId` and `name`.
import { type CheckOutcome, checkWorkItemClaimInputs, type WorkItemClaimInputs } from "./inputs";
import { OutcomeUnknownError } from "./outcome";
import {
  type ClaimKind,
  createTaskClaim,
  type DetailedDiff,
  type Diff,
  deleteTaskClaim,
  detailedDiffTaskClaim,
  importTaskClaim,
  readTaskClaim,
  type StoredTaskClaim,
  type TaskClaimInputs,
  type TaskClaimState,
  updateTaskClaim,
} from "./task-claim";
import { type LifecycleContext, WORK_ITEMS } from "./task-facts";

export type { WorkItemClaimInputs } from "./inputs";

export const WORK_ITEM_CLAIM: ClaimKind = { what: "WorkItemClaim", desk: WORK_ITEMS };

/** A rules' shape with a work item's names: `workItemId` for `taskId`, `name` for `taskName`. */
export type Renamed<T> = Omit<T, "taskId" | "taskName"> & { workItemId: string; name?: string };

/** What state records: TaskClaim's state, for a work item (`executionId`, `rootExecutionId` too). */
export type WorkItemClaimState = Renamed<TaskClaimState>;
export type StoredWorkItemClaim = Renamed<StoredTaskClaim>;

export function toRules<T extends { workItemId: string; name?: string }>(value: T) {
  const { workItemId, name, ...rest } = value;
  return { ...rest, taskId: workItemId, ...(name !== undefined ? { taskName: name } : {}) };
}

export function fromRules<T extends { taskId: string; taskName?: string }>(value: T): Renamed<T> {
  const { taskId, taskName, ...rest } = value;
  return { ...rest, workItemId: taskId, ...(taskName !== undefined ? { name: taskName } : {}) } as Renamed<T>;
}

/** A write whose outcome is unknown records a possible claim: renamed like everything else. */
export async function renamed<T extends { taskId: string; taskName?: string }>(
  run: () => Promise<T>,
): Promise<Renamed<T>> {
  try {
    return fromRules(await run());
  } catch (error) {
    if (error instanceof OutcomeUnknownError && error.recorded) {
      throw error.recording(fromRules(error.recorded as { taskId: string; taskName?: string }));
    }
    throw error;
  }
}

export function checkWorkItemClaim(news: Record<string, unknown>): CheckOutcome<WorkItemClaimInputs> {
  return checkWorkItemClaimInputs(news);
}

export function diffWorkItemClaim(olds: StoredWorkItemClaim, news: WorkItemClaimInputs, configuredUrl?: string): Diff {
  const { properties: _, ...diff } = detailedDiffWorkItemClaim(olds, news, configuredUrl);
  return diff;
}

/** diffWorkItemClaim, with the properties that differ (named as a work item's state names them). */
export function detailedDiffWorkItemClaim(
  olds: StoredWorkItemClaim,
  news: WorkItemClaimInputs,
  configuredUrl?: string,
): DetailedDiff {
  const diff = detailedDiffTaskClaim(
    toRules(olds) as StoredTaskClaim,
    toRules(news) as TaskClaimInputs,
    configuredUrl,
    WORK_ITEM_CLAIM,
  );
  return renamedDetailedDiff(diff);
}

/** A rules' property name as a work item's state names it. */
const renamedProperty = (p: string): string => (p === "taskId" ? "workItemId" : p === "taskName" ? "name" : p);

/** A diff of the rules, naming the property replaced on by its work item name. */
export function renamedDiff(diff: Diff): Diff {
  const replaces = diff.replaces.map(renamedProperty);
  const reasons = diff.reasons.map((r) => r.replace(/^taskId /, "workItemId "));
  return { ...diff, replaces, reasons };
}

/** renamedDiff, and the detailed diff's properties (what the native plugin shows) renamed too. */
export function renamedDetailedDiff(diff: DetailedDiff): DetailedDiff {
  return { ...renamedDiff(diff), properties: diff.properties.map(renamedProperty) };
}

export function createWorkItemClaim(ctx: LifecycleContext, inputs: WorkItemClaimInputs): Promise<WorkItemClaimState> {
  return renamed(() => createTaskClaim(ctx, toRules(inputs) as TaskClaimInputs, WORK_ITEM_CLAIM));
}

export async function readWorkItemClaim(
  ctx: LifecycleContext,
  state: StoredWorkItemClaim,
): Promise<WorkItemClaimState | undefined> {
  const found = await readTaskClaim(ctx, toRules(state) as StoredTaskClaim, WORK_ITEM_CLAIM);
  return found ? fromRules(found) : undefined;
}

export function updateWorkItemClaim(
  ctx: LifecycleContext,
  stored: StoredWorkItemClaim,
  news: WorkItemClaimInputs,
): Promise<WorkItemClaimState> {
  return renamed(() =>
    updateTaskClaim(ctx, toRules(stored) as StoredTaskClaim, toRules(news) as TaskClaimInputs, WORK_ITEM_CLAIM),
  );
}

export function deleteWorkItemClaim(ctx: LifecycleContext, state: StoredWorkItemClaim): Promise<void> {
  return deleteTaskClaim(ctx, toRules(state) as StoredTaskClaim, WORK_ITEM_CLAIM);
}

/**
 * `pulumi import` by work item id alone: TaskClaim's import rules over the Work Center desk (an
 * item this account holds is adopted; one held by another, by nobody, or gone is refused, naming
 * the holder).
 */
export async function importWorkItemClaim(ctx: LifecycleContext, workItemId: string): Promise<WorkItemClaimState> {
  return fromRules(await importTaskClaim(ctx, workItemId, WORK_ITEM_CLAIM));
}
