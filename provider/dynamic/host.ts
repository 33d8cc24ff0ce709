// The provider side of the dynamic resources: what the stubs (task-claim-provider.ts,
// task-assignment-provider.ts) load by package name in the dynamic-provider process. It holds that
// process's settings and its platform's client (built once, not per call), bounds every operation
// by a deadline, and adapts the lifecycle functions to the dynamic-provider contract. Nothing here
// is serialized into state.
//
// One process serves one provider: the default one (the stack config, `itential:*`), or an
// explicit `Provider` resource (its inputs, ../provider-resource.ts), so one platform and its
// credentials per process.
import type { SettingsOrigin } from "../config";
import type { CheckFailure } from "../lifecycle/inputs";
import { OutcomeUnknownError } from "../lifecycle/outcome";
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
import type { LifecycleContext } from "../lifecycle/task-facts";
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
import { PROVIDER_NAME_KEY } from "../provider-keys";
import {
  checkedAgain,
  defined,
  type Identity,
  type Placed,
  ProviderSession,
  TASK,
  WORK_ITEM,
} from "../provider-session";

// Settings, clients, and the rules every front end shares (configuration failures, foreign
// platforms, one resource per task, error context): ../provider-session.ts.
const session = new ProviderSession();

/**
 * Called by the engine (through the stubs) once per provider process: with the stack's
 * configuration for the default provider, with an explicit Provider's inputs (its keys named
 * like the stack config's, and its name under PROVIDER_NAME_KEY) for that provider.
 */
export function configure(config: { get(key: string): unknown }): void {
  const name = config.get(PROVIDER_NAME_KEY);
  const origin: SettingsOrigin = typeof name === "string" ? { kind: "provider", name } : { kind: "stack" };
  session.configure((key) => {
    const value = config.get(key);
    // An explicit provider's inputs arrive as JSON values (true, 5000); settings are text.
    return value === undefined || value === null ? undefined : String(value);
  }, origin);
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

interface CheckAnswer<T> {
  inputs: T;
  failures: CheckFailure[];
}

/** The dynamic-provider methods of one resource kind, over its lifecycle functions. */
interface Kind<Inputs extends Placed, State extends Placed & { platformUrl?: string }> {
  check(olds: unknown, news: Record<string, unknown>): Promise<CheckAnswer<Inputs>>;
  diff(id: string, olds: State, news: Inputs): Promise<Omit<Diff, "reasons">>;
  create(inputs: Inputs): Promise<{ id: string; outs: State }>;
  read(id: string, props: State): Promise<{ id: string; props: State | Record<string, never> }>;
  update(id: string, olds: State, news: Inputs): Promise<{ outs: State }>;
  delete(id: string, props: State): Promise<void>;
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
      return session.check(name, rules.check(news), undefined, identity);
    },
    async diff(_id, olds, news) {
      // The provider's URL decides where a resource lives (see replacements); a configuration
      // that failed has been reported by check.
      const configuredUrl = session.configuredUrl();
      const diff = rules.diff(olds, news, configuredUrl);
      session.diffed(news, diff.replaces, undefined, identity);
      // The plan says why: the dynamic-provider protocol carries no detailed diff, but this
      // process's stderr is shown with the stack's diagnostics in preview and up.
      for (const reason of diff.reasons) process.stderr.write(`${reason}\n`);
      return { changes: diff.changes, replaces: diff.replaces, deleteBeforeReplace: diff.deleteBeforeReplace };
    },
    async create(inputs) {
      checkedAgain(name, rules.check, inputs);
      try {
        const state = await session.run(
          `${name} create`,
          idOf(inputs),
          inputs.baseUrl,
          (ctx) => rules.create(ctx, inputs),
          0,
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
      const found = await session
        .run(`${name} read`, idOf(state), state.platformUrl ?? state.baseUrl, (ctx) => rules.read(ctx, state), 0, noun)
        .catch(quiet);
      // An empty id tells the engine the resource is gone.
      return found ? { id, props: defined(found) } : { id: "", props: {} };
    },
    async update(id, olds, news) {
      checkedAgain(name, rules.check, news);
      try {
        const state = await session.run(
          `${name} update`,
          idOf(news),
          news.baseUrl,
          (ctx) => rules.update(ctx, olds, news),
          0,
          noun,
        );
        return { outs: defined(state) };
      } catch (error) {
        throw possiblyApplied(error, id, news);
      }
    },
    async delete(_id, props) {
      await session
        .run(
          `${name} delete`,
          idOf(props),
          props.platformUrl ?? props.baseUrl,
          (ctx) => rules.delete(ctx, props),
          0,
          noun,
        )
        .catch(quiet);
    },
  };
}

export const taskClaim = kind<TaskClaimInputs, StoredTaskClaim>("TaskClaim", TASK, {
  check: checkTaskClaim,
  diff: diffTaskClaim,
  create: createTaskClaim,
  read: readTaskClaim,
  update: updateTaskClaim,
  delete: deleteTaskClaim,
});

export const taskAssignment = kind<TaskAssignmentInputs, StoredTaskAssignment>("TaskAssignment", TASK, {
  check: checkTaskAssignment,
  diff: diffTaskAssignment,
  create: createTaskAssignment,
  read: readTaskAssignment,
  update: updateTaskAssignment,
  delete: deleteTaskAssignment,
});

export const workItemClaim = kind<WorkItemClaimInputs, StoredWorkItemClaim>("WorkItemClaim", WORK_ITEM, {
  check: checkWorkItemClaim,
  diff: diffWorkItemClaim,
  create: createWorkItemClaim,
  read: readWorkItemClaim,
  update: updateWorkItemClaim,
  delete: deleteWorkItemClaim,
});

export const workItemAssignment = kind<WorkItemAssignmentInputs, StoredWorkItemAssignment>(
  "WorkItemAssignment",
  WORK_ITEM,
  {
    check: checkWorkItemAssignment,
    diff: diffWorkItemAssignment,
    create: createWorkItemAssignment,
    read: readWorkItemAssignment,
    update: updateWorkItemAssignment,
    delete: deleteWorkItemAssignment,
  },
);
