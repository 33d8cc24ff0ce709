// What one provider process holds and enforces, whichever front end serves it (the dynamic
// provider, dynamic/host.ts, or the native plugin, native/server.ts): its settings, one client per
// platform, the one-resource-per-task register, and the rules an adapter must not restate:
// - configuration failures reported at check, as one failure naming every key to fix;
// - a resource's own baseUrl naming another platform refused at check (credentials stay home);
// - two resources of one provider on one task refused at check;
// - every operation bounded by the operation deadline, and its error naming the operation and the
//   task, with the setting that fixes it (TLS, refused credentials, deadline).
import { AbortedError, ConnectionError, ValidationError } from "../sdk";
import { platformOf } from "./base-url";
import {
  type ConfigSource,
  ConfigurationError,
  MAX_TIMEOUT_MS,
  type ProviderSettings,
  resolveSettings,
  type SettingsOrigin,
  settingName,
} from "./config";
import { type CheckFailure, type CheckOutcome, UNKNOWN } from "./lifecycle/inputs";
import { OutcomeUnknownError } from "./lifecycle/outcome";
import { OneResourcePerTask } from "./lifecycle/ownership";
import { contextFor, type LifecycleContext } from "./lifecycle/task-facts";
import { authHint, foreignPlatform, PlatformClients } from "./platform-clients";

/** Where a resource's task or work item lives: its id (under its Identity's key) and the platform it names, if any. */
export interface Placed {
  taskId?: string;
  workItemId?: string;
  baseUrl?: string;
}

/** Which input names the held thing: `taskId` (a task) or `workItemId` (a Work Center item). */
export interface Identity {
  key: "taskId" | "workItemId";
  noun: string;
}

export const TASK: Identity = { key: "taskId", noun: "task" };
export const WORK_ITEM: Identity = { key: "workItemId", noun: "work item" };

const idOf = (identity: Identity, value: Placed): string | undefined => value[identity.key];

export class ProviderSession {
  #settings: ProviderSettings | ConfigurationError | undefined;
  readonly #clients = new PlatformClients();
  readonly #tasks = new OneResourcePerTask();

  /** `warn` shows a configuration warning once per configure (stderr, or the engine's log). */
  constructor(private readonly warn: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`)) {}

  /** Settles the settings from `source` (stack config, or an explicit provider's inputs). */
  configure(
    source: ConfigSource,
    origin: SettingsOrigin = { kind: "stack" },
    /** The environment the stack config falls back to; `{}` where it must not be read. */
    env: NodeJS.ProcessEnv = process.env,
  ): ProviderSettings | ConfigurationError {
    this.#clients.clear();
    try {
      const resolved = resolveSettings(source, env, origin);
      for (const warning of resolved.warnings) this.warn(warning);
      this.#settings = resolved;
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      this.#settings = error;
    }
    return this.#settings;
  }

  /** The settings, or the ConfigurationError naming what to set. Unconfigured: the environment alone. */
  settings(): ProviderSettings {
    // An engine older than dynamic-provider `configure` never calls it: the environment alone then.
    this.#settings ??= this.configure(() => undefined);
    if (this.#settings instanceof ConfigurationError) throw this.#settings;
    return this.#settings;
  }

  /** The configured platform URL, or undefined when the configuration failed (check reports it). */
  configuredUrl(): string | undefined {
    try {
      return this.settings().baseUrl;
    } catch {
      return undefined;
    }
  }

  /** Why the provider cannot serve any resource (its configuration), as check failures. */
  configurationFailures(): { settings?: ProviderSettings; failures: CheckFailure[] } {
    try {
      return { settings: this.settings(), failures: [] };
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      // One failure naming every key to fix.
      return { failures: [{ property: "", reason: error.message }] };
    }
  }

  /**
   * A resource's check: its input check (`checked`), plus the configuration, a baseUrl naming
   * another platform, and a second resource of this provider on the same task. Preview fails
   * here, before anything runs. `urn`: the resource checked, when the front end knows it.
   */
  check<T extends Placed>(
    kind: string,
    checked: CheckOutcome<T>,
    urn?: string,
    identity: Identity = TASK,
  ): CheckOutcome<T> {
    const { settings: configured, failures } = this.configurationFailures();
    checked.failures.push(...failures);
    if (!configured) return checked;
    // A baseUrl the input check refused (not a URL, not a string) has its one failure already.
    const baseUrl = checked.failures.some((f) => f.property === "baseUrl") ? UNKNOWN : checked.inputs.baseUrl;
    const refused = baseUrl === UNKNOWN ? undefined : foreignPlatform(configured, baseUrl);
    if (refused) checked.failures.push({ property: baseUrl === undefined ? "" : "baseUrl", reason: refused });
    const id = idOf(identity, checked.inputs);
    if (checked.failures.length === 0 && configured.baseUrl !== undefined && id !== undefined && id !== UNKNOWN) {
      const twice = this.#tasks.note(platformOf(configured.baseUrl), id, kind, urn, identity.noun);
      if (twice) checked.failures.push({ property: identity.key, reason: twice });
    }
    return checked;
  }

  /**
   * A resource's diff decided its fate: a replace onto the task (or item) `news` names is checked once more by the
   * engine (the replacement), which must not count as a second resource on that task. Every front
   * end calls this from its diff; `urn` as for `check`.
   */
  diffed(news: Placed, replaces: readonly string[], urn?: string, identity: Identity = TASK): void {
    const url = this.configuredUrl();
    const id = idOf(identity, news);
    if (replaces.length === 0 || url === undefined || id === undefined || id === UNKNOWN) return;
    this.#tasks.replacing(platformOf(url), id, urn, identity.noun);
  }

  /**
   * Runs one operation with its own deadline, on the client of the provider's platform. Errors
   * name the operation and the task (`what`, e.g. "TaskClaim create"), and the settings that fix
   * them; only the message travels on (the SDK's errors keep request details a log need not see),
   * and, for a write whose outcome is unknown, what state should record.
   */
  async run<T>(
    what: string,
    id: string,
    baseUrl: string | undefined,
    work: (ctx: LifecycleContext) => Promise<T>,
    /** Time the operation may wait on purpose beyond the deadline (a lookup's waitFor). */
    waitMs = 0,
    /** What `id` names, in messages: "task", or "work item". */
    noun = "task",
  ): Promise<T> {
    const current = this.settings();
    let session: ReturnType<PlatformClients["for"]>;
    try {
      session = this.#clients.for(current, baseUrl);
    } catch (error) {
      // The task lives on a platform these credentials are not for (see platform-clients.ts).
      throw new Error(`${what} (${noun} ${id}): ${error instanceof Error ? error.message : String(error)}`);
    }
    const signal = AbortSignal.timeout(Math.min(MAX_TIMEOUT_MS, current.operationTimeoutMs + waitMs));
    try {
      return await work(contextFor(session.client, session.url, { signal }));
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      const cause = error instanceof OutcomeUnknownError ? error.cause : error;
      const message =
        signal.aborted && cause instanceof AbortedError
          ? `${what} gave up after ${current.operationTimeoutMs} ms (${settingName("operationTimeoutMs", current.source)}): ${error.message}`
          : `${error.message}${tlsHint(cause instanceof Error ? cause : error)}${authHint(cause, current, session.url)}`;
      // Every message names the operation and the task: the SDK's (a refused login) name neither.
      const named = /^((Task|WorkItem)(Claim|Assignment)|getTask|findTask|findWorkItem)\b/.test(message)
        ? message
        : `${what} (${noun} ${id}): ${message}`;
      if (error instanceof OutcomeUnknownError) throw new OutcomeUnknownError(named, undefined, error.recorded);
      // Bad arguments stay recognisable as such (the native plugin answers them INVALID_ARGUMENT).
      if (cause instanceof ValidationError) throw new InvalidArgumentError(named);
      throw new Error(named);
    }
  }
}

/**
 * An operation refused for its arguments (a lookup's jobId that is no job id), before anything was
 * sent. Printed as a plain Error (the dynamic provider's output stays as it was).
 */
export class InvalidArgumentError extends Error {}
InvalidArgumentError.prototype.name = "Error";

/**
 * Inputs checked again where they are used: the engine runs `check` first, but inputs it could not
 * know at preview arrive resolved only here, and a create or update must not send anything the
 * check would refuse (an accounts search for an invisible username, a claim with takeOver "yes").
 */
export function checkedAgain<T>(
  kind: string,
  check: (news: Record<string, unknown>) => { failures: CheckFailure[] },
  inputs: T,
): void {
  const { failures } = check(inputs as Record<string, unknown>);
  if (failures.length > 0) {
    throw new Error(`${kind} has invalid inputs: ${failures.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
  }
}

/** Drops unset values: state holds only what is known. */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
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
