// The Work Center Service's wire format (Platform 6.5+; docs/work-center.md names the reference page
// of every field). Tolerant where the reference is silent (the fields inside `metrics` and the
// execution objects), strict where it is not (`id`, `status`), and a body that is not a work item
// raises ResponseFormatError naming the endpoint.
import { z } from "zod";
import { normaliseTime, normaliseUser, type Origin, parseWith, type TaskUser, timeValue, userRef } from "./schemas";

export type WorkItemStatus = "pending" | "completed" | "canceled";

/** The execution a work item belongs to: a workflow's job (`id` is the job id) or an agent session. */
export interface WorkItemExecution {
  id: string;
  type?: string;
  name?: string;
}

export interface WorkItem {
  id: string;
  name?: string;
  summary?: string;
  description?: string;
  status?: WorkItemStatus | (string & {});
  /** The execution that invoked createWorkItem. */
  execution?: WorkItemExecution;
  /** The execution that started the ancestry chain. */
  rootExecution?: WorkItemExecution;
  appId?: string;
  resourceId?: string;
  groups?: { read: string[]; write: string[] };
  /** Who has claimed the item (`metrics.owner`); undefined when nobody has. */
  owner?: TaskUser;
  /** When it was claimed, ISO-8601 UTC. */
  claimTime?: string;
  createdAt?: string;
  updatedAt?: string;
  /** The document as the server sent it. */
  raw: Record<string, unknown>;
}

/** One documented search filter (`field` and `operator` as the reference lists them). */
export interface WorkItemFilter {
  field:
    | "name"
    | "summary"
    | "owner"
    | "createdAt"
    | "executionStartTime"
    | "triggerType"
    | "triggerLabel"
    | "executionName"
    | "executionDescription";
  operator: "contains" | "equals" | "in" | "before" | "after";
  value: string | string[] | null;
}

export interface WorkItemSearch {
  filters?: WorkItemFilter[];
  sort?: { field: WorkItemFilter["field"]; order?: "asc" | "desc" };
  /** Default 0. */
  skip?: number;
  /** 1 to 100, default 25. */
  limit?: number;
}

const execution = z.looseObject({
  id: z.string().min(1),
  type: z.string().optional(),
  name: z.string().optional(),
});

/** @internal zod stays out of the published declarations (tsconfig.build.json: stripInternal). */
export const workItemDocument = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  summary: z.string().optional(),
  description: z.string().nullable().optional(),
  status: z.string().optional(),
  appId: z.string().optional(),
  resourceId: z.string().optional(),
  groups: z.looseObject({ read: z.array(z.string()), write: z.array(z.string()) }).optional(),
  execution: execution.nullable().optional(),
  rootExecution: execution.nullable().optional(),
  metrics: z
    .looseObject({
      owner: userRef,
      claimedAt: timeValue,
      claimTime: timeValue,
      claim_time: timeValue,
    })
    .nullable()
    .optional(),
  createdAt: timeValue,
  updatedAt: timeValue,
});

/**
 * @internal A search (or history) entry: only `id` is required. The reference calls them "work item
 * summaries" without defining them, and one odd entry must not fail a whole page (which would break
 * findWorkItem and the gone check for every other item): fields of the wrong shape are dropped.
 */
export const workItemSummary = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional().catch(undefined),
  summary: z.string().optional().catch(undefined),
  description: z.string().nullable().optional().catch(undefined),
  status: z.string().optional().catch(undefined),
  appId: z.string().optional().catch(undefined),
  resourceId: z.string().optional().catch(undefined),
  groups: z
    .looseObject({ read: z.array(z.string()).optional(), write: z.array(z.string()).optional() })
    .optional()
    .catch(undefined),
  execution: z
    .looseObject({ id: z.string().min(1).optional(), type: z.string().optional(), name: z.string().optional() })
    .nullable()
    .optional()
    .catch(undefined),
  rootExecution: z
    .looseObject({ id: z.string().min(1).optional(), type: z.string().optional(), name: z.string().optional() })
    .nullable()
    .optional()
    .catch(undefined),
  metrics: z
    .looseObject({
      owner: userRef.catch(undefined),
      claimedAt: timeValue.catch(undefined),
      claimTime: timeValue.catch(undefined),
      claim_time: timeValue.catch(undefined),
    })
    .nullable()
    .optional()
    .catch(undefined),
  createdAt: timeValue.catch(undefined),
  updatedAt: timeValue.catch(undefined),
});

const searchAnswer = z.looseObject({ data: z.array(z.unknown()), total: z.number().optional() });
const historyAnswer = z.looseObject({ items: z.array(z.unknown()) });
const countAnswer = z.looseObject({ count: z.number() });

function executionOf(
  value: { id?: string | undefined; type?: string | undefined; name?: string | undefined } | null | undefined,
): WorkItemExecution | undefined {
  if (!value?.id) return undefined;
  return {
    id: value.id,
    ...(value.type !== undefined ? { type: value.type } : {}),
    ...(value.name !== undefined ? { name: value.name } : {}),
  };
}

/** One work item as GET one and the writes answer it: strict (docs/work-center.md). */
export function parseWorkItem(value: unknown, origin: Origin): WorkItem {
  return toWorkItem(parseWith(workItemDocument, value, origin, "the work item"), value, origin);
}

/** One search or history entry: lenient, only `id` required (workItemSummary). */
export function parseWorkItemSummary(value: unknown, origin: Origin): WorkItem {
  return toWorkItem(parseWith(workItemSummary, value, origin, "a work item search entry"), value, origin, true);
}

type Doc = z.output<typeof workItemSummary>;

function toWorkItem(doc: Doc, value: unknown, origin: Origin, lenient = false): WorkItem {
  // A summary's bad time is left out rather than failing its page.
  const time = (v: unknown, field: string): string | undefined => {
    if (!lenient) return normaliseTime(v, origin, field);
    try {
      return normaliseTime(v, origin, field);
    } catch {
      return undefined;
    }
  };
  const item: WorkItem = { id: doc.id, raw: value as Record<string, unknown> };
  if (doc.name !== undefined) item.name = doc.name;
  if (doc.summary !== undefined) item.summary = doc.summary;
  if (typeof doc.description === "string") item.description = doc.description;
  if (doc.status !== undefined) item.status = doc.status;
  if (doc.appId !== undefined) item.appId = doc.appId;
  if (doc.resourceId !== undefined) item.resourceId = doc.resourceId;
  if (doc.groups) item.groups = { read: doc.groups.read ?? [], write: doc.groups.write ?? [] };
  const exec = executionOf(doc.execution);
  if (exec) item.execution = exec;
  const root = executionOf(doc.rootExecution);
  if (root) item.rootExecution = root;
  const owner = normaliseUser(doc.metrics?.owner);
  if (owner) item.owner = owner;
  const metrics = doc.metrics ?? undefined;
  // The reference does not name the claim time's field: the first spelling present wins.
  const claimTime = time(metrics?.claimedAt ?? metrics?.claimTime ?? metrics?.claim_time, "metrics.claimedAt");
  if (claimTime && owner) item.claimTime = claimTime;
  const createdAt = time(doc.createdAt, "createdAt");
  if (createdAt) item.createdAt = createdAt;
  const updatedAt = time(doc.updatedAt, "updatedAt");
  if (updatedAt) item.updatedAt = updatedAt;
  return item;
}

/** A search answer: `data` is documented; `total` is taken when the server sends it. */
export function parseWorkItemSearch(value: unknown, origin: Origin): { items: WorkItem[]; total?: number } {
  const answer = parseWith(searchAnswer, value, origin, "the work item search answer");
  const items = answer.data.map((entry) => parseWorkItemSummary(entry, origin));
  return answer.total !== undefined ? { items, total: answer.total } : { items };
}

/** The history of a root execution (`GET …/work-items?rootExecutionId=`): `{ items }`, entries lenient. */
export function parseWorkItemHistory(value: unknown, origin: Origin): WorkItem[] {
  return parseWith(historyAnswer, value, origin, "the work item history").items.map((entry) =>
    parseWorkItemSummary(entry, origin),
  );
}

export function parseWorkItemCount(value: unknown, origin: Origin): number {
  return parseWith(countAnswer, value, origin, "the work item count").count;
}
