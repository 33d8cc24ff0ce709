// OperationsManagerClient: the typed client for IAP's Operations Manager task and job API.
import { constants as bufferConstants } from "node:buffer";
import * as fs from "node:fs";
import type * as http from "node:http";
import type * as https from "node:https";
import type { AxiosProxyConfig } from "axios";
import { type AuthOptions, type AuthStrategy, createAuth } from "./auth";
import { untilAborted } from "./deadline";
import {
  AbortedError,
  ApiError,
  AuthenticationError,
  ConnectionError,
  ItentialError,
  NotFoundError,
  PermissionError,
  ResponseFormatError,
  TaskStateError,
  type TaskStateReason,
  TimeoutError,
  ValidationError,
} from "./errors";
import { appendProjection, checkFieldPath, encodeSearch, type SearchQuery } from "./filters";
import { certainlyNotApplied, DEFAULT_RETRY, isTransient, type RetryOptions, retryDelay, sleep } from "./retry";
import {
  type Account,
  fail,
  type Job,
  type Page,
  parseAccount,
  parseAccountSearch,
  parseJob,
  parsePage,
  parseTask,
  parseWhoAmI,
  sameUser,
  type Task,
  type WhoAmI,
} from "./schemas";
import {
  type CallOptions,
  DEFAULT_MAX_BODY_BYTES,
  type Logger,
  stderrLogger,
  type TlsOptions,
  Transport,
} from "./transport";
import {
  parseWorkItem,
  parseWorkItemCount,
  parseWorkItemHistory,
  parseWorkItemSearch,
  type WorkItem,
  type WorkItemFilter,
  type WorkItemSearch,
} from "./work-items";

/** What each kind of credentials sends over the wire: every kind is readable over plain http. */
const PLAIN_HTTP_EXPOSURE: Record<AuthOptions["type"], string> = {
  basic: "Basic credentials (username and password) are sent on every request",
  login: "The password is sent in the login request, then the session token in every request's URL,",
  token: "The token is sent in every request's URL",
  oauth: "The client secret is sent in the token request, then the bearer token on every request,",
};

export interface ClientOptions {
  /** Platform root, e.g. `https://iap.example.com:3443` (no trailing `/operations-manager`). */
  baseUrl: string;
  auth: AuthOptions;
  /** Per-request timeout in milliseconds (default 30 000); override per call with `timeoutMs`. */
  timeoutMs?: number;
  /** Retry policy; `maxRetries: 0` turns retries off. */
  retry?: Partial<RetryOptions>;
  /** CA bundle, client certificate, or (explicitly) `rejectUnauthorized: false`. */
  tls?: TlsOptions;
  /** Bring your own agents (they replace the keep-alive agents and `tls`). */
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
  /**
   * Proxy as axios takes it (`{ protocol, host, port, auth }`); without it, `HTTPS_PROXY`,
   * `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` decide for the base URL's host; `false` ignores them.
   */
  proxy?: AxiosProxyConfig | false;
  /**
   * Largest answer accepted, counted once decompressed, and largest request body sent, in bytes
   * (default 32 MiB). A larger one fails with BodyTooLargeError, and is not retried.
   */
  maxBodyBytes?: number;
  /** Receives redacted request/response records. `ITENTIAL_DEBUG=1` logs to stderr when none is given. */
  logger?: Logger;
  /** Appended to the User-Agent (`pulumi-itential/<version> (node …)`). */
  userAgent?: string;
}

export interface GetOptions extends CallOptions {
  /** Only these fields (and `_id`). Not together with `exclude` (IAP refuses the combination). */
  include?: readonly string[];
  /** Every field but these; not `_id`, which the client needs. */
  exclude?: readonly string[];
}

export interface GetTaskOptions extends GetOptions {
  /** Fields IAP should expand, e.g. `["job"]` or `["metrics.owner"]`. */
  dereference?: readonly string[];
}

export interface FinishOptions {
  finishState: "success" | "failure";
  variables?: Record<string, unknown>;
}

export interface StartJobOptions {
  description?: string;
  variables?: Record<string, unknown>;
  groups?: string[];
}

const TASK_ID = /^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/;
const OBJECT_ID = /^[0-9a-fA-F]{24}$/;
const TASK_KEY = /^[0-9a-fA-F]{1,4}$/;
// Tasks finish as complete/canceled/error/failure, work items as completed/canceled; a task waits
// for a person while running or incomplete, a work item while pending.
const FINISHED = new Set(["complete", "completed", "canceled", "error", "failure"]);
const CLAIMABLE = new Set(["running", "incomplete", "pending"]);
const DEFAULT_PAGE_SIZE = 100;
const MAX_STRING_LENGTH = bufferConstants.MAX_STRING_LENGTH;

function checkId(value: unknown, pattern: RegExp, what: string): string {
  if (typeof value !== "string" || !pattern.test(value)) {
    throw new ValidationError(`${what} ${JSON.stringify(value)} is malformed`);
  }
  return encodeURIComponent(value);
}

const taskId = (id: unknown) => checkId(id, TASK_ID, "task id (a UUID)");
const jobId = (id: unknown) => checkId(id, OBJECT_ID, "job id (24 hexadecimal characters)");
const userId = (id: unknown) => checkId(id, OBJECT_ID, "user id (24 hexadecimal characters)");
const taskKey = (key: unknown) => checkId(key, TASK_KEY, "task key (1 to 4 hexadecimal digits)");

type HeldWrite = "claim" | "release" | "assign";

/** What the outcome-checked write needs to know of a task or a work item. */
interface Held {
  id: string;
  name?: string;
  type?: string;
  status?: string;
  owner?: { id: string; username?: string };
  claimTime?: string;
}

interface HeldApi<T extends Held> {
  noun: "task" | "work item";
  method: "POST" | "PATCH";
  path: string;
  send(call: CallOptions): Promise<T>;
  read(call: CallOptions): Promise<T>;
}

export interface CompleteWorkItem {
  /** Opaque finish state, as Work Center's view components emit it. */
  finishState?: string;
  /** The operator's submission, flat key-value pairs. */
  variables?: Record<string, unknown>;
}

const WORK_ITEMS = "/work-center-service/work-items";
const workItemId = (id: unknown) => checkId(id, TASK_ID, "work item id (a UUID)");
const FILTER_FIELDS = new Set([
  "name",
  "summary",
  "owner",
  "createdAt",
  "executionStartTime",
  "triggerType",
  "triggerLabel",
  "executionName",
  "executionDescription",
]);
const FILTER_OPERATORS = new Set(["contains", "equals", "in", "before", "after"]);

/**
 * The search body, checked: a filter the server cannot read might be ignored and match everything
 * (as Operations Manager does), so the client refuses it before sending.
 */
function checkWorkItemSearch(search: WorkItemSearch): WorkItemSearch {
  for (const [i, f] of (search.filters ?? []).entries()) {
    if (!FILTER_FIELDS.has(f?.field))
      throw new ValidationError(`filters[${i}].field ${JSON.stringify(f?.field)} is not a documented field`);
    if (!FILTER_OPERATORS.has(f?.operator))
      throw new ValidationError(`filters[${i}].operator ${JSON.stringify(f?.operator)} is not a documented operator`);
  }
  if (search.limit !== undefined && (!Number.isInteger(search.limit) || search.limit < 1 || search.limit > 100)) {
    throw new ValidationError("limit must be a whole number from 1 to 100");
  }
  if (search.skip !== undefined && (!Number.isInteger(search.skip) || search.skip < 0)) {
    throw new ValidationError("skip must be a whole number, 0 or more");
  }
  return search;
}

export class OperationsManagerClient {
  readonly #transport: Transport;
  readonly #auth: AuthStrategy;
  readonly #retry: RetryOptions;
  /** Who this client acts as, learnt once when a claim or release needs it. */
  #me: Promise<WhoAmI> | undefined;

  constructor(options: ClientOptions) {
    const url = platformUrl(options?.baseUrl);
    const { auth, retry: retryOverrides, ...transport } = options;
    const timeoutMs = options.timeoutMs ?? 30_000;
    // Node's timers fire at once past 2^31-1 ms: a "very long" timeout would time out immediately.
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2_147_483_647) {
      throw new ValidationError("timeoutMs must be a positive number of milliseconds, at most 2147483647");
    }
    // Sent as a header: node refuses other characters on every request, which would look like a
    // failing connection rather than a setting to fix.
    if (options.userAgent !== undefined && !/^[\x20-\x7e]*$/.test(options.userAgent)) {
      throw new ValidationError("userAgent must be printable ASCII (no line breaks or other characters)");
    }
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    // An answer is parsed as one string, and V8's strings stop at about 512 MiB.
    if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0 || maxBodyBytes > MAX_STRING_LENGTH) {
      throw new ValidationError(`maxBodyBytes must be a whole number of bytes from 1 to ${MAX_STRING_LENGTH}`);
    }
    this.#retry = { ...DEFAULT_RETRY, ...retryOverrides };
    const logger = options.logger ?? (process.env.ITENTIAL_DEBUG === "1" ? stderrLogger : undefined);
    // The transport gets everything but the credentials, which only the auth strategy holds.
    this.#transport = new Transport(
      { ...transport, timeoutMs, maxBodyBytes, retry: this.#retry, logger },
      () => this.#auth,
    );
    // Logins are not retried on their own: the request that needed the login retries as a whole,
    // so a server that is down is not asked (retries × retries) times.
    this.#auth = createAuth(auth, (request) =>
      this.#transport.json({
        method: "POST",
        ...request,
        authenticate: false,
        answerIsCredential: true,
        retry: "none",
      }),
    );
    if (url.protocol === "http:" && !isLoopback(url.hostname)) {
      // Once per client: the provider and the lookups keep one client per platform and process.
      const warning = `${PLAIN_HTTP_EXPOSURE[auth.type]} to ${url.host} unencrypted (http://): anyone on the network path can read them. Use https://.`;
      if (logger?.warn) logger.warn(warning);
      else process.stderr.write(`[pulumi-itential] warning: ${warning}\n`);
    }
  }

  /** The authenticated principal (`GET /whoami`). */
  async whoami(options: CallOptions = {}): Promise<WhoAmI> {
    const { json, origin } = await this.#transport.json({ method: "GET", path: "/whoami", retry: "safe", ...options });
    return parseWhoAmI(json, origin);
  }

  async getTask(id: string, options: GetTaskOptions = {}): Promise<Task> {
    const { include, exclude, dereference, ...call } = options;
    const query = projection(include, exclude);
    if (dereference !== undefined) {
      query.set("dereference", dereference.map((field) => checkFieldPath(field, "dereference")).join(","));
    }
    const { data, origin } = await this.#transport.envelope({
      method: "GET",
      path: `/operations-manager/tasks/${taskId(id)}`,
      query,
      retry: "safe",
      ...call,
    });
    return parseTask(data, origin);
  }

  /** One page of tasks; `total` counts every match. */
  async listTasks(query: SearchQuery = {}, options: CallOptions = {}): Promise<Page<Task>> {
    const { data, metadata, origin } = await this.#transport.envelope({
      method: "GET",
      path: "/operations-manager/tasks",
      query: encodeSearch(query),
      retry: "safe",
      ...options,
    });
    return parsePage(data, metadata, origin, parseTask);
  }

  /** Every matching task, fetching pages of `query.limit` (default 100) as it goes. */
  iterateTasks(query: SearchQuery = {}, options: CallOptions = {}): AsyncIterable<Task> {
    return this.paginate(query, options, (q, o) => this.listTasks(q, o));
  }

  async getJob(id: string, options: GetOptions = {}): Promise<Job> {
    const { include, exclude, ...call } = options;
    const { data, origin } = await this.#transport.envelope({
      method: "GET",
      path: `/operations-manager/jobs/${jobId(id)}`,
      query: projection(include, exclude),
      retry: "safe",
      ...call,
    });
    return parseJob(data, origin);
  }

  async listJobs(query: SearchQuery = {}, options: CallOptions = {}): Promise<Page<Job>> {
    const { data, metadata, origin } = await this.#transport.envelope({
      method: "GET",
      path: "/operations-manager/jobs",
      query: encodeSearch(query),
      retry: "safe",
      ...options,
    });
    return parsePage(data, metadata, origin, parseJob);
  }

  iterateJobs(query: SearchQuery = {}, options: CallOptions = {}): AsyncIterable<Job> {
    return this.paginate(query, options, (q, o) => this.listJobs(q, o));
  }

  /**
   * The account with exactly this username (`GET /authorization/accounts?multiEquals[username]=…`),
   * or undefined when there is none.
   */
  async findAccount(username: string, options: CallOptions = {}): Promise<Account | undefined> {
    if (typeof username !== "string" || username === "")
      throw new ValidationError("username must be a non-empty string");
    const { json, origin } = await this.#transport.json({
      method: "GET",
      path: "/authorization/accounts",
      query: new URLSearchParams({ "multiEquals[username]": username, limit: "25" }),
      retry: "safe",
      ...options,
    });
    // Matched again here: what IAP does with a filter it cannot read is to return everyone.
    return parseAccountSearch(json, origin).items.find((account) => account.username === username);
  }

  /** One account by id (`GET /authorization/accounts/:id`). */
  async getAccount(id: string, options: CallOptions = {}): Promise<Account> {
    const { json, origin } = await this.#transport.json({
      method: "GET",
      path: `/authorization/accounts/${userId(id)}`,
      retry: "safe",
      ...options,
    });
    return parseAccount(json, origin);
  }

  /**
   * Starts a job from a workflow. Retried only when the request certainly did not reach IAP:
   * repeating it after an unknown outcome could start a second job.
   */
  async startJob(workflow: string, options: StartJobOptions = {}, call: CallOptions = {}): Promise<Job> {
    if (typeof workflow !== "string" || workflow === "")
      throw new ValidationError("workflow must be a non-empty string");
    const { data, origin } = await this.#transport.envelope({
      method: "POST",
      path: "/operations-manager/jobs/start",
      body: { workflow, options: { type: "automation", ...options } },
      retry: "not-applied",
      ...call,
    });
    return parseJob(data, origin);
  }

  /** The data a manual task's form shows (IAP does not document its shape). */
  async getManualTaskController(job: string, key: string, options: CallOptions = {}): Promise<Record<string, unknown>> {
    const { data, origin } = await this.#transport.envelope({
      method: "GET",
      path: `/operations-manager/jobs/${jobId(job)}/tasks/${taskKey(key)}/manual-controller`,
      retry: "safe",
      ...options,
    });
    if (data === null || typeof data !== "object" || Array.isArray(data))
      fail(origin, "the manual controller is not an object");
    return data as Record<string, unknown>;
  }

  /** Works (finishes) a manual task. Retried only when the request certainly did not reach IAP. */
  async finishManualTask(
    job: string,
    key: string,
    finish: FinishOptions,
    options: CallOptions = {},
  ): Promise<Record<string, unknown>> {
    if (finish?.finishState !== "success" && finish?.finishState !== "failure") {
      throw new ValidationError('finishState must be "success" or "failure"');
    }
    const { data, origin } = await this.#transport.envelope({
      method: "POST",
      path: `/operations-manager/jobs/${jobId(job)}/tasks/${taskKey(key)}/finish`,
      body: { taskData: { finish_state: finish.finishState, variables: finish.variables ?? {} } },
      retry: "not-applied",
      ...options,
    });
    if (data === null || typeof data !== "object" || Array.isArray(data))
      fail(origin, "the finish answer is not an object");
    return data as Record<string, unknown>;
  }

  /**
   * Claims a task for the authenticated user. Resolves with the task once it is held by this user,
   * including when it already was. Refused because of the task's state, it raises TaskStateError
   * saying why ("claimed by alice since …", "complete", "an automatic task").
   */
  async claimTask(id: string, options: CallOptions = {}): Promise<Task> {
    return this.writeTask("claim", id, undefined, options);
  }

  /**
   * Releases the task. Resolves once nobody holds it, including when nobody did (IAP answers an
   * error for an unclaimed task; the client reads that as done).
   */
  async releaseTask(id: string, options: CallOptions = {}): Promise<Task> {
    return this.writeTask("release", id, undefined, options);
  }

  /** Assigns the task to the user with this id (24 hex). Resolves once that user holds it. */
  async assignTask(id: string, assignee: string, options: CallOptions = {}): Promise<Task> {
    userId(assignee);
    return this.writeTask("assign", id, assignee, options);
  }

  /**
   * Claim, release and assign are never blindly repeated. After a failure the client reads the
   * task: already in the wanted state means success (the write happened, or did not need to);
   * a state that forbids it means TaskStateError; still possible after a failure that may pass
   * (timeout, reset, 502/503/504, 429) means another try, up to maxRetries.
   */
  private writeTask(kind: HeldWrite, id: string, assignee: string | undefined, options: CallOptions): Promise<Task> {
    const path = `/operations-manager/tasks/${taskId(id)}/${kind}`;
    return this.writeHeld<Task>(
      {
        noun: "task",
        method: "POST",
        path,
        send: async (call) => {
          const { data, origin } = await this.#transport.envelope({
            method: "POST",
            path,
            ...(assignee ? { body: { userId: assignee } } : {}),
            retry: "none",
            ...call,
          });
          return parseTask(data, origin);
        },
        read: (call) => this.getTask(id, { dereference: ["metrics.owner"], ...call }),
      },
      kind,
      id,
      assignee,
      options,
    );
  }

  /** The same outcome-checked write, for Work Center items (`PATCH …/:id/<verb>`). */
  private writeWorkItem(
    kind: HeldWrite,
    id: string,
    assignee: string | undefined,
    options: CallOptions,
  ): Promise<WorkItem> {
    const path = `${WORK_ITEMS}/${workItemId(id)}/${kind}`;
    return this.writeHeld<WorkItem>(
      {
        noun: "work item",
        method: "PATCH",
        path,
        send: async (call) => {
          const { json, origin } = await this.#transport.json({
            method: "PATCH",
            path,
            ...(assignee ? { body: { owner: assignee } } : {}),
            retry: "none",
            ...call,
          });
          return parseWorkItem(json, origin);
        },
        read: (call) => this.getWorkItem(id, call),
      },
      kind,
      id,
      assignee,
      options,
    );
  }

  private async writeHeld<T extends Held>(
    api: HeldApi<T>,
    kind: HeldWrite,
    id: string,
    assignee: string | undefined,
    options: CallOptions,
  ): Promise<T> {
    const { path, method } = api;
    const maxRetries = options.maxRetries ?? this.#retry.maxRetries;
    for (let attempt = 0; ; attempt++) {
      let failure: unknown;
      try {
        return await api.send({ ...options, maxRetries: 0 });
      } catch (error) {
        failure = error;
      }
      if (!needsStateCheck(failure)) throw failure;

      const transient = isTransient(failure) || failure instanceof ResponseFormatError;
      if (!certainlyNotApplied(failure)) {
        let held: T;
        try {
          held = await api.read(pick(options));
        } catch {
          // The state cannot be read either: report what went wrong first, or that the caller gave up.
          throw options.signal?.aborted ? new AbortedError(method, path) : failure;
        }
        let me: WhoAmI | undefined;
        try {
          me = kind === "assign" ? undefined : await this.currentUser(options);
        } catch {
          throw options.signal?.aborted ? new AbortedError(method, path) : failure;
        }
        if (reached(kind, held, me, assignee)) return held;
        const refusal = explain(kind, api.noun, held, me);
        if (refusal) {
          const apiFailure = failure instanceof ApiError ? failure : undefined;
          throw new TaskStateError(
            {
              method,
              path,
              status: apiFailure?.status ?? 0,
              iapMessage: apiFailure?.iapMessage ?? (failure as Error).message,
            },
            { ...refusal, taskId: id },
          );
        }
      }
      if (!transient || attempt >= maxRetries) throw failure;
      const delay = retryDelay(failure, attempt, this.#retry);
      if (delay === undefined) throw failure;
      try {
        await sleep(delay, options.signal);
      } catch {
        throw new AbortedError(method, path);
      }
    }
  }

  /** One Work Center item (`GET /work-center-service/work-items/:id`). */
  async getWorkItem(id: string, options: CallOptions = {}): Promise<WorkItem> {
    const { json, origin } = await this.#transport.json({
      method: "GET",
      path: `${WORK_ITEMS}/${workItemId(id)}`,
      retry: "safe",
      ...options,
    });
    return parseWorkItem(json, origin);
  }

  /**
   * One page of work items (`POST …/work-items/search`). A search changes nothing, so it is retried
   * like a read. `total` is set when the server says it (the reference documents only `data`).
   */
  async searchWorkItems(
    search: WorkItemSearch = {},
    options: CallOptions = {},
  ): Promise<{ items: WorkItem[]; total?: number }> {
    const { json, origin } = await this.#transport.json({
      method: "POST",
      path: `${WORK_ITEMS}/search`,
      body: checkWorkItemSearch(search),
      retry: "safe",
      ...options,
    });
    return parseWorkItemSearch(json, origin);
  }

  /**
   * Every matching work item, a page of `search.limit` (default and at most 100) at a time. When the
   * server says `total`, pages are asked until `skip` reaches it (a server may cap pages below
   * `limit`); without `total`, a page shorter than `limit` is the last. A server whose pages end
   * before its `total` (an empty page) ends the iteration.
   */
  async *iterateWorkItems(search: WorkItemSearch = {}, options: CallOptions = {}): AsyncGenerator<WorkItem> {
    const limit = search.limit ?? 100;
    let skip = search.skip ?? 0;
    for (;;) {
      const page = await this.searchWorkItems({ ...search, limit, skip }, options);
      yield* page.items;
      skip += page.items.length;
      if (page.items.length === 0) return;
      if (page.total !== undefined ? skip >= page.total : page.items.length < limit) return;
    }
  }

  /**
   * The work items of one root execution (a job or an agent session), oldest first
   * (`GET …/work-items?rootExecutionId=`, the reference's "context history").
   */
  async workItemHistory(rootExecutionId: string, options: CallOptions = {}): Promise<WorkItem[]> {
    if (typeof rootExecutionId !== "string" || rootExecutionId === "") {
      throw new ValidationError("rootExecutionId must be a non-empty string");
    }
    const { json, origin } = await this.#transport.json({
      method: "GET",
      path: WORK_ITEMS,
      query: new URLSearchParams({ rootExecutionId }),
      retry: "safe",
      ...options,
    });
    return parseWorkItemHistory(json, origin);
  }

  /** How many pending work items match (`POST …/work-items/count`). */
  async countWorkItems(filters: WorkItemFilter[] = [], options: CallOptions = {}): Promise<number> {
    const { json, origin } = await this.#transport.json({
      method: "POST",
      path: `${WORK_ITEMS}/count`,
      body: checkWorkItemSearch({ filters }),
      retry: "safe",
      ...options,
    });
    return parseWorkItemCount(json, origin);
  }

  /**
   * Claims a work item for the authenticated user; resolves once this user holds it, including when
   * it already did. Refused because of the item's state: TaskStateError saying why.
   */
  claimWorkItem(id: string, options: CallOptions = {}): Promise<WorkItem> {
    return this.writeWorkItem("claim", id, undefined, options);
  }

  /** Releases the work item; resolves once nobody holds it, including when nobody did. */
  releaseWorkItem(id: string, options: CallOptions = {}): Promise<WorkItem> {
    return this.writeWorkItem("release", id, undefined, options);
  }

  /** Assigns the work item to the user with this id (24 hex); resolves once that user holds it. */
  assignWorkItem(id: string, assignee: string, options: CallOptions = {}): Promise<WorkItem> {
    userId(assignee);
    return this.writeWorkItem("assign", id, assignee, options);
  }

  /**
   * Completes a work item with the operator's response. Retried only when the request certainly
   * did not reach the server: a second completion could submit a second response.
   */
  async completeWorkItem(id: string, response: CompleteWorkItem = {}, options: CallOptions = {}): Promise<WorkItem> {
    if (response.finishState !== undefined && typeof response.finishState !== "string") {
      throw new ValidationError("finishState must be a string");
    }
    const { json, origin } = await this.#transport.json({
      method: "PATCH",
      path: `${WORK_ITEMS}/${workItemId(id)}/complete`,
      body: {
        ...(response.finishState !== undefined ? { finishState: response.finishState } : {}),
        ...(response.variables !== undefined ? { variables: response.variables } : {}),
      },
      retry: "not-applied",
      ...options,
    });
    return parseWorkItem(json, origin);
  }

  /**
   * Who this client acts as (`GET /whoami`), asked once and remembered; a failed answer is asked
   * again next time. The shared request carries no caller's signal (one caller aborting must not
   * fail another's claim); each caller waits only as long as its own signal allows.
   */
  currentUser(options: CallOptions = {}): Promise<WhoAmI> {
    if (options.signal?.aborted) return Promise.reject(new AbortedError("GET", "/whoami"));
    this.#me ??= this.whoami(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}).catch((error) => {
      this.#me = undefined;
      throw error;
    });
    return untilAborted(this.#me, options.signal, () => new AbortedError("GET", "/whoami"));
  }

  private async *paginate<T>(
    query: SearchQuery,
    options: CallOptions,
    list: (query: SearchQuery, options: CallOptions) => Promise<Page<T>>,
  ): AsyncGenerator<T> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    let skip = query.skip ?? 0;
    for (;;) {
      const page = await list({ ...query, limit, skip }, options);
      yield* page.items;
      skip += page.items.length;
      // An empty page ends it too, so a server that miscounts cannot make this loop forever.
      if (page.items.length === 0 || skip >= page.total) return;
    }
  }
}

/**
 * The platform URL, checked. Credentials in it (`https://user:password@iap`) are refused, not
 * stripped: a URL is logged, printed and stored in many places, and the caller should learn that
 * it holds a password rather than have it silently ignored. The URL is never echoed in the error.
 */
function platformUrl(value: unknown): URL {
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new ValidationError("baseUrl must be an http:// or https:// URL");
  }
  if (url.username !== "" || url.password !== "") {
    throw new ValidationError("baseUrl must not contain credentials (user:password@): give them as auth instead");
  }
  return url;
}

/** Hosts on this machine, where plain http crosses no network. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function projection(include: readonly string[] | undefined, exclude: readonly string[] | undefined): URLSearchParams {
  const query = new URLSearchParams();
  appendProjection(query, include, exclude);
  return query;
}

/** Failures after which the task's state says more than the error does. */
function needsStateCheck(error: unknown): boolean {
  if (error instanceof AuthenticationError || error instanceof PermissionError || error instanceof NotFoundError) {
    return false;
  }
  return (
    error instanceof ApiError ||
    error instanceof ConnectionError ||
    error instanceof TimeoutError ||
    error instanceof ResponseFormatError
  );
}

/** The caller's limits, carried over to the reads a write makes to learn its outcome. */
function pick(options: CallOptions): CallOptions {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
  };
}

/** The state the write wanted. A finished task is never "claimed" or "assigned", whoever it names. */
function reached(kind: HeldWrite, task: Held, me: WhoAmI | undefined, assignee: string | undefined): boolean {
  const open = task.status === undefined || !FINISHED.has(task.status);
  switch (kind) {
    case "claim":
      return open && task.owner !== undefined && me !== undefined && sameUser(task.owner, me);
    case "release":
      return task.owner === undefined;
    case "assign":
      // Only the assignee's id is known here: an owner sent as a username cannot be matched, and
      // the assign is sent again (it replaces the holder, so repeating it is harmless).
      return open && task.owner !== undefined && task.owner.id === assignee;
  }
}

function describeHeld(noun: string, held: Held): string {
  return held.name ? `${noun} ${held.id} ("${held.name}")` : `${noun} ${held.id}`;
}

function who(user: { id: string; username?: string }): string {
  return user.username ?? `user ${user.id}`;
}

function explain(
  kind: HeldWrite,
  noun: string,
  task: Held,
  me: WhoAmI | undefined,
): { reason: TaskStateReason; explanation: string; owner?: { id: string; username?: string } } | undefined {
  const verb = kind === "claim" ? "claimed" : kind === "release" ? "released" : "assigned";
  const subject = describeHeld(noun, task);
  if (task.type !== undefined && task.type !== "manual") {
    return {
      reason: "not-manual",
      explanation: `${subject} is an ${task.type} task; only manual tasks can be ${verb}`,
    };
  }
  if (task.status !== undefined && FINISHED.has(task.status)) {
    return { reason: "finished", explanation: `${subject} is ${task.status} and cannot be ${verb}` };
  }
  if (kind !== "assign" && task.owner && !(me && sameUser(task.owner, me))) {
    const since = task.claimTime ? ` since ${task.claimTime}` : "";
    return {
      reason: "claimed-by-another",
      owner: task.owner,
      explanation:
        kind === "claim"
          ? `${subject} is claimed by ${who(task.owner)}${since}`
          : `${subject} is claimed by ${who(task.owner)}${since}, not by ${me?.username ?? "this user"}`,
    };
  }
  if (kind !== "release" && task.status !== undefined && !CLAIMABLE.has(task.status)) {
    return { reason: "not-claimable", explanation: `${subject} is ${task.status} and cannot be ${verb}` };
  }
  return undefined;
}

/**
 * Client options from the environment: `ITENTIAL_BASE_URL`, then credentials from
 * `ITENTIAL_CLIENT_ID` + `ITENTIAL_CLIENT_SECRET` (OAuth), or `ITENTIAL_TOKEN`, or
 * `ITENTIAL_USERNAME` + `ITENTIAL_PASSWORD` (token login; `ITENTIAL_AUTH=basic` for Basic).
 * Optional: `ITENTIAL_TIMEOUT_MS`, `ITENTIAL_CA_FILE` (PEM bundle), `ITENTIAL_CLIENT_CERT_FILE` and
 * `ITENTIAL_CLIENT_KEY_FILE` (mutual TLS).
 */
export function clientOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ClientOptions {
  const baseUrl = env.ITENTIAL_BASE_URL;
  if (!baseUrl) throw new ValidationError("ITENTIAL_BASE_URL is not set");
  let auth: AuthOptions;
  if (env.ITENTIAL_CLIENT_ID || env.ITENTIAL_CLIENT_SECRET) {
    if (!env.ITENTIAL_CLIENT_ID || !env.ITENTIAL_CLIENT_SECRET) {
      throw new ValidationError("ITENTIAL_CLIENT_ID and ITENTIAL_CLIENT_SECRET must be set together");
    }
    auth = { type: "oauth", clientId: env.ITENTIAL_CLIENT_ID, clientSecret: env.ITENTIAL_CLIENT_SECRET };
  } else if (env.ITENTIAL_TOKEN) {
    auth = { type: "token", token: env.ITENTIAL_TOKEN };
  } else if (env.ITENTIAL_USERNAME && env.ITENTIAL_PASSWORD) {
    const type = env.ITENTIAL_AUTH === "basic" ? "basic" : "login";
    auth = { type, username: env.ITENTIAL_USERNAME, password: env.ITENTIAL_PASSWORD };
  } else {
    throw new ValidationError(
      "No Itential credentials in the environment: set ITENTIAL_CLIENT_ID and ITENTIAL_CLIENT_SECRET, ITENTIAL_TOKEN, or ITENTIAL_USERNAME and ITENTIAL_PASSWORD",
    );
  }
  const options: ClientOptions = { baseUrl, auth };
  if (env.ITENTIAL_TIMEOUT_MS) {
    const timeout = Number(env.ITENTIAL_TIMEOUT_MS);
    if (!Number.isFinite(timeout) || timeout <= 0)
      throw new ValidationError("ITENTIAL_TIMEOUT_MS must be a positive number");
    options.timeoutMs = timeout;
  }
  const read = (name: "ITENTIAL_CA_FILE" | "ITENTIAL_CLIENT_CERT_FILE" | "ITENTIAL_CLIENT_KEY_FILE") => {
    const file = env[name];
    if (!file) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new ItentialError(`${name} ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
    }
  };
  const ca = read("ITENTIAL_CA_FILE");
  const cert = read("ITENTIAL_CLIENT_CERT_FILE");
  const key = read("ITENTIAL_CLIENT_KEY_FILE");
  if ((cert === undefined) !== (key === undefined)) {
    throw new ValidationError("ITENTIAL_CLIENT_CERT_FILE and ITENTIAL_CLIENT_KEY_FILE must be set together");
  }
  if (ca || cert) options.tls = { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
  return options;
}
