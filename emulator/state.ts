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
  WorkItemRecord,
} from "./model";
import { readSnapshot } from "./state-file";

/** The state file could not be written: the change it was meant to keep has not been made. */
export class StateFileError extends Error {}

export class EmulatorState {
  users = new Map<string, UserRecord>();
  groups = new Map<string, GroupRecord>();
  oauthClients = new Map<string, OAuthClientRecord>();
  workflows = new Map<string, WorkflowRecord>();
  jobs = new Map<string, JobRecord>();
  tasks = new Map<string, TaskRecord>();
  workItems = new Map<string, WorkItemRecord>();

  constructor(private readonly stateFile?: string) {}

  replace(snapshot: StateSnapshot): void {
    this.users = new Map(snapshot.users.map((u) => [u._id, u]));
    this.groups = new Map(snapshot.groups.map((g) => [g._id, g]));
    this.oauthClients = new Map(snapshot.oauthClients.map((c) => [c.clientId, c]));
    this.workflows = new Map(snapshot.workflows.map((w) => [w.name, w]));
    this.jobs = new Map(snapshot.jobs.map((j) => [j._id, j]));
    this.tasks = new Map(snapshot.tasks.map((t) => [t._id, t]));
    this.workItems = new Map((snapshot.workItems ?? []).map((w) => [w.id, w]));
  }

  snapshot(): StateSnapshot {
    return structuredClone({
      version: 2 as const,
      users: [...this.users.values()],
      groups: [...this.groups.values()],
      oauthClients: [...this.oauthClients.values()],
      workflows: [...this.workflows.values()],
      jobs: [...this.jobs.values()],
      tasks: [...this.tasks.values()],
      workItems: [...this.workItems.values()],
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

  /**
   * Reads the state file, or returns undefined when there is none yet. A file that cannot be read,
   * is not JSON, or is not a complete state file is refused with an Error naming it.
   */
  load(): StateSnapshot | undefined {
    if (!this.stateFile || !fs.existsSync(this.stateFile)) return undefined;
    let text: string;
    try {
      text = fs.readFileSync(this.stateFile, "utf8");
    } catch (error) {
      throw new Error(`State file ${this.stateFile} cannot be read: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(
        `State file ${this.stateFile} is not valid JSON (${(error as Error).message}). Fix it, or delete it to start from the seed.`,
      );
    }
    return readSnapshot(parsed, this.stateFile);
  }

  /**
   * Writes the state file atomically (a crash mid-write leaves the previous state, never half of
   * one); `snapshot` defaults to the current state. Throws StateFileError when it cannot.
   */
  persist(snapshot: StateSnapshot = this.snapshot()): void {
    if (!this.stateFile) return;
    const dir = path.dirname(this.stateFile);
    const temporary = path.join(dir, `.${path.basename(this.stateFile)}.${process.pid}.tmp`);
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(temporary, `${JSON.stringify(snapshot, null, 2)}\n`);
      fs.renameSync(temporary, this.stateFile);
    } catch (error) {
      try {
        fs.rmSync(temporary, { force: true });
      } catch {
        // the write failed first; that is what to report
      }
      throw new StateFileError(`could not write the state file ${this.stateFile}: ${(error as Error).message}`);
    }
  }
}
