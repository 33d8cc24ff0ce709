// The native plugin's provider, in plain values: what each ResourceProvider call does, over the
// lifecycle functions and the provider session (../provider-session.ts) that the dynamic provider
// uses too. server.ts only moves these values on and off the wire; nothing here knows gRPC.
import { ConfigurationError, resolveSettings, SETTINGS, type SettingName, type SettingsOrigin } from "../config";
import type { CheckFailure, CheckOutcome } from "../lifecycle/inputs";
import {
  type FindTaskArgs,
  type FindWorkItemArgs,
  findTask,
  findWorkItem,
  lookupTask,
  parseDuration,
  type TaskInfo,
  type WorkItemInfo,
} from "../lifecycle/lookups";
import { OutcomeUnknownError } from "../lifecycle/outcome";
import {
  checkTaskAssignment,
  createTaskAssignment,
  deleteTaskAssignment,
  detailedDiffTaskAssignment,
  importTaskAssignment,
  readTaskAssignment,
  type StoredTaskAssignment,
  type TaskAssignmentInputs,
  updateTaskAssignment,
} from "../lifecycle/task-assignment";
import {
  checkTaskClaim,
  createTaskClaim,
  type DetailedDiff,
  deleteTaskClaim,
  detailedDiffTaskClaim,
  importTaskClaim,
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
  detailedDiffWorkItemAssignment,
  importWorkItemAssignment,
  readWorkItemAssignment,
  type StoredWorkItemAssignment,
  updateWorkItemAssignment,
  type WorkItemAssignmentInputs,
} from "../lifecycle/work-item-assignment";
import {
  checkWorkItemClaim,
  createWorkItemClaim,
  deleteWorkItemClaim,
  detailedDiffWorkItemClaim,
  importWorkItemClaim,
  readWorkItemClaim,
  type StoredWorkItemClaim,
  updateWorkItemClaim,
  type WorkItemClaimInputs,
} from "../lifecycle/work-item-claim";
import {
  checkedAgain,
  defined,
  type Identity,
  type Placed,
  ProviderSession,
  TASK,
  WORK_ITEM,
} from "../provider-session";
import {
  FIND_TASK,
  FIND_WORK_ITEM,
  GET_TASK,
  INPUTS,
  TASK_ASSIGNMENT,
  TASK_CLAIM,
  WORK_ITEM_ASSIGNMENT,
  WORK_ITEM_CLAIM,
} from "./schema";
import { hasUnknown, type Plain, UNKNOWN, unwrap, wrap } from "./values";

/** How a property differs, as the engine's PropertyDiff.Kind numbers it. */
export enum DiffKind {
  ADD = 0,
  ADD_REPLACE = 1,
  DELETE = 2,
  DELETE_REPLACE = 3,
  UPDATE = 4,
  UPDATE_REPLACE = 5,
}

export interface NativeDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Property name to how it differs, and whether it is an input (`owner` is not). */
  detailed: Record<string, { kind: DiffKind; inputDiff: boolean }>;
  /** Why, in words: shown with the resource in preview and up (the engine's log). */
  reasons: string[];
}

/**
 * A create or update that may have happened (its outcome is unknown): the engine records `id` and
 * `properties` and fails the run, instead of forgetting a claim (ErrorResourceInitFailed).
 */
export class ResourceInitError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Plain,
    readonly reasons: string[],
  ) {
    super(message);
  }
}

/** The rules of one resource kind: all lifecycle functions, and which input names what it holds. */
interface Rules<Inputs extends Placed, State extends Placed & { platformUrl?: string }> {
  kind: string;
  identity: Identity;
  check(news: Record<string, unknown>): CheckOutcome<Inputs>;
  diff(olds: State, news: Inputs, configuredUrl?: string): DetailedDiff;
  create(ctx: LifecycleContext, inputs: Inputs): Promise<State>;
  read(ctx: LifecycleContext, state: State): Promise<State | undefined>;
  import(ctx: LifecycleContext, id: string): Promise<State>;
  update(ctx: LifecycleContext, olds: State, news: Inputs): Promise<State>;
  delete(ctx: LifecycleContext, state: State): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: one table over four resource kinds with their own types
const RULES: Record<string, Rules<any, any>> = {
  [TASK_CLAIM]: {
    kind: "TaskClaim",
    identity: TASK,
    check: checkTaskClaim,
    diff: detailedDiffTaskClaim,
    create: createTaskClaim,
    read: readTaskClaim,
    import: importTaskClaim,
    update: updateTaskClaim,
    delete: deleteTaskClaim,
  } satisfies Rules<TaskClaimInputs, StoredTaskClaim>,
  [TASK_ASSIGNMENT]: {
    kind: "TaskAssignment",
    identity: TASK,
    check: checkTaskAssignment,
    diff: detailedDiffTaskAssignment,
    create: createTaskAssignment,
    read: readTaskAssignment,
    import: importTaskAssignment,
    update: updateTaskAssignment,
    delete: deleteTaskAssignment,
  } satisfies Rules<TaskAssignmentInputs, StoredTaskAssignment>,
  [WORK_ITEM_CLAIM]: {
    kind: "WorkItemClaim",
    identity: WORK_ITEM,
    check: checkWorkItemClaim,
    diff: detailedDiffWorkItemClaim,
    create: createWorkItemClaim,
    read: readWorkItemClaim,
    import: importWorkItemClaim,
    update: updateWorkItemClaim,
    delete: deleteWorkItemClaim,
  } satisfies Rules<WorkItemClaimInputs, StoredWorkItemClaim>,
  [WORK_ITEM_ASSIGNMENT]: {
    kind: "WorkItemAssignment",
    identity: WORK_ITEM,
    check: checkWorkItemAssignment,
    diff: detailedDiffWorkItemAssignment,
    create: createWorkItemAssignment,
    read: readWorkItemAssignment,
    import: importWorkItemAssignment,
    update: updateWorkItemAssignment,
    delete: deleteWorkItemAssignment,
  } satisfies Rules<WorkItemAssignmentInputs, StoredWorkItemAssignment>,
};

/** The id of what a resource holds (its task or work item), under its identity's key. */
function idOf(rules: Rules<Placed, Placed>, value: Placed | Plain): string {
  return (value as Record<string, unknown>)[rules.identity.key] as string;
}

function rulesOf(type: string) {
  const rules = RULES[type];
  if (!rules) throw new Error(`the itential provider has no resource type ${type}`);
  return rules;
}

/** The provider's name in a URN (`…::pulumi:providers:itential::staging`), and whether it is the default one. */
export function originOf(urn: string): SettingsOrigin {
  const name = urn.split("::").pop() ?? "";
  // The engine names default providers `default` or `default_<version>`.
  return name === "" || /^default(_\d+_\d+_\d+.*)?$/.test(name) ? { kind: "stack" } : { kind: "provider", name };
}

/** Config keys that are not settings (the engine adds `version`). */
const ENGINE_KEYS = new Set(["version", "pluginDownloadURL"]);

/**
 * The key under which CheckConfig records which provider the inputs belong to: `default` (the
 * stack config; the environment may fill it) or `provider:<name>` (an explicit provider; never the
 * environment). Configure reads it from its args: on destroy and refresh the engine loads
 * providers from state and calls Configure alone, and older engines' Configure names no URN, so
 * without it an explicit provider could not be told from the default one, and would be filled
 * from ITENTIAL_* (another platform's credentials sent to its platform). Bookkeeping, not a
 * setting: DiffConfig ignores it.
 */
export const ORIGIN_KEY = "itentialProviderOrigin";

function originText(origin: SettingsOrigin): string {
  return origin.kind === "stack" ? "default" : `provider:${origin.name}`;
}

function originFrom(value: unknown): SettingsOrigin | undefined {
  if (value === "default") return { kind: "stack" };
  if (typeof value === "string" && value.startsWith("provider:")) {
    return { kind: "provider", name: value.slice("provider:".length) };
  }
  return undefined;
}

/** A config value as settings read it: text. */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

export class NativeProvider {
  readonly session: ProviderSession;
  /** Configure was given values not known yet (preview of a provider whose inputs come from resources). */
  #unknownConfig = false;

  readonly warn: (message: string) => void;

  constructor(warn: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`)) {
    this.warn = warn;
    this.session = new ProviderSession(warn);
  }

  /**
   * CheckConfig: every problem of the provider's configuration in one failure, naming each bad
   * key (unknown keys included: a typo must not silently fall back to the environment), and the
   * inputs to record with every secret setting wrapped as a secret, whatever the program gave.
   */
  checkConfig(urn: string, news: Plain): { inputs: Plain; failures: CheckFailure[] } {
    const { values, secrets } = unwrap(news);
    const origin = originOf(urn);
    const problems: string[] = [];
    const settings = new Set(Object.keys(SETTINGS));
    const unknownKeys = Object.keys(values).filter((k) => !settings.has(k) && !ENGINE_KEYS.has(k));
    if (unknownKeys.length > 0) {
      problems.push(
        `${unknownKeys.map((k) => (origin.kind === "stack" ? `itential:${k}` : `"${k}"`)).join(", ")} ` +
          `${unknownKeys.length === 1 ? "is not a setting" : "are not settings"} of the itential provider (known: ${[...settings].join(", ")})`,
      );
    }
    if (!hasUnknown(values)) {
      try {
        resolveSettings((key) => text(values[key.replace(/^itential:/, "")]), process.env, origin);
      } catch (error) {
        if (!(error instanceof ConfigurationError)) throw error;
        problems.push(error.message);
      }
    }
    for (const name of Object.keys(SETTINGS) as SettingName[]) if (SETTINGS[name].secret) secrets.add(name);
    return {
      inputs: { ...wrap(values, secrets), [ORIGIN_KEY]: originText(origin) },
      failures: problems.length > 0 ? [{ property: "", reason: problems.join("; ") }] : [],
    };
  }

  /** DiffConfig: which settings changed. Never a replace: resources decide what a new platform means. */
  diffConfig(olds: Plain, news: Plain): NativeDiff {
    const before = unwrap(olds).values;
    const after = unwrap(news).values;
    const detailed: NativeDiff["detailed"] = {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (ENGINE_KEYS.has(key) || key === ORIGIN_KEY || text(before[key]) === text(after[key])) continue;
      const kind =
        before[key] === undefined ? DiffKind.ADD : after[key] === undefined ? DiffKind.DELETE : DiffKind.UPDATE;
      detailed[key] = { kind, inputDiff: true };
    }
    const changes = Object.keys(detailed).length > 0;
    return { changes, replaces: [], deleteBeforeReplace: false, detailed, reasons: [] };
  }

  /**
   * Configure: the settings of this provider process (the default provider's, or an explicit
   * one's). Which one it is comes from the engine's URN, else from what CheckConfig recorded in the
   * inputs (ORIGIN_KEY), else from CheckConfig's URN (`checkedUrn`). Not known at all (state
   * written before the key, and an engine whose Configure names no URN): the settings given alone,
   * never the environment, whose credentials may be for another platform.
   */
  configure(urn: string | undefined, args: Plain, checkedUrn?: string): void {
    const { values } = unwrap(args);
    this.#unknownConfig = hasUnknown(values);
    if (this.#unknownConfig) return;
    const recorded = originFrom(values[ORIGIN_KEY]);
    const origin = urn ? originOf(urn) : (recorded ?? (checkedUrn ? originOf(checkedUrn) : undefined));
    const source = (key: string) => text(values[key.replace(/^itential:/, "")]);
    if (origin) {
      this.session.configure(source, origin);
      return;
    }
    this.session.configure(source, { kind: "stack" }, {});
    this.warn(
      "the engine did not say which provider this is (state written by an earlier pulumi-itential, and an engine " +
        "whose Configure names no provider), so the ITENTIAL_* environment variables were not read for it; " +
        "run `pulumi up` once to record it",
    );
  }

  /** `urn`: the resource checked (a replacement is checked again under the same URN). */
  check(type: string, news: Plain, urn?: string): { inputs: Plain; failures: CheckFailure[] } {
    const rules = rulesOf(type);
    const { values, secrets } = unwrap(news);
    const checked = rules.check(values);
    // A provider whose settings are not known yet (preview) cannot say more.
    const outcome = this.#unknownConfig
      ? checked
      : this.session.check(rules.kind, checked, urn || undefined, rules.identity);
    return { inputs: wrap(defined(outcome.inputs as Plain), secrets), failures: outcome.failures };
  }

  diff(type: string, olds: Plain, news: Plain, urn?: string): NativeDiff {
    const rules = rulesOf(type);
    const before = unwrap(olds).values;
    const after = unwrap(news).values;
    const diff = rules.diff(before, after, this.#unknownConfig ? UNKNOWN : this.session.configuredUrl());
    if (!this.#unknownConfig) this.session.diffed(after as Placed, diff.replaces, urn || undefined, rules.identity);
    const detailed: NativeDiff["detailed"] = {};
    for (const property of diff.properties) {
      const replace = diff.replaces.includes(property);
      const input = property !== "owner";
      const kind =
        input && before[property] === undefined
          ? replace
            ? DiffKind.ADD_REPLACE
            : DiffKind.ADD
          : input && after[property] === undefined
            ? replace
              ? DiffKind.DELETE_REPLACE
              : DiffKind.DELETE
            : replace
              ? DiffKind.UPDATE_REPLACE
              : DiffKind.UPDATE;
      detailed[property] = { kind, inputDiff: input };
    }
    return {
      changes: diff.changes,
      replaces: diff.replaces,
      deleteBeforeReplace: diff.deleteBeforeReplace,
      detailed,
      reasons: diff.reasons,
    };
  }

  async create(type: string, news: Plain): Promise<{ id: string; properties: Plain }> {
    const rules = rulesOf(type);
    const { values, secrets } = unwrap(news);
    checkedAgain(rules.kind, rules.check, values);
    const inputs = values as Placed;
    const { noun } = rules.identity;
    try {
      const state = await this.session.run(
        `${rules.kind} create`,
        idOf(rules, inputs),
        inputs.baseUrl,
        (ctx) => rules.create(ctx, inputs),
        0,
        noun,
      );
      return { id: idOf(rules, state), properties: wrap(defined(state), secrets) };
    } catch (error) {
      throw possiblyApplied(error, idOf(rules, inputs), secrets);
    }
  }

  /**
   * Refresh (state given), or `pulumi import` (the id alone): an import adopts what the platform
   * shows, or fails naming the holder (the lifecycle's import rules). An empty id: gone.
   */
  async read(
    type: string,
    id: string,
    props: Plain,
    oldInputs: Plain,
  ): Promise<{ id: string; properties: Plain; inputs: Plain }> {
    const rules = rulesOf(type);
    const { values, secrets } = unwrap(props);
    const inputSecrets = unwrap(oldInputs).secrets;
    const { noun } = rules.identity;
    if (idOf(rules, values) === undefined) {
      const state = await this.session.run(
        `${rules.kind} import`,
        id,
        undefined,
        (ctx) => rules.import(ctx, id),
        0,
        noun,
      );
      const properties = defined(state as Plain);
      return { id: idOf(rules, state), properties, inputs: inputsOf(type, properties) };
    }
    const stored = values as Placed & { platformUrl?: string };
    const found = await this.session.run(
      `${rules.kind} read`,
      idOf(rules, stored),
      stored.platformUrl ?? stored.baseUrl,
      (ctx) => rules.read(ctx, stored),
      0,
      noun,
    );
    if (!found) return { id: "", properties: {}, inputs: {} };
    const properties = defined(found as Plain);
    return {
      id,
      properties: wrap(properties, secrets),
      inputs: wrap(
        Object.keys(oldInputs).length > 0 ? unwrap(oldInputs).values : inputsOf(type, properties),
        inputSecrets,
      ),
    };
  }

  async update(type: string, id: string, olds: Plain, news: Plain): Promise<Plain> {
    const rules = rulesOf(type);
    const before = unwrap(olds).values;
    const { values, secrets } = unwrap(news);
    checkedAgain(rules.kind, rules.check, values);
    const inputs = values as Placed;
    try {
      const state = await this.session.run(
        `${rules.kind} update`,
        idOf(rules, inputs),
        inputs.baseUrl,
        (ctx) => rules.update(ctx, before, inputs),
        0,
        rules.identity.noun,
      );
      return wrap(defined(state), secrets);
    } catch (error) {
      throw possiblyApplied(error, id, secrets);
    }
  }

  async delete(type: string, props: Plain): Promise<void> {
    const rules = rulesOf(type);
    const state = unwrap(props).values as Placed & { platformUrl?: string };
    await this.session.run(
      `${rules.kind} delete`,
      idOf(rules, state),
      state.platformUrl ?? state.baseUrl,
      (ctx) => rules.delete(ctx, state),
      0,
      rules.identity.noun,
    );
  }

  /** getTask, findTask and findWorkItem: read-only, safe in preview. */
  async invoke(token: string, args: Plain): Promise<{ result?: TaskInfo | WorkItemInfo; failures: CheckFailure[] }> {
    const { values } = unwrap(args);
    const baseUrl = typeof values.baseUrl === "string" ? values.baseUrl : undefined;
    if (token === GET_TASK) {
      if (typeof values.taskId !== "string" || values.taskId === "") {
        return { failures: [{ property: "taskId", reason: "is required: the task's id (a UUID)" }] };
      }
      const taskId = values.taskId;
      return {
        result: await this.session.run("getTask", taskId, baseUrl, (ctx) => lookupTask(ctx, taskId)),
        failures: [],
      };
    }
    if (token === FIND_TASK) {
      const args = values as unknown as FindTaskArgs;
      const waitMs = args.waitFor === undefined ? 0 : parseDuration(args.waitFor);
      const what = `"${String(args.name)}" in job ${String(args.jobId)}`;
      const result = await this.session.run("findTask", what, baseUrl, (ctx) => findTask(ctx, args), waitMs);
      return { result, failures: [] };
    }
    if (token === FIND_WORK_ITEM) {
      const args = values as unknown as FindWorkItemArgs;
      const waitMs = args.waitFor === undefined ? 0 : parseDuration(args.waitFor);
      const of = args.executionId !== undefined ? `execution ${String(args.executionId)}` : `job ${String(args.jobId)}`;
      const what = `"${String(args.name)}" of ${of}`;
      const result = await this.session.run(
        "findWorkItem",
        what,
        baseUrl,
        (ctx) => findWorkItem(ctx, args),
        waitMs,
        "work item",
      );
      return { result, failures: [] };
    }
    throw new Error(`the itential provider has no function ${token}`);
  }
}

/** The inputs a resource read by id alone is recorded with: what `pulumi import` writes into the program. */
function inputsOf(type: string, properties: Plain): Plain {
  return Object.fromEntries(
    (INPUTS[type] ?? []).filter((k) => properties[k] !== undefined).map((k) => [k, properties[k]]),
  );
}

/** A write whose outcome is unknown: recorded (not forgotten) and the run failed. */
function possiblyApplied(error: unknown, id: string, secrets: ReadonlySet<string>): unknown {
  if (!(error instanceof OutcomeUnknownError) || !error.recorded) return error;
  return new ResourceInitError(error.message, id, wrap(defined(error.recorded as Plain), secrets), [error.message]);
}
