// The lookups' work in the program process: settings, one client per platform, and the searches.
// Loaded by lookups.ts on the first lookup only (the SDK and zod take 60-90 ms to load, which a
// program that declares resources but looks nothing up should not pay on every preview and up).
import * as pulumi from "@pulumi/pulumi";
import { platformOf } from "./base-url";
import { ConfigurationError, MAX_TIMEOUT_MS, type ProviderSettings, resolveSettings } from "./config";
import {
  findTask as find,
  findWorkItem as findItem,
  lookupTask,
  parseDuration,
  type TaskInfo,
  type WorkItemInfo,
} from "./lifecycle/lookups";
import { contextFor } from "./lifecycle/task-facts";
import type { FindTaskArgs, FindWorkItemArgs, GetTaskArgs } from "./lookups";
import { authHint, PlatformClients } from "./platform-clients";
import { type Provider, providerSettings } from "./provider-resource";

const clients = new PlatformClients();

/** Warnings already shown by this program process (each lookup resolves the settings again). */
const warned = new Set<string>();

/** An Output's value once known; fails (rather than waiting forever) when preview cannot know it. */
async function known<T>(output: pulumi.Output<T>, what: string): Promise<T> {
  // `isKnown` is the SDK's own (untyped) promise; an unknown Output never runs its apply.
  const isKnown = await (output as unknown as { isKnown: Promise<boolean> }).isKnown;
  if (!isKnown)
    throw new ConfigurationError(
      `${what} are not known until the resources they come from are updated: use the lookup's …Output variant`,
    );
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

async function settingsOf(provider: Provider | undefined): Promise<ProviderSettings> {
  if (!provider) return resolveSettings((key) => pulumi.runtime.getConfig(key));
  const { name, values } = providerSettings(provider);
  const resolved = await known(values, `the settings of Provider "${name}"`);
  return resolveSettings(
    (key) => (resolved[key] === undefined || resolved[key] === null ? undefined : String(resolved[key])),
    {},
    { kind: "provider", name },
  );
}

async function session(what: string, provider: Provider | undefined, baseUrl: string | undefined, waitMs: number) {
  const settings = await settingsOf(provider);
  for (const warning of settings.warnings) {
    if (warned.has(warning)) continue;
    warned.add(warning);
    // In the program process the engine is at hand: a real warning in `pulumi up`'s output.
    void pulumi.log.warn(warning);
  }
  const { client, url } = clients.for(settings, baseUrl);
  const ctx = contextFor(client, url, {
    signal: AbortSignal.timeout(Math.min(MAX_TIMEOUT_MS, settings.operationTimeoutMs + waitMs)),
  });
  return { ctx, settings, url, where: `${what} on ${url}` };
}

/**
 * One message per failure, naming the lookup, what it looked for and the platform, without the
 * program's stack trace (a RunError): a missing task or refused login is not a bug in the program.
 */
async function reported<T>(
  what: string,
  provider: Provider | undefined,
  baseUrl: string | undefined,
  work: (ctx: ReturnType<typeof contextFor>) => Promise<T>,
  waitMs: () => number = () => 0,
): Promise<T> {
  let where = baseUrl ? `${what} on ${platformOf(baseUrl)}` : what;
  let hint = "";
  try {
    const opened = await session(what, provider, baseUrl, waitMs());
    where = opened.where;
    try {
      return await work(opened.ctx);
    } catch (error) {
      hint = authHint(error, opened.settings, opened.url);
      throw error;
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new pulumi.RunError(`${where}: ${message.replace(/^(getTask|findTask|findWorkItem): /, "")}${hint}`);
  }
}

export async function getTask(args: GetTaskArgs, provider?: Provider): Promise<TaskInfo> {
  return reported(`getTask(task ${args.taskId})`, provider, args.baseUrl, (ctx) => lookupTask(ctx, args.taskId));
}

export async function findTask(args: FindTaskArgs, provider?: Provider): Promise<TaskInfo> {
  const { baseUrl, ...query } = args;
  return reported(
    `findTask(job ${args.jobId}, "${args.name}")`,
    provider,
    baseUrl,
    (ctx) => find(ctx, query),
    () => (args.waitFor === undefined ? 0 : parseDuration(args.waitFor)),
  );
}

export async function findWorkItem(args: FindWorkItemArgs, provider?: Provider): Promise<WorkItemInfo> {
  const { baseUrl, ...query } = args;
  const of = args.jobId !== undefined ? `job ${args.jobId}` : `execution ${args.executionId}`;
  return reported(
    `findWorkItem(${of}, "${args.name}")`,
    provider,
    baseUrl,
    (ctx) => findItem(ctx, query),
    () => (args.waitFor === undefined ? 0 : parseDuration(args.waitFor)),
  );
}
