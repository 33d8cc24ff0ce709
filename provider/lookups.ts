// Lookups for Pulumi programs: find a job's task and read it, in the program process (read-only,
// safe in preview). Plain async functions and `…Output` variants, as Pulumi's own packages offer;
// each takes `{ provider }` like an invoke, for a platform with its own credentials.
import * as pulumi from "@pulumi/pulumi";
import type {
  FindTaskArgs as FindArgs,
  FindWorkItemArgs as FindItemArgs,
  TaskInfo,
  WorkItemInfo,
} from "./lifecycle/lookups";
import type * as Session from "./lookup-session";
import { type Provider, providerSettings } from "./provider-resource";

export type { TaskInfo, WorkItemInfo } from "./lifecycle/lookups";

export interface GetTaskArgs {
  /** The task document's id (a UUID). */
  taskId: string;
  /** Optional: must name the provider's platform (as for resources). */
  baseUrl?: string;
}

export interface FindTaskArgs extends FindArgs {
  /** Optional: must name the provider's platform (as for resources). */
  baseUrl?: string;
}

export interface FindWorkItemArgs extends FindItemArgs {
  /** Optional: must name the provider's platform (as for resources). */
  baseUrl?: string;
}

export interface LookupOptions {
  /** The platform and credentials to use; default: the stack config (`itential:*`). */
  provider?: Provider;
}

/** Wraps every property of `T` as a Pulumi input, for the `…Output` variants. */
export type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** The lookups' implementation, loaded with the SDK on the first lookup (lookup-session.ts). */
function session(): typeof Session {
  return require("./lookup-session");
}

/** A task by id, with its owner and status as IAP has them now. */
export async function getTask(args: GetTaskArgs, opts: LookupOptions = {}): Promise<TaskInfo> {
  return session().getTask(args, opts.provider);
}

/**
 * Exactly one task of a job by name (and type or status), e.g. the approval task of the job a
 * pipeline just started; `waitFor` ("2m") keeps looking until it appears.
 */
export async function findTask(args: FindTaskArgs, opts: LookupOptions = {}): Promise<TaskInfo> {
  return session().findTask(args, opts.provider);
}

/**
 * Exactly one Work Center item (Platform 6.5+) by name, of an execution (an agent session, or a
 * workflow's job: `executionId`) or a job (`jobId`); `waitFor` ("2m") keeps looking until it appears.
 */
export async function findWorkItem(args: FindWorkItemArgs, opts: LookupOptions = {}): Promise<WorkItemInfo> {
  return session().findWorkItem(args, opts.provider);
}

/**
 * The args, and the provider's settings when one is given: a provider whose settings come from a
 * resource being updated makes the lookup's result unknown in preview, as for any other input.
 */
function resolvedWith<T>(args: Inputs<T>, opts: LookupOptions): pulumi.Output<T> {
  // Only whether the settings are known: their secrets must not make the lookup's result secret.
  const known = opts.provider ? pulumi.unsecret(providerSettings(opts.provider).values.apply(() => true)) : true;
  return pulumi.all([pulumi.output(args as pulumi.Input<T>), known]).apply(([resolved]) => resolved as T);
}

export function getTaskOutput(args: Inputs<GetTaskArgs>, opts: LookupOptions = {}): pulumi.Output<TaskInfo> {
  return resolvedWith(args, opts).apply((resolved) => getTask(resolved, opts));
}

export function findTaskOutput(args: Inputs<FindTaskArgs>, opts: LookupOptions = {}): pulumi.Output<TaskInfo> {
  return resolvedWith(args, opts).apply((resolved) => findTask(resolved, opts));
}

export function findWorkItemOutput(
  args: Inputs<FindWorkItemArgs>,
  opts: LookupOptions = {},
): pulumi.Output<WorkItemInfo> {
  return resolvedWith(args, opts).apply((resolved) => findWorkItem(resolved, opts));
}
