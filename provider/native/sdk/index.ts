// `pulumi-itential/native`: TypeScript classes for the native plugin (`itential`), the same
// resources a Pulumi YAML program declares, with `pulumi import`, detailed diffs and explicit
// providers of the engine's own kind. Apart from the dynamic `TaskClaim`/`TaskAssignment` of the
// package root (zero setup): these need the plugin located in Pulumi.yaml (see the README).
export {
  type FindTaskArgs,
  findTask,
  findTaskOutput,
  type GetTaskArgs,
  getTask,
  getTaskOutput,
  type TaskInfo,
} from "./lookups";
export { Provider, type ProviderArgs } from "./provider";
export { TaskAssignment, type TaskAssignmentArgs } from "./task-assignment";
export { TaskClaim, type TaskClaimArgs } from "./task-claim";
