// WorkItemAssignment: "Work Center item X belongs to user Y" (a named approver on Platform 6.5+),
// through Work Center's assign. TaskAssignment's rules run over the Work Center desk; this module
// only renames (`workItemId` and `name` in state, where the rules say `taskId` and `taskName`).
import { type CheckOutcome, checkWorkItemAssignmentInputs, type WorkItemAssignmentInputs } from "./inputs";
import {
  createTaskAssignment,
  deleteTaskAssignment,
  diffTaskAssignment,
  readTaskAssignment,
  type StoredTaskAssignment,
  type TaskAssignmentInputs,
  type TaskAssignmentState,
  updateTaskAssignment,
} from "./task-assignment";
import type { ClaimKind, Diff } from "./task-claim";
import { type LifecycleContext, WORK_ITEMS } from "./task-facts";
import { fromRules, type Renamed, renamed, renamedDiff, toRules } from "./work-item-claim";

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
