// Seeds: the users, groups, OAuth clients, workflows and jobs an emulator starts with. A seed is
// the friendly, mostly-optional shape people write by hand (`--seed file.json`); `buildSnapshot`
// turns it into stored records and starts its jobs through the same engine as `jobs/start`.
import { newObjectId, newTaskId } from "./ids";
import type { Role, StateSnapshot, TaskType, UserRecord, WorkflowTaskTemplate, WorkItemRecord } from "./model";
import { EmulatorState } from "./state";
import { startJob } from "./workflow";

export interface SeedUser {
  username: string;
  password: string;
  firstname?: string;
  email?: string;
  /** Group names. */
  groups?: string[];
  /** `operator` may claim, release, assign, finish and start; `viewer` may only read. */
  roles?: Role[];
  _id?: string;
}

export interface SeedGroup {
  name: string;
  description?: string;
  /** Roles the group grants (recorded as `assignedRoles`; the emulator checks users' own roles). */
  roles?: Role[];
  _id?: string;
}

export interface SeedOAuthClient {
  clientId: string;
  clientSecret: string;
  /** The username of the service account the client acts as. */
  username: string;
}

export interface SeedWorkflowTask {
  key: string;
  name: string;
  type?: TaskType;
  summary?: string;
  description?: string;
  after?: string[];
  app?: string;
  location?: "Adapter" | "Application" | "Broker";
  view?: string | null;
  groups?: string[];
  decorators?: { type: string | null; pointer: string }[];
}

export interface SeedWorkflow {
  name: string;
  description?: string;
  tasks: SeedWorkflowTask[];
}

export interface SeedJob {
  workflow: string;
  description?: string;
  variables?: Record<string, unknown>;
  /** Username of the user who started it (default: the first user). */
  startedBy?: string;
}

/**
 * A Work Center item (Platform 6.5+). Either the Work Center side of a seeded job's manual task
 * (`task`: that task's name in the job `job`, an index into `jobs`, default 0), as 6.5+ lists a
 * workflow's waiting task in both places; or an agent session's item (`agentSession`: the
 * session's name), which exists only in Work Center.
 */
export interface SeedWorkItem {
  name: string;
  summary?: string;
  description?: string;
  task?: string;
  job?: number;
  agentSession?: string;
  /** Group names with read and write access (default: none, everyone may act). */
  groups?: string[];
  variables?: Record<string, unknown>;
  _id?: string;
}

export interface EmulatorSeed {
  users?: SeedUser[];
  groups?: SeedGroup[];
  oauthClients?: SeedOAuthClient[];
  workflows?: SeedWorkflow[];
  jobs?: SeedJob[];
  workItems?: SeedWorkItem[];
}

/** The agent session of the default seed: its approval exists only in Work Center. */
export const DEFAULT_AGENT_SESSION = "Remediate BGP flaps on edge-rtr-02";

/** Credentials of the default seed, printed by the command and used by the demo. */
export const DEFAULT_CREDENTIALS = {
  admin: { username: "admin@pronghorn", password: "admin" },
  pipeline: { username: "svc-pipeline", password: "pipeline-secret" },
  pipelineClient: { clientId: "pipeline-client", clientSecret: "pipeline-client-secret" },
  approvers: [
    { username: "alice", password: "alice-secret" },
    { username: "bob", password: "bob-secret" },
  ],
  auditor: { username: "auditor", password: "auditor-secret" },
} as const;

export const DEFAULT_WORKFLOW = "Change approval";

export function defaultSeed(): EmulatorSeed {
  const c = DEFAULT_CREDENTIALS;
  return {
    groups: [
      { name: "admin", description: "Platform administrators", roles: ["admin"] },
      { name: "pipelines", description: "Service accounts of delivery pipelines", roles: ["operator"] },
      { name: "approvers", description: "People who approve network changes", roles: ["operator"] },
    ],
    users: [
      { ...c.admin, firstname: "admin", email: "admin@itential.com", groups: ["admin"], roles: ["admin"] },
      {
        ...c.pipeline,
        firstname: "Pipeline",
        email: "svc-pipeline@example.com",
        groups: ["pipelines"],
        roles: ["operator"],
      },
      {
        ...c.approvers[0],
        firstname: "Alice",
        email: "alice@example.com",
        groups: ["approvers"],
        roles: ["operator"],
      },
      { ...c.approvers[1], firstname: "Bob", email: "bob@example.com", groups: ["approvers"], roles: ["operator"] },
      { ...c.auditor, firstname: "Audrey", email: "auditor@example.com", groups: [], roles: ["viewer"] },
    ],
    oauthClients: [{ ...c.pipelineClient, username: c.pipeline.username }],
    workflows: [
      {
        name: DEFAULT_WORKFLOW,
        description: "Prepare, approve and implement a network change",
        tasks: [
          {
            key: "a1",
            name: "Prepare change",
            type: "automatic",
            app: "WorkFlowEngine",
            summary: "Render the change",
          },
          {
            key: "b2",
            name: "Approve change",
            after: ["a1"],
            summary: "Approve the rendered change",
            description: "A change manager reviews the rendered configuration and approves it",
            groups: ["approvers", "pipelines"],
            decorators: [{ type: "encryption", pointer: "/deviceCredentials" }],
          },
          {
            key: "c3",
            name: "Security review",
            after: ["a1"],
            summary: "Review the change for security impact",
            groups: ["approvers"],
          },
          {
            key: "d4",
            name: "Confirm maintenance window",
            after: ["b2", "c3"],
            summary: "Confirm the change may start now",
            groups: ["approvers", "pipelines"],
          },
        ],
      },
    ],
    jobs: [
      {
        workflow: DEFAULT_WORKFLOW,
        description: "Upgrade IOS on edge routers (CHG0001234)",
        variables: { changeId: "CHG0001234", devices: ["edge-rtr-01", "edge-rtr-02"], deviceCredentials: "****" },
        startedBy: c.admin.username,
      },
    ],
    workItems: [
      // On 6.5+ the running job's approval is also a Work Center item.
      { name: "Approve change", task: "Approve change", job: 0, groups: ["approvers", "pipelines"] },
      {
        name: "Approve agent remediation",
        summary: "Approve the configuration the agent proposes",
        description: "The agent proposes to reset the BGP session and raise its hold timer",
        agentSession: DEFAULT_AGENT_SESSION,
        groups: ["approvers", "pipelines"],
        variables: { proposal: "clear ip bgp 192.0.2.1 soft; neighbor 192.0.2.1 timers 30 90" },
      },
    ],
  };
}

/** Stable ids for the emulator's three roles, so users and groups can reference them as IAP does. */
const ROLE_IDS: Record<Role, string> = {
  admin: "66ec91e12b18975149d9e0d9",
  operator: "66ec91e12b18975149d9e0da",
  viewer: "66ec91e12b18975149d9e0db",
};

function meta(now: string) {
  return { created: now, updated: now, migrationVersion: 1 };
}

function templateTask(task: SeedWorkflowTask): WorkflowTaskTemplate {
  const type = task.type ?? "manual";
  return {
    key: task.key,
    name: task.name,
    summary: task.summary ?? task.name,
    description: task.description ?? task.summary ?? task.name,
    type,
    after: task.after ?? [],
    app: task.app ?? "WorkFlowEngine",
    location: task.location ?? "Application",
    view: task.view === undefined ? (type === "manual" ? "/workflow_engine/task/ViewData" : null) : task.view,
    groups: task.groups ?? [],
    decorators: task.decorators ?? [],
  };
}

/** Turns a seed into stored records, starting its jobs. Throws on references that do not resolve. */
export function buildSnapshot(seed: EmulatorSeed, now = new Date()): StateSnapshot {
  const iso = now.toISOString();
  const state = new EmulatorState();
  for (const g of seed.groups ?? []) {
    const _id = g._id ?? newObjectId();
    const roles = g.roles ?? [];
    state.groups.set(_id, {
      _id,
      provenance: "Local AAA",
      name: g.name,
      description: g.description ?? g.name,
      memberOf: [],
      assignedRoles: roles.map((role) => ({ roleId: ROLE_IDS[role] })),
      inactive: false,
      _meta: meta(iso),
    });
  }
  const groupId = (name: string) => {
    const group = state.groupByName(name);
    if (!group) throw new Error(`seed: group "${name}" is not defined`);
    return group._id;
  };
  for (const u of seed.users ?? []) {
    const roles = u.roles ?? ["operator"];
    const user: UserRecord = {
      _id: u._id ?? newObjectId(),
      provenance: "Local AAA",
      username: u.username,
      firstname: u.firstname ?? u.username,
      email: u.email ?? `${u.username}@example.com`,
      password: u.password,
      memberOf: (u.groups ?? []).map((name) => ({ groupId: groupId(name), aaaManaged: true })),
      assignedRoles: roles.map((role) => ({ roleId: ROLE_IDS[role] })),
      roles,
      inactive: false,
      lastLogin: null,
      _meta: meta(iso),
    };
    state.users.set(user._id, user);
  }
  for (const client of seed.oauthClients ?? []) {
    const user = state.userByName(client.username);
    if (!user) throw new Error(`seed: OAuth client ${client.clientId} names unknown user "${client.username}"`);
    state.oauthClients.set(client.clientId, {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      userId: user._id,
    });
  }
  for (const w of seed.workflows ?? []) {
    const keys = new Set(w.tasks.map((t) => t.key));
    for (const t of w.tasks) {
      if (!/^[0-9a-f]{1,4}$/.test(t.key)) throw new Error(`seed: task key "${t.key}" must be 1 to 4 hex digits`);
      for (const before of t.after ?? []) {
        if (!keys.has(before)) throw new Error(`seed: task ${t.key} of "${w.name}" runs after unknown task ${before}`);
      }
    }
    state.workflows.set(w.name, {
      name: w.name,
      description: w.description ?? w.name,
      tasks: w.tasks.map(templateTask),
    });
  }
  for (const j of seed.jobs ?? []) {
    const workflow = state.workflows.get(j.workflow);
    if (!workflow) throw new Error(`seed: job names unknown workflow "${j.workflow}"`);
    const startedBy = j.startedBy ? state.userByName(j.startedBy) : state.users.values().next().value;
    if (!startedBy) throw new Error(`seed: job of "${j.workflow}" has no user to start it`);
    startJob(
      state,
      workflow,
      { description: j.description, variables: j.variables ?? {}, workItems: false },
      startedBy,
      now,
    );
  }
  const jobIds = [...state.jobs.keys()];
  for (const w of seed.workItems ?? []) {
    const item = workItemOf(state, w, jobIds, iso);
    state.workItems.set(item.id, item);
  }
  return state.snapshot();
}

function workItemOf(state: EmulatorState, w: SeedWorkItem, jobIds: string[], iso: string): WorkItemRecord {
  const groups = (w.groups ?? []).map((name) => {
    if (!state.groupByName(name)) throw new Error(`seed: work item "${w.name}" names unknown group "${name}"`);
    return name;
  });
  let execution: WorkItemRecord["execution"];
  let resourceId: string;
  let appId: string;
  if (w.agentSession !== undefined) {
    if (w.task !== undefined) throw new Error(`seed: work item "${w.name}" has both task and agentSession`);
    execution = { id: newTaskId(), type: "agent", name: w.agentSession, startTime: iso };
    appId = "AgentManager";
    resourceId = newTaskId();
  } else {
    const jobId = jobIds[w.job ?? 0];
    const job = jobId === undefined ? undefined : state.jobs.get(jobId);
    if (!job) throw new Error(`seed: work item "${w.name}" names job ${w.job ?? 0}, which the seed does not start`);
    const entry = Object.values(job.tasks).find((t) => t.name === (w.task ?? w.name));
    const taskId = entry?.iterations.at(-1);
    if (taskId === undefined) {
      throw new Error(
        `seed: work item "${w.name}" names task "${w.task ?? w.name}", not in its job` +
          " (a seed that replaces the demo's jobs sets its own workItems, [] for none)",
      );
    }
    execution = { id: job._id, type: "workflow", name: job.name, startTime: iso };
    appId = "WorkFlowEngine";
    resourceId = taskId;
  }
  return {
    id: w._id ?? newTaskId(),
    name: w.name,
    summary: w.summary ?? w.name,
    ...(w.description !== undefined ? { description: w.description } : {}),
    status: "pending",
    groups: { read: groups, write: groups },
    appId,
    resourceId,
    rootExecution: execution,
    execution,
    view: "/work-center/task/ViewData",
    variables: w.variables ?? {},
    metrics: {},
    createdAt: iso,
    updatedAt: iso,
    isIncomingClaimChecked: false,
  };
}
