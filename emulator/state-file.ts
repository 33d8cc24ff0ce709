// Reading a state file back: every record is checked before the emulator trusts it, so a partial,
// hand-edited or foreign file is refused at start with the file and the field named, never a
// TypeError in the middle of a request. Version 1 files (job task entries whose `taskId` held the
// task document's id) are migrated to version 2 (`taskId` is the key, the ids are in `iterations`).
import type { JobTaskEntry, StateSnapshot } from "./model";

class Problem extends Error {}

type Check = (value: unknown, at: string) => void;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

function expected(at: string, what: string, value: unknown): never {
  const got =
    value === undefined ? "nothing" : value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
  throw new Problem(`${at} should be ${what}, but is ${got}`);
}

const string: Check = (v, at) => {
  if (typeof v !== "string") expected(at, "a string", v);
};
const number: Check = (v, at) => {
  if (typeof v !== "number" || !Number.isFinite(v)) expected(at, "a number", v);
};
const boolean: Check = (v, at) => {
  if (typeof v !== "boolean") expected(at, "true or false", v);
};
const object: Check = (v, at) => {
  if (!isPlainObject(v)) expected(at, "an object", v);
};
const anything: Check = () => {};
const matching =
  (pattern: RegExp, what: string): Check =>
  (v, at) => {
    if (typeof v !== "string" || !pattern.test(v)) expected(at, what, v);
  };
const oneOf =
  (...values: unknown[]): Check =>
  (v, at) => {
    if (!values.includes(v))
      throw new Problem(`${at} should be one of ${values.map((x) => JSON.stringify(x)).join(", ")}`);
  };
const nullable =
  (check: Check): Check =>
  (v, at) => {
    if (v !== null) check(v, at);
  };
const optional =
  (check: Check): Check =>
  (v, at) => {
    if (v !== undefined) check(v, at);
  };
const either =
  (a: Check, b: Check, what: string): Check =>
  (v, at) => {
    try {
      a(v, at);
    } catch {
      try {
        b(v, at);
      } catch {
        expected(at, what, v);
      }
    }
  };
const arrayOf =
  (item: Check): Check =>
  (v, at) => {
    if (!Array.isArray(v)) expected(at, "an array", v);
    v.forEach((x, i) => {
      item(x, `${at}[${i}]`);
    });
  };
const recordOf =
  (item: Check): Check =>
  (v, at) => {
    object(v, at);
    for (const [key, value] of Object.entries(v as object)) item(value, `${at}.${key}`);
  };
const shape =
  (fields: Record<string, Check>): Check =>
  (v, at) => {
    object(v, at);
    for (const [key, check] of Object.entries(fields)) check((v as Record<string, unknown>)[key], `${at}.${key}`);
  };

const OBJECT_ID = matching(/^[0-9a-fA-F]{24}$/, "24 hexadecimal characters");
const TASK_ID = matching(/^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/, "a UUID");
const TASK_KEY = matching(/^[0-9a-fA-F]{1,4}$/, "1 to 4 hexadecimal digits");
const TASK_TYPE = oneOf("automatic", "manual", "operation");
const TASK_STATUS = oneOf("incomplete", "scheduled", "running", "complete", "canceled", "error", "failure", "paused");
const FINISH_STATE = oneOf("success", "failure", null);
const ROLE = oneOf("admin", "operator", "viewer");
const LOCATION = oneOf("Adapter", "Application", "Broker");
const meta = shape({ created: string, updated: string, migrationVersion: number });
const membership = arrayOf(shape({ groupId: string, aaaManaged: boolean }));
const roleRefs = arrayOf(shape({ roleId: string }));
const decorators = arrayOf(shape({ type: nullable(string), pointer: string }));
const variables = shape({ incoming: object, outgoing: object, error: anything, decorators });

const user = shape({
  _id: OBJECT_ID,
  provenance: string,
  username: string,
  firstname: string,
  email: string,
  password: string,
  memberOf: membership,
  assignedRoles: roleRefs,
  roles: arrayOf(ROLE),
  inactive: boolean,
  lastLogin: nullable(string),
  _meta: meta,
});
const group = shape({
  _id: OBJECT_ID,
  provenance: string,
  name: string,
  description: string,
  memberOf: membership,
  assignedRoles: roleRefs,
  inactive: boolean,
  _meta: meta,
});
const oauthClient = shape({ clientId: string, clientSecret: string, userId: OBJECT_ID });
const workflow = shape({
  name: string,
  description: string,
  tasks: arrayOf(
    shape({
      key: TASK_KEY,
      name: string,
      summary: string,
      description: string,
      type: TASK_TYPE,
      after: arrayOf(string),
      app: string,
      location: LOCATION,
      view: nullable(string),
      groups: arrayOf(string),
      decorators,
    }),
  ),
});
const jobEntryV1 = shape({ taskId: TASK_ID, name: string, type: TASK_TYPE, status: TASK_STATUS, summary: string });
const jobEntryV2 = shape({
  taskId: TASK_KEY,
  iterations: (v, at) => {
    arrayOf(TASK_ID)(v, at);
    if ((v as unknown[]).length === 0) throw new Problem(`${at} should name at least one task`);
  },
  name: string,
  canvasName: string,
  summary: string,
  app: string,
  type: TASK_TYPE,
  status: TASK_STATUS,
  groups: arrayOf(string),
  owner: string,
  finish_state: FINISH_STATE,
  variables,
});
const job = (entry: Check) =>
  shape({
    _id: OBJECT_ID,
    name: string,
    description: string,
    type: oneOf("automation"),
    status: oneOf("running", "complete", "canceled", "error", "paused"),
    variables: object,
    groups: arrayOf(string),
    tasks: recordOf(entry),
    ancestors: arrayOf(string),
    created: string,
    created_by: string,
    last_updated: string,
    metrics: shape({ start_time: string, end_time: nullable(string), user: string }),
  });
const task = shape({
  _id: TASK_ID,
  name: string,
  summary: string,
  description: string,
  app: string,
  location: LOCATION,
  view: nullable(string),
  type: TASK_TYPE,
  status: TASK_STATUS,
  variables,
  last_updated: string,
  encodingVersion: number,
  job: shape({ _id: OBJECT_ID, task: TASK_KEY, name: string, description: string, ancestors: arrayOf(string) }),
  groups: arrayOf(string),
  incomingRefs: arrayOf(string),
  metrics: shape({
    start_time: arrayOf(string),
    end_time: nullable(number),
    run_time: nullable(number),
    server_id: string,
    finish_state: FINISH_STATE,
    claim_time: optional(either(string, number, "a time")),
    owner: optional(string),
    user: optional(string),
  }),
});

const WORK_ITEM_STATUS = oneOf("pending", "completed", "canceled");
const execution = shape({ id: string, type: oneOf("workflow", "agent"), name: optional(string) });
const workItem = shape({
  id: TASK_ID,
  name: string,
  summary: string,
  status: WORK_ITEM_STATUS,
  groups: shape({ read: arrayOf(string), write: arrayOf(string) }),
  appId: string,
  resourceId: string,
  rootExecution: execution,
  execution,
  view: string,
  variables: object,
  metrics: shape({ owner: optional(OBJECT_ID), claimedAt: optional(string) }),
  createdAt: string,
  updatedAt: string,
});

const snapshot = (version: 1 | 2) =>
  shape({
    users: arrayOf(user),
    groups: arrayOf(group),
    oauthClients: arrayOf(oauthClient),
    workflows: arrayOf(workflow),
    jobs: arrayOf(job(version === 1 ? jobEntryV1 : jobEntryV2)),
    tasks: arrayOf(task),
    workItems: optional(arrayOf(workItem)),
  });

/** Checks references between records: a dangling one would otherwise fail a request later. */
function checkReferences(value: StateSnapshot): void {
  const users = new Set(value.users.map((u) => u._id));
  const tasks = new Map(value.tasks.map((t) => [t._id, t]));
  const jobs = new Set(value.jobs.map((j) => j._id));
  value.oauthClients.forEach((client, i) => {
    if (!users.has(client.userId)) throw new Problem(`oauthClients[${i}].userId ${client.userId} is not a user`);
  });
  value.tasks.forEach((t, i) => {
    if (!jobs.has(t.job._id)) throw new Problem(`tasks[${i}].job._id ${t.job._id} is not a job`);
  });
  value.jobs.forEach((j, i) => {
    for (const [key, entry] of Object.entries(j.tasks)) {
      for (const id of entry.iterations) {
        const found = tasks.get(id);
        if (!found) throw new Problem(`jobs[${i}].tasks.${key} names task ${id}, which is not in tasks`);
        if (found.job._id !== j._id || found.job.task !== key) {
          throw new Problem(`jobs[${i}].tasks.${key} names task ${id}, which belongs to another job or key`);
        }
      }
    }
  });
}

/** Version 1 entries carried the task document's id in `taskId`; version 2 is IAP's shape. */
function migrateV1(value: Record<string, unknown>): StateSnapshot {
  const tasks = new Map((value.tasks as StateSnapshot["tasks"]).map((t) => [t._id, t]));
  const jobs = (value.jobs as { tasks: Record<string, { taskId: string }> }[]).map((j, i) => {
    const entries: Record<string, JobTaskEntry> = {};
    for (const [key, old] of Object.entries(j.tasks)) {
      const t = tasks.get(old.taskId);
      if (!t) throw new Problem(`jobs[${i}].tasks.${key}.taskId ${old.taskId} is not in tasks`);
      entries[key] = {
        taskId: key,
        iterations: [t._id],
        name: t.name,
        canvasName: t.name,
        summary: t.summary,
        app: t.app,
        type: t.type,
        status: t.status,
        groups: [...t.groups],
        owner: t.metrics.owner ?? "",
        finish_state: t.metrics.finish_state,
        variables: { incoming: {}, outgoing: {}, error: "", decorators: structuredClone(t.variables.decorators) },
      };
    }
    return { ...j, tasks: entries };
  });
  return { ...(value as unknown as StateSnapshot), version: 2, jobs: jobs as unknown as StateSnapshot["jobs"] };
}

/**
 * The snapshot in a state file's parsed JSON, migrated to the current version; throws an Error
 * naming the file and the first problem found.
 */
export function readSnapshot(value: unknown, file: string): StateSnapshot {
  try {
    if (!isPlainObject(value) || (value.version !== 1 && value.version !== 2)) {
      throw new Problem('it has no "version": 1 or 2 (is it an emulator state file?)');
    }
    const version = value.version;
    snapshot(version)(value, "state");
    const current = version === 1 ? migrateV1(value) : (value as unknown as StateSnapshot);
    checkReferences(current);
    return current;
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    throw new Error(
      `State file ${file} cannot be used: ${error.message.replace(/^state\./, "")}. Fix it, or delete it to start from the seed.`,
    );
  }
}
