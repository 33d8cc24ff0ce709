// `pulumi-itential`'s resources, provider and lookups (re-exported by the package root).
export { ConfigurationError, SETTINGS } from "./config";
export type { HeldTaskArgs } from "./held-task-args";
export type { TaskInfo, WorkItemInfo } from "./lifecycle/lookups";
export {
  type FindTaskArgs,
  type FindWorkItemArgs,
  findTask,
  findTaskOutput,
  findWorkItem,
  findWorkItemOutput,
  type GetTaskArgs,
  getTask,
  getTaskOutput,
  type Inputs,
  type LookupOptions,
} from "./lookups";
export { Provider, type ProviderArgs } from "./provider-resource";
export { TaskAssignment, type TaskAssignmentArgs } from "./task-assignment";
export { TaskClaim, type TaskClaimArgs } from "./task-claim";
export { WorkItemAssignment, type WorkItemAssignmentArgs } from "./work-item-assignment";
export { WorkItemClaim, type WorkItemClaimArgs } from "./work-item-claim";
