// The small workflow engine behind jobs: a job is a workflow's tasks as a DAG (`after`). Automatic
// tasks run and succeed the moment they are reached; manual tasks wait (status `running`) until a
// person finishes them. IAP's real engine does far more (transitions, error paths, child jobs); this
// is the part a task owner can observe.
import { newObjectId, newTaskId } from "./ids";
import type { JobRecord, JobTaskEntry, TaskRecord, UserRecord, WorkflowRecord, WorkItemRecord } from "./model";
import type { EmulatorState } from "./state";

/** IAP reports the id of the server that ran a task; the emulator is always the same one. */
export const SERVER_ID = "9349c650f70d50e4fe89c95327b7d4d9e6b5228ac83fe4fae120045b37b67860";

const FINISHED = new Set(["complete", "canceled", "error", "failure"]);

export function isFinished(task: TaskRecord): boolean {
  return FINISHED.has(task.status);
}

/** The task document of an entry's current (last) iteration. */
export function currentIteration(state: EmulatorState, entry: JobTaskEntry | undefined): TaskRecord | undefined {
  const id = entry?.iterations.at(-1);
  return id === undefined ? undefined : state.tasks.get(id);
}

export interface StartJobOptions {
  description?: string;
  variables?: Record<string, unknown>;
  groups?: string[];
  /**
   * Whether manual tasks reached at the start get their Work Center item (default true). The seed
   * says false: it lists its jobs' first items itself (its `workItems`), so a seed decides what
   * Work Center shows at start; manual tasks reached later always get one.
   */
  workItems?: boolean;
}

export function startJob(
  state: EmulatorState,
  workflow: WorkflowRecord,
  options: StartJobOptions,
  startedBy: UserRecord,
  now = new Date(),
): JobRecord {
  const jobId = newObjectId();
  const iso = now.toISOString();
  const job: JobRecord = {
    _id: jobId,
    name: workflow.name,
    description: options.description ?? workflow.description,
    type: "automation",
    status: "running",
    variables: structuredClone(options.variables ?? {}),
    groups: options.groups ?? [],
    tasks: {},
    ancestors: [jobId],
    created: iso,
    created_by: startedBy._id,
    last_updated: iso,
    metrics: { start_time: iso, end_time: null, user: startedBy._id },
  };
  for (const template of workflow.tasks) {
    const task: TaskRecord = {
      _id: newTaskId(),
      name: template.name,
      summary: template.summary,
      description: template.description,
      app: template.app,
      location: template.location,
      view: template.view,
      type: template.type,
      status: "incomplete",
      variables: {
        incoming: structuredClone(job.variables),
        outgoing: {},
        error: null,
        decorators: structuredClone(template.decorators),
      },
      last_updated: iso,
      encodingVersion: 1,
      job: { _id: jobId, task: template.key, name: job.name, description: job.description, ancestors: [jobId] },
      groups: template.groups.flatMap((name) => state.groupByName(name)?._id ?? []),
      incomingRefs: [...template.after],
      metrics: { start_time: [], end_time: null, run_time: null, server_id: SERVER_ID, finish_state: null },
    };
    state.tasks.set(task._id, task);
    job.tasks[template.key] = {
      taskId: template.key,
      iterations: [task._id],
      name: task.name,
      canvasName: task.name,
      summary: task.summary,
      app: task.app,
      type: task.type,
      status: task.status,
      groups: [...task.groups],
      owner: "",
      finish_state: null,
      variables: { incoming: {}, outgoing: {}, error: "", decorators: structuredClone(template.decorators) },
    };
  }
  state.jobs.set(jobId, job);
  advance(state, job, startedBy, now, options.workItems ?? true);
  return job;
}

/** Marks a manual task done and moves its job on. */
export function finishTask(
  state: EmulatorState,
  task: TaskRecord,
  finishState: "success" | "failure",
  variables: Record<string, unknown>,
  user: UserRecord,
  now = new Date(),
): void {
  const job = state.jobs.get(task.job._id);
  complete(task, finishState, user, now);
  task.variables.outgoing = structuredClone(variables);
  endItemOf(state, task, user, now);
  if (!job) return;
  syncEntry(job, task);
  if (finishState === "failure") {
    // No error transitions are modelled: a failed manual task fails its job, and whatever had not
    // finished yet is canceled.
    for (const entry of Object.values(job.tasks)) {
      const other = currentIteration(state, entry);
      if (other && !isFinished(other)) {
        other.status = "canceled";
        other.last_updated = now.toISOString();
        syncEntry(job, other);
        endItemOf(state, other, undefined, now);
      }
    }
    endJob(job, "error", now);
    return;
  }
  advance(state, job, user, now);
}

/**
 * The Work Center item of a workflow's manual task (Platform 6.5+ lists a waiting manual task in
 * both places): the item whose `appId` is WorkFlowEngine and whose `resourceId` is the task's id.
 */
export function workItemOfTask(state: EmulatorState, taskId: string): WorkItemRecord | undefined {
  for (const item of state.workItems.values()) {
    if (item.appId === WORKFLOW_APP && item.resourceId === taskId) return item;
  }
  return undefined;
}

export const WORKFLOW_APP = "WorkFlowEngine";

/**
 * The two records of one approval stay one approval: when the task ends (finished through
 * Operations Manager, or canceled with its job), its Work Center item ends the same way. The
 * reference does not say how 6.5+ links them; this is the behaviour a user of either view sees
 * (docs/emulator.md).
 */
function endItemOf(state: EmulatorState, task: TaskRecord, user: UserRecord | undefined, now: Date): void {
  const item = workItemOfTask(state, task._id);
  if (item === undefined) return;
  if (item.status !== "pending") return; // completed in Work Center first, or already ended
  const iso = now.toISOString();
  if (task.status === "complete") {
    item.status = "completed";
    if (user) item.metrics.completedBy = user._id;
    item.metrics.completedAt = iso;
    if (task.metrics.finish_state) item.metrics.finishState = task.metrics.finish_state;
  } else {
    item.status = "canceled";
  }
  item.updatedAt = iso;
}

/** A manual task that starts waiting gets its Work Center item, in the documented shape. */
function openItemFor(state: EmulatorState, job: JobRecord, task: TaskRecord, now: Date): void {
  if (workItemOfTask(state, task._id)) return;
  const iso = now.toISOString();
  const groups = task.groups.flatMap((id) => state.groups.get(id)?.name ?? []);
  const execution = { id: job._id, type: "workflow" as const, name: job.name, startTime: job.metrics.start_time };
  const item: WorkItemRecord = {
    id: newTaskId(),
    name: task.name,
    summary: task.summary ?? task.name,
    ...(task.description ? { description: task.description } : {}),
    status: "pending",
    groups: { read: groups, write: groups },
    appId: WORKFLOW_APP,
    resourceId: task._id,
    rootExecution: execution,
    execution,
    view: "/work-center/task/ViewData",
    variables: {},
    metrics: {},
    createdAt: iso,
    updatedAt: iso,
    isIncomingClaimChecked: false,
  };
  state.workItems.set(item.id, item);
}

function complete(task: TaskRecord, finishState: "success" | "failure", user: UserRecord, now: Date): void {
  const started = task.metrics.start_time.length > 0 ? Date.parse(task.metrics.start_time[0] as string) : now.getTime();
  task.status = "complete";
  task.metrics.finish_state = finishState;
  task.metrics.user = user._id;
  task.metrics.end_time = now.getTime();
  // Seconds, rounded: the documented example's run_time is a small integer.
  task.metrics.run_time = Math.round((now.getTime() - started) / 1000);
  task.last_updated = now.toISOString();
}

function advance(state: EmulatorState, job: JobRecord, user: UserRecord, now: Date, workItems = true): void {
  const byKey = (key: string) => currentIteration(state, job.tasks[key]);
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const entry of Object.values(job.tasks)) {
      const task = currentIteration(state, entry);
      if (task?.status !== "incomplete") continue;
      const ready = task.incomingRefs.every((key) => {
        const before = byKey(key);
        return before?.status === "complete" && before.metrics.finish_state === "success";
      });
      if (!ready) continue;
      task.status = "running";
      task.metrics.start_time = [now.toISOString()];
      task.last_updated = now.toISOString();
      if (task.type !== "manual") complete(task, "success", user, now);
      else if (workItems) openItemFor(state, job, task, now);
      syncEntry(job, task);
      progressed = true;
    }
  }
  const all = Object.values(job.tasks).map((entry) => currentIteration(state, entry));
  if (all.every((task) => task && isFinished(task))) endJob(job, "complete", now);
  else job.last_updated = now.toISOString();
}

function endJob(job: JobRecord, status: "complete" | "error", now: Date): void {
  job.status = status;
  job.metrics.end_time = now.toISOString();
  job.last_updated = now.toISOString();
}

/** Copies what a job's task entry shows of its current iteration (status, claim, finish state). */
function syncEntry(job: JobRecord, task: TaskRecord): void {
  const entry = job.tasks[task.job.task];
  if (!entry || entry.iterations.at(-1) !== task._id) return;
  entry.status = task.status;
  entry.owner = task.metrics.owner ?? "";
  entry.finish_state = task.metrics.finish_state;
}

/** After a claim, release or assign: the job's entry shows the task's new owner. */
export function taskChanged(state: EmulatorState, task: TaskRecord): void {
  const job = state.jobs.get(task.job._id);
  if (job) syncEntry(job, task);
}
