// The lookups' work in the program process: settings, one client per platform, and the searches.
// Loaded by lookups.ts on the first lookup only (the SDK and zod take 60-90 ms to load, which a
// program that declares resources but looks nothing up should not pay on every preview and up).
import * as pulumi from "@pulumi/pulumi";
import { MAX_TIMEOUT_MS, resolveSettings } from "./config";
import { findTask as find, lookupTask, parseDuration, type TaskInfo } from "./lifecycle/lookups";
import { contextFor } from "./lifecycle/task-facts";
import type { FindTaskArgs, GetTaskArgs } from "./lookups";
import { PlatformClients } from "./platform-clients";

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

export async function getTask(args: GetTaskArgs): Promise<TaskInfo> {
  return lookupTask(session(args.baseUrl), args.taskId);
}

export async function findTask(args: FindTaskArgs): Promise<TaskInfo> {
  const waitMs = args.waitFor === undefined ? 0 : parseDuration(args.waitFor);
  const { baseUrl, ...query } = args;
  return find(session(baseUrl, waitMs), query);
}
