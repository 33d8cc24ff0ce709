// In-memory state, optionally persisted to a JSON file so a demo can stop and resume.
import * as fs from "node:fs";
import * as path from "node:path";
import type {
  GroupRecord,
  JobRecord,
  OAuthClientRecord,
  StateSnapshot,
  TaskRecord,
  UserRecord,
  WorkflowRecord,
} from "./model";

export class EmulatorState {
  users = new Map<string, UserRecord>();
  groups = new Map<string, GroupRecord>();
  oauthClients = new Map<string, OAuthClientRecord>();
  workflows = new Map<string, WorkflowRecord>();
  jobs = new Map<string, JobRecord>();
  tasks = new Map<string, TaskRecord>();

  constructor(private readonly stateFile?: string) {}

  replace(snapshot: StateSnapshot): void {
    this.users = new Map(snapshot.users.map((u) => [u._id, u]));
    this.groups = new Map(snapshot.groups.map((g) => [g._id, g]));
    this.oauthClients = new Map(snapshot.oauthClients.map((c) => [c.clientId, c]));
    this.workflows = new Map(snapshot.workflows.map((w) => [w.name, w]));
    this.jobs = new Map(snapshot.jobs.map((j) => [j._id, j]));
    this.tasks = new Map(snapshot.tasks.map((t) => [t._id, t]));
  }

  snapshot(): StateSnapshot {
    return structuredClone({
      version: 1 as const,
      users: [...this.users.values()],
      groups: [...this.groups.values()],
      oauthClients: [...this.oauthClients.values()],
      workflows: [...this.workflows.values()],
      jobs: [...this.jobs.values()],
      tasks: [...this.tasks.values()],
    });
  }

  userByName(username: string): UserRecord | undefined {
    for (const user of this.users.values()) if (user.username === username) return user;
    return undefined;
  }

  groupByName(name: string): GroupRecord | undefined {
    for (const group of this.groups.values()) if (group.name === name) return group;
    return undefined;
  }

  /** The current (last) iteration of the task with this key in this job. */
  taskByKey(jobId: string, key: string): TaskRecord | undefined {
    const id = this.jobs.get(jobId)?.tasks[key]?.iterations.at(-1);
    return id === undefined ? undefined : this.tasks.get(id);
  }

  /** Reads the state file, or returns undefined when there is none yet. */
  load(): StateSnapshot | undefined {
    if (!this.stateFile || !fs.existsSync(this.stateFile)) return undefined;
    const parsed = JSON.parse(fs.readFileSync(this.stateFile, "utf8")) as StateSnapshot;
    if (parsed.version !== 1 || !Array.isArray(parsed.tasks)) {
      throw new Error(`${this.stateFile} is not an emulator state file (version 1)`);
    }
    return parsed;
  }

  /** Writes the state file atomically: a crash mid-write leaves the previous state, never half of one. */
  persist(): void {
    if (!this.stateFile) return;
    const dir = path.dirname(this.stateFile);
    fs.mkdirSync(dir, { recursive: true });
    const temporary = path.join(dir, `.${path.basename(this.stateFile)}.${process.pid}.tmp`);
    fs.writeFileSync(temporary, `${JSON.stringify(this.snapshot(), null, 2)}\n`);
    fs.renameSync(temporary, this.stateFile);
  }
}
