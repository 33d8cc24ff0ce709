// The plugin's functions, `itential:index:getTask` and `itential:index:findTask`: read-only, safe
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
