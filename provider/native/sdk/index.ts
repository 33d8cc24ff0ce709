// `pulumi-itential/native`: TypeScript classes for the native plugin (`itential`), the same
// resources a Pulumi YAML program declares, with `pulumi import`, detailed diffs and explicit
// providers of the engine's own kind. Apart from the dynamic classes of the package root (zero
// setup): these need the plugin located in Pulumi.yaml (see the README).
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
  type TaskInfo,
  type WorkItemInfo,
} from "./lookups";
export { Provider, type ProviderArgs } from "./provider";
export { TaskAssignment, type TaskAssignmentArgs } from "./task-assignment";
export { TaskClaim, type TaskClaimArgs } from "./task-claim";
export { WorkItemAssignment, type WorkItemAssignmentArgs } from "./work-item-assignment";
export { WorkItemClaim, type WorkItemClaimArgs } from "./work-item-claim";
