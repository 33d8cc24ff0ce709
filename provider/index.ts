// `pulumi-itential`'s resources and lookups (re-exported by the package root).
export { ConfigurationError, SETTINGS } from "./config";
export type { TaskInfo } from "./lifecycle/lookups";
export {
  type FindTaskArgs,
  findTask,
  findTaskOutput,
  type GetTaskArgs,
  getTask,
  getTaskOutput,
  type Inputs,
} from "./lookups";
export { TaskAssignment, type TaskAssignmentArgs } from "./task-assignment";
export { TaskClaim, type TaskClaimArgs } from "./task-claim";
