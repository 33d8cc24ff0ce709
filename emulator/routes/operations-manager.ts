// The Operations Manager task and job API. Where IAP's documentation is silent about a case, the
// rule chosen here is stated beside it and listed in the README's emulator section.
import {
  ACTION_DEREFERENCE,
  checkProjection,
  type Dereference,
  parseDereference,
  presentJob,
  presentTask,
  project,
  servedJobView,
  servedTaskView,
  type TaskPresentation,
} from "../documents";
import { badRequest, conflict, forbidden, notFound } from "../errors";
import { OBJECT_ID, TASK_ID, TASK_KEY } from "../ids";
import type { JobRecord, TaskRecord, UserRecord } from "../model";
import { envelope, type RequestContext, type Router } from "../router";
import { parseSearch, type SearchQuery, search } from "../search";
import type { EmulatorSettings } from "../settings";
import type { EmulatorState } from "../state";
import { finishTask, isFinished, startJob, taskChanged } from "../workflow";

export interface OperationsDeps {
  state: EmulatorState;
  settings(): EmulatorSettings;
  now(): Date;
}

const CLAIMABLE = new Set(["running", "incomplete"]);

function describe(task: TaskRecord): string {
  return `Task ${task._id} ("${task.name}")`;
}

function username(state: EmulatorState, userId: string | undefined): string {
  return (userId && state.users.get(userId)?.username) || String(userId);
}

/**
 * IAP's search metadata. Where there is no next or previous page (the last page, a skip past the
 * end; the first page) its skip is null.
 */
function pageMetadata(query: SearchQuery, total: number, currentPageSize: number) {
  return {
    skip: query.skip,
    limit: query.limit,
    total,
    nextPageSkip: query.skip + query.limit < total ? query.skip + query.limit : null,
    previousPageSkip: query.skip > 0 ? Math.max(0, query.skip - query.limit) : null,
    currentPageSize,
  };
}

/** Viewers read; operators and admins act (Work Center follows the same rule). */
export function requireOperator(user: UserRecord, action: string): void {
  if (!user.roles.includes("operator") && !user.roles.includes("admin")) {
    throw forbidden(`User ${user.username} is not permitted to ${action}`);
  }
}

export function registerOperationsRoutes(router: Router, deps: OperationsDeps): void {
  const { state } = deps;
  const base = "/operations-manager";

  const presentation = (dereference: ReadonlySet<Dereference>): TaskPresentation => ({
    dereference,
    epochClaimTime: deps.settings().epochClaimTime,
    ownerAsUsername: deps.settings().ownerAsUsername,
  });
  const jobPresentation = () => ({ ownerAsUsername: deps.settings().ownerAsUsername });

  const taskById = (ctx: RequestContext): TaskRecord => {
    const id = ctx.params.taskId as string;
    if (!TASK_ID.test(id)) throw badRequest(`Invalid task id "${id}": a task id is a UUID`);
    const task = state.tasks.get(id);
    if (!task) throw notFound(`Task ${id} not found`);
    return task;
  };

  const jobById = (id: string): JobRecord => {
    if (!OBJECT_ID.test(id)) throw badRequest(`Invalid job id "${id}": a job id is 24 hexadecimal characters`);
    const job = state.jobs.get(id);
    if (!job) throw notFound(`Job ${id} not found`);
    return job;
  };

  const taskByKey = (ctx: RequestContext): TaskRecord => {
    const job = jobById(ctx.params.jobId as string);
    const key = ctx.params.taskKey as string;
    if (!TASK_KEY.test(key)) throw badRequest(`Invalid task key "${key}": a task key is 1 to 4 hexadecimal digits`);
    const task = state.taskByKey(job._id, key);
    if (!task) throw notFound(`Task ${key} not found in job ${job._id}`);
    return task;
  };

  /** A task a person can take: manual, not finished, and running or not yet reached. */
  const requireClaimable = (task: TaskRecord, verb: string): void => {
    if (task.type !== "manual") {
      throw badRequest(`${describe(task)} is an ${task.type} task: only manual tasks can be ${verb}`);
    }
    if (isFinished(task)) throw badRequest(`${describe(task)} is ${task.status} and can no longer be ${verb}`);
    if (!CLAIMABLE.has(task.status)) throw badRequest(`${describe(task)} is ${task.status} and cannot be ${verb}`);
  };

  const claimed = (task: TaskRecord, owner: UserRecord): void => {
    const now = deps.now();
    task.metrics.owner = owner._id;
    // `user` is filled on claim too (and replaced by whoever finishes the task).
    task.metrics.user = owner._id;
    task.metrics.claim_time = now.toISOString();
    task.last_updated = now.toISOString();
  };

  const actionReply = (message: string, task: TaskRecord) => {
    taskChanged(state, task); // the job's entry for the task shows its new owner and status
    return { json: envelope(message, presentTask(state, task, presentation(ACTION_DEREFERENCE))) };
  };

  router.add("GET", `${base}/tasks`, (ctx) => {
    ctx.user();
    const query = parseSearch(ctx.query);
    checkProjection(ctx.query.get("include"), ctx.query.get("exclude"));
    // Filters and sort read the documents as served (claim times and owners in the configured
    // form), before anything is dereferenced; only the page is copied to be sent.
    const plain = presentation(new Set());
    const { page, total } = search(state.tasks.values(), query, (task) => servedTaskView(state, task, plain));
    const full = presentation(parseDereference(ctx.query.get("dereference")));
    const data = page.map((task) =>
      project(presentTask(state, task, full), ctx.query.get("include"), ctx.query.get("exclude")),
    );
    return { json: envelope("Successfully retrieved items", data, pageMetadata(query, total, data.length)) };
  });

  router.add("GET", `${base}/tasks/:taskId`, (ctx) => {
    ctx.user();
    checkProjection(ctx.query.get("include"), ctx.query.get("exclude"));
    const task = taskById(ctx);
    const doc = presentTask(state, task, presentation(parseDereference(ctx.query.get("dereference"))));
    return {
      json: envelope(
        "Successfully retrieved the requested item",
        project(doc, ctx.query.get("include"), ctx.query.get("exclude")),
      ),
    };
  });

  router.add("POST", `${base}/tasks/:taskId/claim`, (ctx) => {
    const user = ctx.user();
    requireOperator(user, "claim tasks");
    const task = taskById(ctx);
    requireClaimable(task, "claimed");
    const owner = task.metrics.owner;
    if (owner && owner !== user._id) {
      throw conflict(
        `${describe(task)} is already claimed by ${username(state, owner)} since ${task.metrics.claim_time}`,
      );
    }
    // Re-claiming your own task succeeds and changes nothing, claim time included.
    if (!owner) claimed(task, user);
    return actionReply("Successfully created the requested item", task);
  });

  router.add("POST", `${base}/tasks/:taskId/release`, (ctx) => {
    const user = ctx.user();
    requireOperator(user, "release tasks");
    const task = taskById(ctx);
    if (isFinished(task)) throw badRequest(`${describe(task)} is ${task.status} and can no longer be released`);
    const owner = task.metrics.owner;
    if (!owner) throw badRequest(`${describe(task)} is not claimed`);
    if (owner !== user._id && !user.roles.includes("admin")) {
      throw conflict(
        `${describe(task)} is claimed by ${username(state, owner)}: only its owner or an admin can release it`,
      );
    }
    delete task.metrics.owner;
    delete task.metrics.user;
    delete task.metrics.claim_time;
    task.last_updated = deps.now().toISOString();
    return actionReply("Successfully updated the requested item", task);
  });

  router.add("POST", `${base}/tasks/:taskId/assign`, (ctx) => {
    const user = ctx.user();
    requireOperator(user, "assign tasks");
    const task = taskById(ctx);
    const userId = (ctx.body as { userId?: unknown } | undefined)?.userId;
    if (typeof userId !== "string" || !OBJECT_ID.test(userId)) {
      throw badRequest('Assign needs a body { "userId": "<24 hexadecimal characters>" }');
    }
    const assignee = state.users.get(userId);
    if (!assignee) throw badRequest(`User ${userId} does not exist`);
    requireClaimable(task, "assigned");
    // Assigning replaces whoever holds the task: it is how a lead hands work over.
    if (task.metrics.owner !== assignee._id) claimed(task, assignee);
    return actionReply("Successfully updated the requested item", task);
  });

  router.add("GET", `${base}/jobs`, (ctx) => {
    ctx.user();
    const query = parseSearch(ctx.query);
    checkProjection(ctx.query.get("include"), ctx.query.get("exclude"));
    const { page, total } = search(state.jobs.values(), query, (job) => servedJobView(state, job, jobPresentation()));
    const data = page.map((job) =>
      project(presentJob(state, job, jobPresentation()), ctx.query.get("include"), ctx.query.get("exclude")),
    );
    return { json: envelope("Successfully retrieved items", data, pageMetadata(query, total, data.length)) };
  });

  router.add("GET", `${base}/jobs/:jobId`, (ctx) => {
    ctx.user();
    checkProjection(ctx.query.get("include"), ctx.query.get("exclude"));
    const job = jobById(ctx.params.jobId as string);
    return {
      json: envelope(
        "Successfully retrieved the requested item",
        project(presentJob(state, job, jobPresentation()), ctx.query.get("include"), ctx.query.get("exclude")),
      ),
    };
  });

  router.add("POST", `${base}/jobs/start`, (ctx) => {
    const user = ctx.user();
    requireOperator(user, "start jobs");
    const body = (ctx.body ?? {}) as { workflow?: unknown; options?: unknown };
    if (typeof body.workflow !== "string" || body.workflow === "") {
      throw badRequest('Starting a job needs a body { "workflow": "<name>", "options": { … } }');
    }
    const workflow = state.workflows.get(body.workflow);
    if (!workflow) throw badRequest(`Workflow "${body.workflow}" does not exist`);
    const options = (body.options ?? {}) as Record<string, unknown>;
    if (typeof options !== "object" || Array.isArray(options)) throw badRequest("options must be an object");
    if (options.type !== undefined && options.type !== "automation")
      throw badRequest('options.type must be "automation"');
    if (options.description !== undefined && typeof options.description !== "string") {
      throw badRequest("options.description must be a string");
    }
    const variables = options.variables ?? {};
    if (typeof variables !== "object" || variables === null || Array.isArray(variables)) {
      throw badRequest("options.variables must be an object");
    }
    const groups = options.groups ?? [];
    if (!Array.isArray(groups) || !groups.every((g) => typeof g === "string")) {
      throw badRequest("options.groups must be an array of strings");
    }
    const job = startJob(
      state,
      workflow,
      {
        description: options.description as string | undefined,
        variables: variables as Record<string, unknown>,
        groups: groups as string[],
      },
      user,
      deps.now(),
    );
    return { json: envelope("Successfully created the requested item", presentJob(state, job, jobPresentation())) };
  });

  // IAP does not document this payload; the emulator answers what a manual task's form needs.
  router.add("GET", `${base}/jobs/:jobId/tasks/:taskKey/manual-controller`, (ctx) => {
    ctx.user();
    const task = taskByKey(ctx);
    if (task.type !== "manual")
      throw badRequest(`${describe(task)} is an ${task.type} task and has no manual controller`);
    return {
      json: envelope("Successfully retrieved the requested item", {
        _id: task._id,
        name: task.name,
        summary: task.summary,
        description: task.description,
        view: task.view,
        status: task.status,
        job: { _id: task.job._id, task: task.job.task, name: task.job.name, description: task.job.description },
        variables: structuredClone(task.variables.incoming),
        decorators: structuredClone(task.variables.decorators),
        finishStates: ["success", "failure"],
      }),
    };
  });

  router.add("POST", `${base}/jobs/:jobId/tasks/:taskKey/finish`, (ctx) => {
    const user = ctx.user();
    requireOperator(user, "finish tasks");
    const task = taskByKey(ctx);
    const taskData = (ctx.body as { taskData?: unknown } | undefined)?.taskData as Record<string, unknown> | undefined;
    const finishState = taskData?.finish_state;
    if (finishState !== "success" && finishState !== "failure") {
      throw badRequest(
        'Finishing needs a body { "taskData": { "finish_state": "success" | "failure", "variables": {} } }',
      );
    }
    const variables = taskData?.variables ?? {};
    if (typeof variables !== "object" || variables === null || Array.isArray(variables)) {
      throw badRequest("taskData.variables must be an object");
    }
    if (task.type !== "manual")
      throw badRequest(`${describe(task)} is an ${task.type} task: only manual tasks are finished by hand`);
    if (isFinished(task)) throw badRequest(`${describe(task)} is ${task.status} and cannot be finished again`);
    if (task.status !== "running") {
      throw badRequest(`${describe(task)} is ${task.status}: it can be finished once the tasks before it complete`);
    }
    // A person works a task they hold: finishing needs a claim, as in IAP's UI.
    const owner = task.metrics.owner;
    if (!owner) throw badRequest(`${describe(task)} is not claimed: claim it before finishing it`);
    if (owner !== user._id)
      throw conflict(`${describe(task)} is claimed by ${username(state, owner)}, not by ${user.username}`);
    finishTask(state, task, finishState, variables as Record<string, unknown>, user, deps.now());
    return actionReply("Successfully updated the requested item", task);
  });
}
