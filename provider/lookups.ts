// Lookups for Pulumi programs: find a job's task and read it, in the program process (read-only,
// safe in preview). Plain async functions and `…Output` variants, as Pulumi's own packages offer.
import * as pulumi from "@pulumi/pulumi";
import type { FindTaskArgs as FindArgs, TaskInfo } from "./lifecycle/lookups";
import type * as Session from "./lookup-session";

export type { TaskInfo } from "./lifecycle/lookups";

export interface GetTaskArgs {
  /** The task document's id (a UUID). */
  taskId: string;
  /** The platform's URL, when not `itential:baseUrl`. */
  baseUrl?: string;
}

export interface FindTaskArgs extends FindArgs {
  /** The platform's URL, when not `itential:baseUrl`. */
  baseUrl?: string;
}

/** Wraps every property of `T` as a Pulumi input, for the `…Output` variants. */
export type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** The lookups' implementation, loaded with the SDK on the first lookup (lookup-session.ts). */
function session(): typeof Session {
  return require("./lookup-session");
}

/** A task by id, with its owner and status as IAP has them now. */
export async function getTask(args: GetTaskArgs): Promise<TaskInfo> {
  return session().getTask(args);
}

/**
 * Exactly one task of a job by name (and type or status), e.g. the approval task of the job a
 * pipeline just started; `waitFor` ("2m") keeps looking until it appears.
 */
export async function findTask(args: FindTaskArgs): Promise<TaskInfo> {
  return session().findTask(args);
}

export function getTaskOutput(args: Inputs<GetTaskArgs>): pulumi.Output<TaskInfo> {
  return pulumi.output(args as pulumi.Input<GetTaskArgs>).apply((resolved) => getTask(resolved));
}

export function findTaskOutput(args: Inputs<FindTaskArgs>): pulumi.Output<TaskInfo> {
  return pulumi.output(args as pulumi.Input<FindTaskArgs>).apply((resolved) => findTask(resolved));
}
