// The Work Center Service (Platform 6.5+): work items under /work-center-service/work-items, in the
// documented shapes (docs/work-center.md lists the reference page of each route). Work Center
// answers the work item itself, not Operations Manager's `{ message, data, metadata }` envelope;
// errors still go through the server's error path, so `businessErrorsAs500` applies to them.
//
// Where the reference is silent the rules are those of the task routes: claiming an item someone
// else holds is refused (409), re-claiming your own is an idempotent success, releasing an
// unclaimed item is refused (400), only the holder or an admin releases, a completed or canceled
// item can no longer be claimed, released, assigned or completed. A workflow's item and its
// Operations Manager task are separate records with separate claims (the reference does not say
// they share one), but one approval: completing either ends the other (emulator/workflow.ts).
import { badRequest, conflict, forbidden, notFound } from "../errors";
import { newTaskId, OBJECT_ID, TASK_ID } from "../ids";
import type { UserRecord, WorkItemExecution, WorkItemRecord } from "../model";
import type { RequestContext, Router } from "../router";
import type { EmulatorState } from "../state";
import { finishTask, isFinished, WORKFLOW_APP } from "../workflow";
import { requireOperator } from "./operations-manager";

export interface WorkCenterDeps {
  state: EmulatorState;
  now(): Date;
}

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
const OPERATORS = new Set(["contains", "equals", "in", "before", "after"]);
const MAX_LIMIT = 100;

interface Filter {
  field: string;
  operator: string;
  value: unknown;
}

function describe(item: WorkItemRecord): string {
  return `Work item ${item.id} ("${item.name}")`;
}

/** The value a documented filter field reads from an item. */
function fieldOf(item: WorkItemRecord, field: string): string | undefined {
  switch (field) {
    case "name":
      return item.name;
    case "summary":
      return item.summary;
    case "owner":
      return item.metrics.owner;
    case "createdAt":
      return item.createdAt;
    case "executionStartTime":
      return item.execution.startTime;
    case "triggerType":
      return item.execution.type;
    case "executionName":
    case "triggerLabel":
      return item.execution.name;
    default:
      return undefined;
  }
}

function matches(item: WorkItemRecord, filter: Filter): boolean {
  const got = fieldOf(item, filter.field);
  const want = filter.value;
  switch (filter.operator) {
    case "equals":
      return want === null ? got === undefined : got === want;
    case "contains":
      return typeof want === "string" && got !== undefined && got.toLowerCase().includes(want.toLowerCase());
    case "in":
      return Array.isArray(want) && got !== undefined && want.includes(got);
    case "before":
      return typeof want === "string" && got !== undefined && Date.parse(got) < Date.parse(want);
    case "after":
      return typeof want === "string" && got !== undefined && Date.parse(got) > Date.parse(want);
    default:
      return false;
  }
}

/** The documented filter list; anything else is refused, naming what is wrong. */
function parseFilters(body: unknown): Filter[] {
  if (body === undefined) return [];
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw badRequest("The body must be an object");
  const filters = (body as { filters?: unknown }).filters;
  if (filters === undefined) return [];
  if (!Array.isArray(filters)) throw badRequest("filters must be a list");
  return filters.map((f, i) => {
    const { field, operator, value } = (f ?? {}) as Record<string, unknown>;
    if (typeof field !== "string" || !FILTER_FIELDS.has(field)) {
      throw badRequest(`filters[${i}].field must be one of ${[...FILTER_FIELDS].join(", ")}`);
    }
    if (typeof operator !== "string" || !OPERATORS.has(operator)) {
      throw badRequest(`filters[${i}].operator must be one of ${[...OPERATORS].join(", ")}`);
    }
    return { field, operator, value };
  });
}

function pageOf(body: unknown): { skip: number; limit: number; sortField: string; descending: boolean } {
  const b = (body ?? {}) as { skip?: unknown; limit?: unknown; sort?: { field?: unknown; order?: unknown } };
  const skip = b.skip ?? 0;
  const limit = b.limit ?? 25;
  if (typeof skip !== "number" || !Number.isInteger(skip) || skip < 0) throw badRequest("skip must be a whole number");
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw badRequest(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  const sortField = typeof b.sort?.field === "string" ? b.sort.field : "createdAt";
  if (!FILTER_FIELDS.has(sortField)) throw badRequest(`sort.field must be one of ${[...FILTER_FIELDS].join(", ")}`);
  const descending = b.sort?.order === undefined ? true : b.sort.order === "desc" || b.sort.order === -1;
  return { skip, limit, sortField, descending };
}

export function registerWorkCenterRoutes(router: Router, deps: WorkCenterDeps): void {
  const { state } = deps;
  const base = "/work-center-service/work-items";

  const itemById = (ctx: RequestContext): WorkItemRecord => {
    const id = ctx.params.id as string;
    if (!TASK_ID.test(id)) throw badRequest(`Invalid work item id "${id}": a work item id is a UUID`);
    const item = state.workItems.get(id);
    if (!item) throw notFound(`Work item ${id} not found`);
    return item;
  };

  const username = (id: string | undefined) => (id && state.users.get(id)?.username) || String(id);

  /** Only members of the item's write groups (or admins) act on it; no write groups: everyone. */
  const requireWriter = (user: UserRecord, item: WorkItemRecord, action: string): void => {
    requireOperator(user, action);
    if (user.roles.includes("admin") || item.groups.write.length === 0) return;
    const mine = new Set(user.memberOf.map((m) => state.groups.get(m.groupId)?.name));
    if (!item.groups.write.some((name) => mine.has(name))) {
      throw forbidden(`User ${user.username} is in none of the groups that may act on ${describe(item)}`);
    }
  };

  const requirePending = (item: WorkItemRecord, verb: string): void => {
    if (item.status !== "pending") throw badRequest(`${describe(item)} is ${item.status} and can no longer be ${verb}`);
  };

  const touch = (item: WorkItemRecord) => {
    item.updatedAt = deps.now().toISOString();
  };

  const hold = (item: WorkItemRecord, owner: UserRecord) => {
    item.metrics.owner = owner._id;
    item.metrics.claimedAt = deps.now().toISOString();
    touch(item);
  };

  const reply = (item: WorkItemRecord) => ({ json: structuredClone(item) });

  router.add("GET", base, (ctx) => {
    ctx.user();
    const root = ctx.query.get("rootExecutionId");
    const items = [...state.workItems.values()]
      .filter((item) => root === null || item.rootExecution.id === root)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return { json: { items: structuredClone(items) } };
  });

  // Create ([create]: appId, resourceId, name, summary, view and groups required; appId with
  // resourceId unique). The page read was cut after `groups`: `execution`, `rootExecution`,
  // `variables` and `description` are taken when given (docs/emulator.md). This is how an agent
  // session's approval appears mid-run.
  router.add("POST", base, (ctx) => {
    const user = ctx.user();
    requireOperator(user, "create work items");
    const body = ctx.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("The body must be an object");
    for (const key of ["appId", "resourceId", "name", "summary", "view"]) {
      if (typeof body[key] !== "string" || body[key] === "") throw badRequest(`${key} is required (a string)`);
    }
    const groups = body.groups as { read?: unknown; write?: unknown } | undefined;
    const names = (v: unknown) => Array.isArray(v) && v.every((g) => typeof g === "string");
    if (!groups || typeof groups !== "object" || !names(groups.read) || !names(groups.write)) {
      throw badRequest("groups is required: { read: string[], write: string[] }");
    }
    const executionOf = (v: unknown, what: string): WorkItemExecution | undefined => {
      if (v === undefined) return undefined;
      const e = v as Record<string, unknown>;
      if (!e || typeof e !== "object" || typeof e.id !== "string" || e.id === "") {
        throw badRequest(`${what}.id is required (a string)`);
      }
      if (e.type !== "workflow" && e.type !== "agent") throw badRequest(`${what}.type must be workflow or agent`);
      return { id: e.id, type: e.type, ...(typeof e.name === "string" ? { name: e.name } : {}) };
    };
    const startTime = deps.now().toISOString();
    const execution = executionOf(body.execution, "execution") ?? {
      id: newTaskId(),
      type: "agent",
      name: body.appId as string,
    };
    execution.startTime ??= startTime;
    const rootExecution = executionOf(body.rootExecution, "rootExecution") ?? execution;
    const variables = body.variables ?? {};
    if (!variables || typeof variables !== "object" || Array.isArray(variables)) {
      throw badRequest("variables must be an object");
    }
    for (const other of state.workItems.values()) {
      if (other.appId === body.appId && other.resourceId === body.resourceId) {
        throw conflict(`A work item of ${body.appId} for resource ${body.resourceId} exists: ${other.id}`);
      }
    }
    const item: WorkItemRecord = {
      id: newTaskId(),
      name: body.name as string,
      summary: body.summary as string,
      ...(typeof body.description === "string" ? { description: body.description } : {}),
      status: "pending",
      groups: { read: groups.read as string[], write: groups.write as string[] },
      appId: body.appId as string,
      resourceId: body.resourceId as string,
      rootExecution,
      execution,
      view: body.view as string,
      variables: variables as Record<string, unknown>,
      metrics: {},
      createdAt: startTime,
      updatedAt: startTime,
      isIncomingClaimChecked: false,
    };
    state.workItems.set(item.id, item);
    return reply(item);
  });

  router.add("POST", `${base}/search`, (ctx) => {
    ctx.user();
    const filters = parseFilters(ctx.body);
    const { skip, limit, sortField, descending } = pageOf(ctx.body);
    const found = [...state.workItems.values()]
      .filter((item) => filters.every((f) => matches(item, f)))
      .sort((a, b) => {
        const order =
          (fieldOf(a, sortField) ?? "").localeCompare(fieldOf(b, sortField) ?? "") || a.id.localeCompare(b.id);
        return descending ? -order : order;
      });
    return { json: { data: structuredClone(found.slice(skip, skip + limit)), total: found.length, skip, limit } };
  });

  router.add("POST", `${base}/count`, (ctx) => {
    ctx.user();
    const filters = parseFilters(ctx.body);
    const count = [...state.workItems.values()].filter(
      (item) => item.status === "pending" && filters.every((f) => matches(item, f)),
    ).length;
    return { json: { count } };
  });

  router.add("GET", `${base}/:id`, (ctx) => {
    ctx.user();
    return reply(itemById(ctx));
  });

  router.add("PATCH", `${base}/:id/claim`, (ctx) => {
    const user = ctx.user();
    const item = itemById(ctx);
    requireWriter(user, item, "claim work items");
    requirePending(item, "claimed");
    const owner = item.metrics.owner;
    if (owner && owner !== user._id) {
      throw conflict(`${describe(item)} is already claimed by ${username(owner)} since ${item.metrics.claimedAt}`);
    }
    // Re-claiming your own item succeeds and changes nothing, claim time included.
    if (!owner) hold(item, user);
    return reply(item);
  });

  router.add("PATCH", `${base}/:id/release`, (ctx) => {
    const user = ctx.user();
    const item = itemById(ctx);
    requireWriter(user, item, "release work items");
    requirePending(item, "released");
    const owner = item.metrics.owner;
    if (!owner) throw badRequest(`${describe(item)} is not claimed`);
    if (owner !== user._id && !user.roles.includes("admin")) {
      throw conflict(`${describe(item)} is claimed by ${username(owner)}: only its owner or an admin can release it`);
    }
    delete item.metrics.owner;
    delete item.metrics.claimedAt;
    touch(item);
    return reply(item);
  });

  router.add("PATCH", `${base}/:id/assign`, (ctx) => {
    const user = ctx.user();
    const item = itemById(ctx);
    requireWriter(user, item, "assign work items");
    const owner = (ctx.body as { owner?: unknown } | undefined)?.owner;
    if (typeof owner !== "string" || !OBJECT_ID.test(owner)) {
      throw badRequest("owner must be the user id (24 hexadecimal characters) to assign the work item to");
    }
    const assignee = state.users.get(owner);
    if (!assignee) throw notFound(`User ${owner} not found`);
    requirePending(item, "assigned");
    if (item.metrics.owner !== assignee._id) hold(item, assignee);
    return reply(item);
  });

  router.add("PATCH", `${base}/:id/complete`, (ctx) => {
    const user = ctx.user();
    const item = itemById(ctx);
    requireWriter(user, item, "complete work items");
    requirePending(item, "completed");
    const body = (ctx.body ?? {}) as { finishState?: unknown; variables?: unknown };
    if (body.finishState !== undefined && typeof body.finishState !== "string") {
      throw badRequest("finishState must be a string");
    }
    if (body.variables !== undefined && (typeof body.variables !== "object" || body.variables === null)) {
      throw badRequest("variables must be an object");
    }
    // A person works an item they hold, as in Work Center's UI.
    const owner = item.metrics.owner;
    if (!owner) throw badRequest(`${describe(item)} is not claimed: claim it before completing it`);
    if (owner !== user._id)
      throw conflict(`${describe(item)} is claimed by ${username(owner)}, not by ${user.username}`);
    item.status = "completed";
    item.metrics.completedBy = user._id;
    item.metrics.completedAt = deps.now().toISOString();
    if (typeof body.finishState === "string") item.metrics.finishState = body.finishState;
    if (body.variables) item.variables = { ...item.variables, response: body.variables };
    touch(item);
    // A workflow's item is its job's manual task: completing it finishes the task and moves the
    // job on, as one approval does on 6.5+ (docs/emulator.md; the reference is silent on how).
    const task = item.appId === WORKFLOW_APP ? state.tasks.get(item.resourceId) : undefined;
    if (task && !isFinished(task)) {
      const finish = body.finishState === "failure" ? "failure" : "success";
      finishTask(state, task, finish, (body.variables ?? {}) as Record<string, unknown>, user, deps.now());
    }
    return reply(item);
  });

  router.add("PATCH", `${base}/:id/cancel`, (ctx) => {
    const user = ctx.user();
    const item = itemById(ctx);
    requireWriter(user, item, "cancel work items");
    requirePending(item, "canceled");
    item.status = "canceled";
    touch(item);
    return reply(item);
  });
}
