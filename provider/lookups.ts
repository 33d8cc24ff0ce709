// Lookups for Pulumi programs: find a job's task and read it, in the program process (read-only,
// safe in preview). Plain async functions and `…Output` variants, as Pulumi's own packages offer.
import * as pulumi from "@pulumi/pulumi";
import { MAX_TIMEOUT_MS, resolveSettings } from "./config";
import {
  type FindTaskArgs as FindArgs,
  findTask as find,
  lookupTask,
  parseDuration,
  type TaskInfo,
} from "./lifecycle/lookups";
import { contextFor } from "./lifecycle/task-facts";
import { PlatformClients } from "./platform-clients";

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

const clients = new PlatformClients();

/** Warnings already shown by this program process (each lookup resolves the settings again). */
const warned = new Set<string>();

function session(baseUrl: string | undefined, waitMs = 0) {
  const settings = resolveSettings((key) => pulumi.runtime.getConfig(key));
  for (const warning of settings.warnings) {
    if (warned.has(warning)) continue;
    warned.add(warning);
    // In the program process the engine is at hand: a real warning in `pulumi up`'s output.
    void pulumi.log.warn(warning);
  }
  const { client, url } = clients.for(settings, baseUrl);
  return contextFor(client, url, {
    signal: AbortSignal.timeout(Math.min(MAX_TIMEOUT_MS, settings.operationTimeoutMs + waitMs)),
  });
}

/** A task by id, with its owner and status as IAP has them now. */
export async function getTask(args: GetTaskArgs): Promise<TaskInfo> {
  return lookupTask(session(args.baseUrl), args.taskId);
}

/**
 * Exactly one task of a job by name (and type or status), e.g. the approval task of the job a
 * pipeline just started; `waitFor` ("2m") keeps looking until it appears.
 */
export async function findTask(args: FindTaskArgs): Promise<TaskInfo> {
  const waitMs = args.waitFor === undefined ? 0 : parseDuration(args.waitFor);
  const { baseUrl, ...query } = args;
  return find(session(baseUrl, waitMs), query);
}

export function getTaskOutput(args: Inputs<GetTaskArgs>): pulumi.Output<TaskInfo> {
  return pulumi.output(args as pulumi.Input<GetTaskArgs>).apply((resolved) => getTask(resolved));
}

export function findTaskOutput(args: Inputs<FindTaskArgs>): pulumi.Output<TaskInfo> {
  return pulumi.output(args as pulumi.Input<FindTaskArgs>).apply((resolved) => findTask(resolved));
}
