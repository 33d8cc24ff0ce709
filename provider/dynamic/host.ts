// The provider side of the dynamic resources: what the stubs (task-claim-provider.ts,
// task-assignment-provider.ts) load by package name in the dynamic-provider process. It holds that
// process's settings and its platform's client (built once, not per call), bounds every operation
// by a deadline, and adapts the lifecycle functions to the dynamic-provider contract. Nothing here
// is serialized into state.
//
// One process serves one provider: the default one (the stack config, `itential:*`), or an
// explicit `Provider` resource (its inputs, ../provider-resource.ts), so one platform and its
// credentials per process.
import { AbortedError, ConnectionError } from "../../sdk";
import { platformOf } from "../base-url";
import {
  type ConfigSource,
  ConfigurationError,
  type ProviderSettings,
  resolveSettings,
  type SettingsOrigin,
  settingName,
} from "../config";
import { type CheckFailure, UNKNOWN } from "../lifecycle/inputs";
import { OutcomeUnknownError } from "../lifecycle/outcome";
import { OneResourcePerTask } from "../lifecycle/ownership";
import {
  checkTaskAssignment,
  createTaskAssignment,
  deleteTaskAssignment,
  diffTaskAssignment,
  readTaskAssignment,
  type StoredTaskAssignment,
  type TaskAssignmentInputs,
  updateTaskAssignment,
} from "../lifecycle/task-assignment";
import {
  checkTaskClaim,
  createTaskClaim,
  type Diff,
  deleteTaskClaim,
  diffTaskClaim,
  readTaskClaim,
  type StoredTaskClaim,
  type TaskClaimInputs,
  updateTaskClaim,
} from "../lifecycle/task-claim";
import { contextFor, type LifecycleContext } from "../lifecycle/task-facts";
import {
  checkWorkItemAssignment,
  createWorkItemAssignment,
  deleteWorkItemAssignment,
  diffWorkItemAssignment,
  readWorkItemAssignment,
  type StoredWorkItemAssignment,
  updateWorkItemAssignment,
  type WorkItemAssignmentInputs,
} from "../lifecycle/work-item-assignment";
import {
  checkWorkItemClaim,
  createWorkItemClaim,
  deleteWorkItemClaim,
  diffWorkItemClaim,
  readWorkItemClaim,
  type StoredWorkItemClaim,
  updateWorkItemClaim,
  type WorkItemClaimInputs,
} from "../lifecycle/work-item-claim";
import { authHint, foreignPlatform, PlatformClients } from "../platform-clients";
import { PROVIDER_NAME_KEY } from "../provider-keys";

let settings: ProviderSettings | ConfigurationError | undefined;
const clients = new PlatformClients();
const tasks = new OneResourcePerTask();

/**
 * Called by the engine (through the stubs) once per provider process: with the stack's
 * configuration for the default provider, with an explicit Provider's inputs (its keys named
 * like the stack config's, and its name under PROVIDER_NAME_KEY) for that provider.
 */
export function configure(config: { get(key: string): unknown }): void {
  const name = config.get(PROVIDER_NAME_KEY);
  const origin: SettingsOrigin = typeof name === "string" ? { kind: "provider", name } : { kind: "stack" };
  settings = settle((key) => {
    const value = config.get(key);
    // An explicit provider's inputs arrive as JSON values (true, 5000); settings are text.
    return value === undefined || value === null ? undefined : String(value);
  }, origin);
}

function settle(
  source: ConfigSource,
  origin: SettingsOrigin = { kind: "stack" },
): ProviderSettings | ConfigurationError {
  clients.clear();
  try {
    const resolved = resolveSettings(source, process.env, origin);
    for (const warning of resolved.warnings) process.stderr.write(`warning: ${warning}\n`);
    return resolved;
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
}

function currentSettings(): ProviderSettings {
  // An engine older than dynamic-provider `configure` never calls it: the environment alone then.
  settings ??= settle(() => undefined);
  if (settings instanceof ConfigurationError) throw settings;
  return settings;
}

/** Runs one operation with its own deadline, on the client of the provider's platform. */
async function withContext<T>(
  what: string,
  taskId: string,
  baseUrl: string | undefined,
  work: (ctx: LifecycleContext) => Promise<T>,
  noun = "task",
) {
  const current = currentSettings();
  let session: ReturnType<PlatformClients["for"]>;
  try {
    session = clients.for(current, baseUrl);
  } catch (error) {
    // The task lives on a platform these credentials are not for (see platform-clients.ts).
    throw new Error(`${what} (${noun} ${taskId}): ${error instanceof Error ? error.message : String(error)}`);
  }
  const signal = AbortSignal.timeout(current.operationTimeoutMs);
  try {
    return await work(contextFor(session.client, session.url, { signal }));
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const cause = error instanceof OutcomeUnknownError ? error.cause : error;
    const message =
      signal.aborted && cause instanceof AbortedError
        ? `${what} gave up after ${current.operationTimeoutMs} ms (${settingName("operationTimeoutMs", current.source)}): ${error.message}`
        : `${error.message}${tlsHint(cause instanceof Error ? cause : error)}${authHint(cause, current, session.url)}`;
    // Only the message travels on (the SDK's errors keep request details a log need not see),
    // and, for a write whose outcome is unknown, what state should record.
    // Every message names the operation and the task: the SDK's (a refused login) name neither.
    const named = /^(Task|WorkItem)(Claim|Assignment)\b/.test(message)
      ? message
      : `${what} (${noun} ${taskId}): ${message}`;
    if (error instanceof OutcomeUnknownError) throw new OutcomeUnknownError(named, undefined, error.recorded);
    throw new Error(named);
  }
}

/**
 * For read and delete, whose errors Pulumi's dynamic-provider host prints to stderr as
 * `${error}: ${error.stack}` before the engine reports them: without the stack, the message is
 * printed once there and once by the engine, instead of three times with a trace. (Create and
 * update errors go to the engine alone.)
 */
function quiet(error: unknown): never {
  if (!(error instanceof Error)) throw error;
  const message = error.message;
  throw Object.assign(error, { stack: "", toString: () => message });
}

/** TLS refusals, in the settings that fix them: the error codes alone send people searching. */
function tlsHint(error: Error): string {
  if (!(error instanceof ConnectionError) || error.code === undefined) return "";
  if (/CERT_ALTNAME|ERR_TLS_CERT_ALTNAME_INVALID/.test(error.code)) {
    return ". The platform's certificate is not issued for this host name: use the name it was issued for in itential:baseUrl";
  }
  if (/CERTIFICATE_REQUIRED|ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA/.test(error.code)) {
    return ". The platform asks for a client certificate it accepts: set itential:clientCert and itential:clientKey";
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)/.test(error.code)) {
    return ". The platform's certificate is not trusted: set itential:caCert (or ITENTIAL_CA_FILE) to the CA that signed it";
  }
  return "";
}

/**
 * The engine's "created (or updated), but not initialised" error: thrown by create or update with
 * an `id`, `properties` and `reasons`, it makes the engine record the resource with `properties`
 * as its outputs and the reasons as its init errors, fail the run, and update the resource on the
 * next `up` whatever the diff says. That is how a claim whose outcome is unknown gets into state
 * instead of being forgotten. The properties need `__provider` (the engine adds it only to a
 * success), or the next refresh or destroy could not load the provider.
 */
function possiblyApplied(error: unknown, id: string, news: object): unknown {
  if (!(error instanceof OutcomeUnknownError) || !error.recorded) return error;
  const provider = (news as { __provider?: unknown }).__provider;
  return Object.assign(new Error(error.message), {
    id,
    properties: { ...defined(error.recorded), ...(provider !== undefined ? { __provider: provider } : {}) },
    reasons: [error.message],
  });
}

/** Drops unset values: state holds only what is known. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

interface CheckAnswer<T> {
  inputs: T;
  failures: CheckFailure[];
}

/**
 * Inputs checked again where they are used: the engine runs `check` first, but inputs it could not
 * know at preview arrive resolved only here, and a create or update must not send anything the
 * check would refuse (an accounts search for an invisible username, a claim with takeOver "yes").
 */
function checked<T>(name: string, check: (news: Record<string, unknown>) => { failures: CheckFailure[] }, inputs: T) {
  const { failures } = check(inputs as Record<string, unknown>);
  if (failures.length > 0) {
    throw new Error(`${name} has invalid inputs: ${failures.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
  }
}

/** The dynamic-provider methods of one resource kind, over its lifecycle functions. */
interface Placed {
  baseUrl?: string;
}

/** Which input names the held thing: `taskId` (a task) or `workItemId` (a Work Center item). */
interface Identity {
  key: "taskId" | "workItemId";
  noun: string;
}

const TASK_IDENTITY: Identity = { key: "taskId", noun: "task" };

interface Kind<Inputs extends Placed, State extends Placed & { platformUrl?: string }> {
  check(olds: unknown, news: Record<string, unknown>): Promise<CheckAnswer<Inputs>>;
  diff(id: string, olds: State, news: Inputs): Promise<Omit<Diff, "reasons">>;
  create(inputs: Inputs): Promise<{ id: string; outs: State }>;
  read(id: string, props: State): Promise<{ id: string; props: State | Record<string, never> }>;
  update(id: string, olds: State, news: Inputs): Promise<{ outs: State }>;
  delete(id: string, props: State): Promise<void>;
}

/** Why the provider cannot serve any resource (its configuration), as check failures. */
function configurationFailures(): { settings?: ProviderSettings; failures: CheckFailure[] } {
  try {
    return { settings: currentSettings(), failures: [] };
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    // One failure naming every key to fix; no stack trace (the dynamic provider prints one for a
    // thrown error, three times over).
    return { failures: [{ property: "", reason: error.message }] };
  }
}

function kind<Inputs extends Placed, State extends Placed & { platformUrl?: string }>(
  name: string,
  identity: Identity,
  rules: {
    check(news: Record<string, unknown>): { inputs: Inputs; failures: CheckFailure[] };
    diff(olds: State, news: Inputs, configuredUrl?: string): Diff;
    create(ctx: LifecycleContext, inputs: Inputs): Promise<State>;
    read(ctx: LifecycleContext, state: State): Promise<State | undefined>;
    update(ctx: LifecycleContext, olds: State, news: Inputs): Promise<State>;
    delete(ctx: LifecycleContext, state: State): Promise<void>;
  },
): Kind<Inputs, State> {
  const { key, noun } = identity;
  const idOf = (value: object | undefined): string => (value as Record<string, string> | undefined)?.[key] as string;
  return {
    async check(_olds, news) {
      // Preview fails here, before anything runs, when the provider cannot be configured.
      const { settings: configured, failures } = configurationFailures();
      const checked = rules.check(news);
      checked.failures.push(...failures);
      if (!configured) return checked;
      // A baseUrl the input check refused (not a URL, not a string) has its one failure already.
      const baseUrl = checked.failures.some((f) => f.property === "baseUrl") ? UNKNOWN : checked.inputs.baseUrl;
      const refused = baseUrl === UNKNOWN ? undefined : foreignPlatform(configured, baseUrl);
      if (refused) checked.failures.push({ property: baseUrl === undefined ? "" : "baseUrl", reason: refused });
      if (checked.failures.length === 0 && configured.baseUrl !== undefined && idOf(checked.inputs) !== UNKNOWN) {
        const twice = tasks.note(platformOf(configured.baseUrl), idOf(checked.inputs), name, noun);
        if (twice) checked.failures.push({ property: key, reason: twice });
      }
      return checked;
    },
    async diff(_id, olds, news) {
      // The provider's URL decides where a resource lives (see replacements).
      let configuredUrl: string | undefined;
      try {
        configuredUrl = currentSettings().baseUrl;
      } catch {
        configuredUrl = undefined; // check has reported it
      }
      const diff = rules.diff(olds, news, configuredUrl);
      // The plan says why: the dynamic-provider protocol carries no detailed diff, but this
      // process's stderr is shown with the stack's diagnostics in preview and up.
      for (const reason of diff.reasons) process.stderr.write(`${reason}\n`);
      return { changes: diff.changes, replaces: diff.replaces, deleteBeforeReplace: diff.deleteBeforeReplace };
    },
    async create(inputs) {
      checked(name, rules.check, inputs);
      try {
        const state = await withContext(
          `${name} create`,
          idOf(inputs),
          inputs.baseUrl,
          (ctx) => rules.create(ctx, inputs),
          noun,
        );
        return { id: idOf(state), outs: defined(state) };
      } catch (error) {
        throw possiblyApplied(error, idOf(inputs), inputs);
      }
    },
    async read(id, props) {
      const state = { ...props, [key]: idOf(props) ?? id } as State;
      // The platform state recorded: a provider now set up for another one refuses (platform-clients.ts).
      const found = await withContext(
        `${name} read`,
        idOf(state),
        state.platformUrl ?? state.baseUrl,
        (ctx) => rules.read(ctx, state),
        noun,
      ).catch(quiet);
      // An empty id tells the engine the resource is gone.
      return found ? { id, props: defined(found) } : { id: "", props: {} };
    },
    async update(id, olds, news) {
      checked(name, rules.check, news);
      try {
        const state = await withContext(
          `${name} update`,
          idOf(news),
          news.baseUrl,
          (ctx) => rules.update(ctx, olds, news),
          noun,
        );
        return { outs: defined(state) };
      } catch (error) {
        throw possiblyApplied(error, id, news);
      }
    },
    async delete(_id, props) {
      await withContext(
        `${name} delete`,
        idOf(props),
        props.platformUrl ?? props.baseUrl,
        (ctx) => rules.delete(ctx, props),
        noun,
      ).catch(quiet);
    },
  };
}

export const taskClaim = kind<TaskClaimInputs, StoredTaskClaim>("TaskClaim", TASK_IDENTITY, {
  check: checkTaskClaim,
  diff: diffTaskClaim,
  create: createTaskClaim,
  read: readTaskClaim,
  update: updateTaskClaim,
  delete: deleteTaskClaim,
});

export const taskAssignment = kind<TaskAssignmentInputs, StoredTaskAssignment>("TaskAssignment", TASK_IDENTITY, {
  check: checkTaskAssignment,
  diff: diffTaskAssignment,
  create: createTaskAssignment,
  read: readTaskAssignment,
  update: updateTaskAssignment,
  delete: deleteTaskAssignment,
});

const WORK_ITEM_IDENTITY: Identity = { key: "workItemId", noun: "work item" };

export const workItemClaim = kind<WorkItemClaimInputs, StoredWorkItemClaim>("WorkItemClaim", WORK_ITEM_IDENTITY, {
  check: checkWorkItemClaim,
  diff: diffWorkItemClaim,
  create: createWorkItemClaim,
  read: readWorkItemClaim,
  update: updateWorkItemClaim,
  delete: deleteWorkItemClaim,
});

export const workItemAssignment = kind<WorkItemAssignmentInputs, StoredWorkItemAssignment>(
  "WorkItemAssignment",
  WORK_ITEM_IDENTITY,
  {
    check: checkWorkItemAssignment,
    diff: diffWorkItemAssignment,
    create: createWorkItemAssignment,
    read: readWorkItemAssignment,
    update: updateWorkItemAssignment,
    delete: deleteWorkItemAssignment,
  },
);
