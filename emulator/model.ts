// The emulator's stored records. Tasks and jobs are kept in IAP's own document shape (users and
// groups referenced by id), so serving one is a projection, not a translation. These types repeat
// some of sdk/schemas.ts on purpose: the emulator shares nothing with the client, so that it can
// catch the client's mistakes instead of sharing them.

export type TaskType = "automatic" | "manual" | "operation";
export type TaskStatus =
  | "incomplete"
  | "scheduled"
  | "running"
  | "complete"
  | "canceled"
  | "error"
  | "failure"
  | "paused";
export type JobStatus = "running" | "complete" | "canceled" | "error" | "paused";
export type Role = "admin" | "operator" | "viewer";

export interface Meta {
  created: string;
  updated: string;
  migrationVersion: number;
}

export interface UserRecord {
  _id: string;
  provenance: string;
  username: string;
  firstname: string;
  email: string;
  /** Kept in the emulator's state (and state file) in plain text: it is a local test server. */
  password: string;
  memberOf: { groupId: string; aaaManaged: boolean }[];
  assignedRoles: { roleId: string }[];
  roles: Role[];
  inactive: boolean;
  lastLogin: string | null;
  _meta: Meta;
}

export interface GroupRecord {
  _id: string;
  provenance: string;
  name: string;
  description: string;
  memberOf: { groupId: string; aaaManaged: boolean }[];
  assignedRoles: { roleId: string }[];
  inactive: boolean;
  _meta: Meta;
}

export interface OAuthClientRecord {
  clientId: string;
  clientSecret: string;
  /** The service account that actions taken with this client are recorded against. */
  userId: string;
}

export interface WorkflowTaskTemplate {
  /** The job-local task key, 1 to 4 hex digits. */
  key: string;
  name: string;
  summary: string;
  description: string;
  type: TaskType;
  /** Keys of the tasks that must complete with success before this one runs. */
  after: string[];
  app: string;
  location: "Adapter" | "Application" | "Broker";
  view: string | null;
  /** Group names allowed to work the task (recorded, not enforced). */
  groups: string[];
  decorators: { type: string | null; pointer: string }[];
}

export interface WorkflowRecord {
  name: string;
  description: string;
  tasks: WorkflowTaskTemplate[];
}

export interface TaskMetrics {
  start_time: string[];
  end_time: number | null;
  run_time: number | null;
  server_id: string;
  finish_state: "success" | "failure" | null;
  claim_time?: string | number;
  /** User ids in storage; user objects when dereferenced. */
  owner?: string;
  user?: string;
}

export interface TaskRecord {
  _id: string;
  name: string;
  summary: string;
  description: string;
  app: string;
  location: "Adapter" | "Application" | "Broker";
  view: string | null;
  type: TaskType;
  status: TaskStatus;
  variables: {
    incoming: Record<string, unknown>;
    outgoing: Record<string, unknown>;
    error: unknown;
    decorators: { type: string | null; pointer: string }[];
  };
  last_updated: string;
  encodingVersion: number;
  job: { _id: string; task: string; name: string; description: string; ancestors: string[] };
  /** Group ids. */
  groups: string[];
  incomingRefs: string[];
  metrics: TaskMetrics;
}

/**
 * A task as its job lists it (IAP's recorded 2023.1 job documents): `taskId` is the task key again,
 * not a task document id; the task documents' UUIDs are in `iterations`, one per time the task
 * ran, the last being the current one (the emulator runs each task once).
 */
export interface JobTaskEntry {
  taskId: string;
  iterations: string[];
  name: string;
  canvasName: string;
  summary: string;
  app: string;
  type: TaskType;
  status: TaskStatus;
  /** Group ids, as on the task. */
  groups: string[];
  /** The current iteration's claim: a user id, "" when nobody holds it. */
  owner: string;
  finish_state: "success" | "failure" | null;
  variables: {
    incoming: Record<string, unknown>;
    outgoing: Record<string, unknown>;
    error: unknown;
    decorators: { type: string | null; pointer: string }[];
  };
}

export interface JobRecord {
  _id: string;
  name: string;
  description: string;
  type: "automation";
  status: JobStatus;
  variables: Record<string, unknown>;
  groups: string[];
  /** Job-local task key → the task's entry, as IAP's job document lists its tasks. */
  tasks: Record<string, JobTaskEntry>;
  ancestors: string[];
  created: string;
  created_by: string;
  last_updated: string;
  metrics: { start_time: string; end_time: string | null; user: string };
}

/** Everything the emulator persists; tokens are not kept (clients log in again after a restart). */
/** Work Center (Platform 6.5+): a work item as the Work Center Service serves it (docs/work-center.md). */
export type WorkItemStatus = "pending" | "completed" | "canceled";

export interface WorkItemExecution {
  id: string;
  /** `workflow` (an Operations Manager job: `id` is the job id) or `agent` (an agent session). */
  type: "workflow" | "agent";
  name?: string;
  startTime?: string;
}

export interface WorkItemRecord {
  id: string;
  name: string;
  summary: string;
  description?: string;
  status: WorkItemStatus;
  groups: { read: string[]; write: string[] };
  appId: string;
  resourceId: string;
  rootExecution: WorkItemExecution;
  execution: WorkItemExecution;
  view: string;
  variables: Record<string, unknown>;
  /** `owner` is a user id; `claimedAt` ISO 8601 (our choice where the reference is silent). */
  metrics: { owner?: string; claimedAt?: string; completedBy?: string; completedAt?: string; finishState?: string };
  createdAt: string;
  updatedAt: string;
  isIncomingClaimChecked: boolean;
}

export interface StateSnapshot {
  /** 2 since job task entries have `iterations` (version 1 files are migrated when loaded). */
  version: 2;
  users: UserRecord[];
  groups: GroupRecord[];
  oauthClients: OAuthClientRecord[];
  workflows: WorkflowRecord[];
  jobs: JobRecord[];
  tasks: TaskRecord[];
  /** Work Center items; absent in state files written before Work Center was emulated. */
  workItems?: WorkItemRecord[];
}
