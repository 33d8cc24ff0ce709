// The plugin's functions, `itential:index:getTask`, `findTask` and `findWorkItem`: read-only, safe
// in preview, served by the plugin (the program process needs no credentials). Plain async
// functions and `…Output` variants, the way generated SDKs look.
import * as pulumi from "@pulumi/pulumi";
import * as utilities from "./utilities";

/** A task as the lookups return it. */
export interface TaskInfo {
  /** The task document's id: what TaskClaim and TaskAssignment take as `taskId`. */
  readonly id: string;
  readonly name?: string;
  readonly type?: string;
  readonly status?: string;
  readonly jobId?: string;
  readonly taskKey?: string;
  readonly owner?: string;
  readonly ownerId?: string;
  readonly claimTime?: string;
}

export interface GetTaskArgs {
  taskId: string;
  /** Must name the provider's platform, when given. */
  baseUrl?: string;
}

export interface FindTaskArgs {
  /** The job's id (24 hexadecimal characters). */
  jobId: string;
  /** The task's name, exactly, e.g. "Approve change". */
  name: string;
  type?: string;
  status?: string;
  /** Keep looking until the task appears: "30s", "5m", "1h". */
  waitFor?: string;
  baseUrl?: string;
}

/** A Work Center item as findWorkItem returns it. */
export interface WorkItemInfo {
  /** The work item's id: what WorkItemClaim and WorkItemAssignment take as `workItemId`. */
  readonly id: string;
  readonly name?: string;
  readonly status?: string;
  /** The execution that created it: a job id for a workflow's item, else an agent session's id. */
  readonly executionId?: string;
  /** `workflow` or `agent`, as Work Center says. */
  readonly executionType?: string;
  readonly rootExecutionId?: string;
  readonly jobId?: string;
  readonly owner?: string;
  readonly ownerId?: string;
  readonly claimTime?: string;
}

export interface FindWorkItemArgs {
  /** The execution: an agent session's id, or a workflow's job id (set this or `jobId`). */
  executionId?: string;
  /** A workflow's job id (24 hexadecimal characters). */
  jobId?: string;
  /** The work item's name, exactly, e.g. "Approve agent remediation". */
  name: string;
  /** e.g. "pending". */
  status?: string;
  /** Keep looking until the work item appears: "30s", "5m", "1h". */
  waitFor?: string;
  baseUrl?: string;
}

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

const options = (opts?: pulumi.InvokeOptions) => pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts ?? {});

/** A task by id, with its owner and status as IAP has them now. */
export function getTask(args: GetTaskArgs, opts?: pulumi.InvokeOptions): Promise<TaskInfo> {
  return pulumi.runtime.invoke(
    "itential:index:getTask",
    { taskId: args.taskId, baseUrl: args.baseUrl },
    options(opts),
  ) as Promise<TaskInfo>;
}

/** Exactly one task of a job by name (and type or status); `waitFor` keeps looking until it appears. */
export function findTask(args: FindTaskArgs, opts?: pulumi.InvokeOptions): Promise<TaskInfo> {
  const { jobId, name, type, status, waitFor, baseUrl } = args;
  return pulumi.runtime.invoke(
    "itential:index:findTask",
    { jobId, name, type, status, waitFor, baseUrl },
    options(opts),
  ) as Promise<TaskInfo>;
}

export function getTaskOutput(args: Inputs<GetTaskArgs>, opts?: pulumi.InvokeOptions): pulumi.Output<TaskInfo> {
  return pulumi.output(args as pulumi.Input<GetTaskArgs>).apply((resolved) => getTask(resolved, opts));
}

export function findTaskOutput(args: Inputs<FindTaskArgs>, opts?: pulumi.InvokeOptions): pulumi.Output<TaskInfo> {
  return pulumi.output(args as pulumi.Input<FindTaskArgs>).apply((resolved) => findTask(resolved, opts));
}

/** Exactly one Work Center item of an execution (or job) by name (and status); `waitFor` keeps looking. */
export function findWorkItem(args: FindWorkItemArgs, opts?: pulumi.InvokeOptions): Promise<WorkItemInfo> {
  const { executionId, jobId, name, status, waitFor, baseUrl } = args;
  return pulumi.runtime.invoke(
    "itential:index:findWorkItem",
    { executionId, jobId, name, status, waitFor, baseUrl },
    options(opts),
  ) as Promise<WorkItemInfo>;
}

export function findWorkItemOutput(
  args: Inputs<FindWorkItemArgs>,
  opts?: pulumi.InvokeOptions,
): pulumi.Output<WorkItemInfo> {
  return pulumi.output(args as pulumi.Input<FindWorkItemArgs>).apply((resolved) => findWorkItem(resolved, opts));
}
