// A place to run TaskClaim (or WorkItemClaim) stacks through the real engine and compare them with IAP's truth: an
// emulator process, a Pulumi sandbox (its own file backend), stacks whose inline programs use the
// packed library, and readers for what state stores and what IAP holds. The fault matrix, the
// races and the load run are built on it; it needs the e2e set-up (the CLI and the consumer
// project: jest's e2e global set-up, or scripts/faults.ts).
import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { DEFAULT_CREDENTIALS as C, defaultSeed, type EmulatorSeed } from "../../emulator";
import { OperationsManagerClient } from "../../sdk";
import { installedLibrary } from "../e2e/consumer";
import { PulumiSandbox } from "../e2e/harness";
import { EmulatorProcess } from "../support/emulator-process";
import type { StoredClaim, Truth } from "./consistency";
import { providerError } from "./engine-output";

export interface Account {
  readonly username: string;
  readonly password: string;
}

/** The account the stacks claim for, unless a run says otherwise. */
export const CLAIMANT: Account = C.pipeline;

/**
 * Short limits, so a fault costs a second rather than minutes, with room for a two-core machine
 * that other jobs share (a request normally takes a few milliseconds): one request 1 s, two retries
 * 50 ms apart at first, one operation 20 s.
 */
export const FAST_LIMITS = {
  "itential:timeoutMs": "1000",
  "itential:maxRetries": "2",
  "itential:retryDelayMs": "50",
  "itential:operationTimeoutMs": "20000",
} as const;

/** The demo seed plus a second pipeline account, so two pipelines can race for one task. */
export function raceSeed(): EmulatorSeed {
  const seed = defaultSeed();
  return {
    ...seed,
    users: [
      ...(seed.users ?? []),
      { username: SECOND_PIPELINE.username, password: SECOND_PIPELINE.password, roles: ["operator"] },
    ],
  };
}

export const SECOND_PIPELINE: Account = { username: "svc-pipeline-b", password: "pipeline-b-secret" };

/** The demo seed's users, with `jobs` jobs of a one-gate workflow: that many open manual tasks. */
export function gatesSeed(jobs: number): EmulatorSeed {
  const seed = defaultSeed();
  return {
    ...seed,
    workflows: [{ name: "Gate", tasks: [{ key: "a1", name: "Gate", groups: ["pipelines"] }] }],
    jobs: Array.from({ length: jobs }, (_, i) => ({ workflow: "Gate", description: `gate ${i}` })),
    // The demo's work items name the demo's jobs, which this seed replaces.
    workItems: [],
  };
}

interface StoredResource {
  type: string;
  outputs?: Record<string, unknown>;
  initErrors?: string[];
}

/** What a stack holds: Operations Manager tasks (TaskClaim) or Work Center items (WorkItemClaim). */
export type Subject = "TaskClaim" | "WorkItemClaim";

const TYPE_OF: Record<Subject, string> = {
  TaskClaim: "pulumi-nodejs:dynamic/itential:TaskClaim",
  WorkItemClaim: "pulumi-nodejs:dynamic/itential:WorkItemClaim",
};
/** The same program as a project directory, for stacks that must run in processes of their own. */
const PROGRAM_DIR = path.join(__dirname, "program");

export class Lab {
  #admin: OperationsManagerClient | undefined;
  #projectDir: string | undefined;

  private constructor(
    readonly emulator: EmulatorProcess,
    readonly sandbox: PulumiSandbox,
    private readonly ownsEmulator: boolean,
  ) {}

  /** A new sandbox, on `emulator` or on an emulator process of its own. */
  static async open(emulator?: EmulatorProcess): Promise<Lab> {
    const running = emulator ?? (await EmulatorProcess.start());
    try {
      return new Lab(running, PulumiSandbox.create(), emulator === undefined);
    } catch (error) {
      if (!emulator) await running.stop();
      throw error;
    }
  }

  async close(): Promise<void> {
    this.sandbox.dispose();
    if (this.ownsEmulator) await this.emulator.stop();
  }

  /** The platform's administrator, for reading the truth and acting out of band. */
  admin(): OperationsManagerClient {
    this.#admin ??= new OperationsManagerClient({
      baseUrl: this.emulator.url,
      auth: { type: "basic", username: C.admin.username, password: C.admin.password },
    });
    return this.#admin;
  }

  /** Ids of the open manual tasks named `name` (the demo seed's approval task by default). */
  async taskIds(name = "Approve change"): Promise<string[]> {
    const ids: string[] = [];
    for await (const task of this.admin().iterateTasks({ filters: { equals: { name } }, include: ["_id"] })) {
      ids.push(task.id);
    }
    return ids;
  }

  /** Ids of the pending Work Center items named `name` (the demo seed's agent approval by default). */
  async workItemIds(name = "Approve agent remediation"): Promise<string[]> {
    const ids: string[] = [];
    for await (const item of this.admin().iterateWorkItems({
      filters: [{ field: "name", operator: "equals", value: name }],
    })) {
      if (item.status === "pending") ids.push(item.id);
    }
    return ids;
  }

  /** Who holds each task (or, for WorkItemClaim, work item) in IAP, as its administrator reads it. */
  async truth(taskIds: readonly string[], subject: Subject = "TaskClaim"): Promise<Truth> {
    const truth = new Map<string, string | undefined>();
    if (subject === "WorkItemClaim") {
      for (const id of taskIds) {
        const owner = (await this.admin().getWorkItem(id)).owner;
        truth.set(id, owner ? (await this.admin().getAccount(owner.id)).username : undefined);
      }
      return truth;
    }
    for (let i = 0; i < taskIds.length; i += 20) {
      const batch = taskIds.slice(i, i + 20);
      const tasks = await Promise.all(batch.map((id) => this.admin().getTask(id, { dereference: ["metrics.owner"] })));
      for (const task of tasks) truth.set(task.id, task.owner?.username ?? task.owner?.id);
    }
    return truth;
  }

  /**
   * A stack in this lab's backend whose program declares one TaskClaim per id in `taskIds`,
   * configured for `account` with the fast limits (and `config` over them). The program runs inline
   * (in this process: fast), or with `ownProcesses` from a project directory, so the language host
   * and the program run in processes of their own: what two stacks running at the same moment need,
   * since the Pulumi SDK does not keep two inline programs in one process fully apart (one's
   * shutdown can cut the other's connection to its engine).
   */
  async stack(
    stackName: string,
    taskIds: readonly string[],
    options: { account?: Account; config?: Record<string, string>; ownProcesses?: boolean; subject?: Subject } = {},
  ): Promise<Stack> {
    const account = options.account ?? CLAIMANT;
    const config: Record<string, { value: string; secret?: boolean }> = {
      "itential:baseUrl": { value: this.emulator.url },
      "itential:username": { value: account.username },
      "itential:password": { value: account.password, secret: true },
    };
    for (const [key, value] of Object.entries({ ...FAST_LIMITS, ...options.config })) config[key] = { value };
    if (!options.ownProcesses) {
      return this.sandbox.inlineStack(
        async () => {
          const { TaskClaim, WorkItemClaim } = installedLibrary();
          taskIds.forEach((id, i) => {
            if (options.subject === "WorkItemClaim") new WorkItemClaim(`claim-${i}`, { workItemId: id });
            else new TaskClaim(`claim-${i}`, { taskId: id });
          });
          return {};
        },
        { stackName, config },
      );
    }
    this.#projectDir ??= this.sandbox.copyProject(PROGRAM_DIR, "reliability");
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName, workDir: this.#projectDir },
      {
        pulumiHome: this.sandbox.pulumiHome,
        pulumiCommand: await this.sandbox.pulumiCommand(),
        envVars: { ...this.sandbox.env },
      },
    );
    await stack.setAllConfig({ ...config, taskIds: { value: JSON.stringify(taskIds) } });
    return stack;
  }

  /** The TaskClaims (or WorkItemClaims, keyed by their work item as `taskId`) `stack`'s state holds. */
  async stored(stack: Stack, subject: Subject = "TaskClaim"): Promise<StoredClaim[]> {
    const state = await stack.exportStack();
    const resources = ((state.deployment as { resources?: StoredResource[] }).resources ?? []).filter(
      (r) => r.type === TYPE_OF[subject],
    );
    return resources.map((r) => {
      const o = r.outputs ?? {};
      return {
        taskId: String(subject === "WorkItemClaim" ? o.workItemId : o.taskId),
        owner: typeof o.owner === "string" ? o.owner : undefined,
        claimant: typeof o.claimant === "string" ? o.claimant : undefined,
        releaseOnDestroy: typeof o.releaseOnDestroy === "boolean" ? o.releaseOnDestroy : undefined,
        initErrors: r.initErrors,
      };
    });
  }
}

/** What an engine run ended in: success, or the error the provider reported for a TaskClaim. */
export type RunOutcome = { ok: true } | { ok: false; message: string; text: string };

/** Runs an engine operation and reports its outcome instead of throwing. */
export async function outcomeOf(run: () => Promise<unknown>): Promise<RunOutcome> {
  try {
    await run();
    return { ok: true };
  } catch (error) {
    const text = String((error as Error)?.message ?? error);
    return { ok: false, message: providerError(text), text };
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
