// WorkItemAssignment: "Work Center item X belongs to user Y" (a named approver on Platform 6.5+),
// through Work Center's assign. TaskAssignment's rules run over the Work Center desk; this module
// only renames (`workItemId` and `name` in state, where the rules say `taskId` and `taskName`).
import { type CheckOutcome, checkWorkItemAssignmentInputs, type WorkItemAssignmentInputs } from "./inputs";
import {
  createTaskAssignment,
  deleteTaskAssignment,
  detailedDiffTaskAssignment,
  diffTaskAssignment,
  importTaskAssignment,
  readTaskAssignment,
  type StoredTaskAssignment,
  type TaskAssignmentInputs,
  type TaskAssignmentState,
  updateTaskAssignment,
} from "./task-assignment";
import type { ClaimKind, DetailedDiff, Diff } from "./task-claim";
import { type LifecycleContext, WORK_ITEMS } from "./task-facts";
import { fromRules, type Renamed, renamed, renamedDetailedDiff, renamedDiff, toRules } from "./work-item-claim";

export type { WorkItemAssignmentInputs } from "./inputs";

export const WORK_ITEM_ASSIGNMENT: ClaimKind = { what: "WorkItemAssignment", desk: WORK_ITEMS };

export type WorkItemAssignmentState = Renamed<TaskAssignmentState>;
export type StoredWorkItemAssignment = Renamed<StoredTaskAssignment>;

export function checkWorkItemAssignment(news: Record<string, unknown>): CheckOutcome<WorkItemAssignmentInputs> {
  return checkWorkItemAssignmentInputs(news);
}

export function diffWorkItemAssignment(
  olds: StoredWorkItemAssignment,
  news: WorkItemAssignmentInputs,
  configuredUrl?: string,
): Diff {
  const diff = diffTaskAssignment(
    toRules(olds) as StoredTaskAssignment,
    toRules(news) as TaskAssignmentInputs,
    configuredUrl,
    WORK_ITEM_ASSIGNMENT,
  );
  return renamedDiff(diff);
}

/** diffWorkItemAssignment, with the properties that differ (named as a work item's state names them). */
export function detailedDiffWorkItemAssignment(
  olds: StoredWorkItemAssignment,
  news: WorkItemAssignmentInputs,
  configuredUrl?: string,
): DetailedDiff {
  const diff = detailedDiffTaskAssignment(
    toRules(olds) as StoredTaskAssignment,
    toRules(news) as TaskAssignmentInputs,
    configuredUrl,
    WORK_ITEM_ASSIGNMENT,
  );
  return renamedDetailedDiff(diff);
}

export function createWorkItemAssignment(
  ctx: LifecycleContext,
  inputs: WorkItemAssignmentInputs,
): Promise<WorkItemAssignmentState> {
  return renamed(() => createTaskAssignment(ctx, toRules(inputs) as TaskAssignmentInputs, WORK_ITEM_ASSIGNMENT));
}

export async function readWorkItemAssignment(
  ctx: LifecycleContext,
  state: StoredWorkItemAssignment,
): Promise<WorkItemAssignmentState | undefined> {
  const found = await readTaskAssignment(ctx, toRules(state) as StoredTaskAssignment, WORK_ITEM_ASSIGNMENT);
  return found ? fromRules(found) : undefined;
}

export function updateWorkItemAssignment(
  ctx: LifecycleContext,
  stored: StoredWorkItemAssignment,
  news: WorkItemAssignmentInputs,
): Promise<WorkItemAssignmentState> {
  return renamed(() =>
    updateTaskAssignment(
      ctx,
      toRules(stored) as StoredTaskAssignment,
      toRules(news) as TaskAssignmentInputs,
      WORK_ITEM_ASSIGNMENT,
    ),
  );
}

export function deleteWorkItemAssignment(ctx: LifecycleContext, state: StoredWorkItemAssignment): Promise<void> {
  return deleteTaskAssignment(ctx, toRules(state) as StoredTaskAssignment, WORK_ITEM_ASSIGNMENT);
}

/**
 * `pulumi import` by work item id alone: TaskAssignment's import rules over the Work Center desk
 * (the person holding the item is recorded as the assignee, adopted; an item held by nobody, or
 * gone, is refused).
 */
export async function importWorkItemAssignment(
  ctx: LifecycleContext,
  workItemId: string,
): Promise<WorkItemAssignmentState> {
  return fromRules(await importTaskAssignment(ctx, workItemId, WORK_ITEM_ASSIGNMENT));
}
