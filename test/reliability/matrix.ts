// The fault matrix: each operation (create, refresh, update, delete) of a TaskClaim stack, and the
// create and delete of a WorkItemClaim stack (Work Center), run by the real engine under each fault, then state compared with IAP's truth, then a follow-up run
// without faults that must converge. Each cell gets a fresh emulator state and a stack of its own.
import type { Stack } from "@pulumi/pulumi/automation";
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import { convergence, disagreements } from "./consistency";
import { FAULTS, type FaultCase, type MainRequest } from "./faults";
import { CLAIMANT, Lab, outcomeOf, type Subject, sleep } from "./lab";

export const OPERATIONS = ["create", "refresh", "update", "delete", "work item create", "work item delete"] as const;
export type Operation = (typeof OPERATIONS)[number];

interface OperationPlan {
  /** Brings the stack to where the operation starts; returns how many engine runs that took. */
  prepare(lab: Lab, stack: Stack, taskId: string): Promise<number>;
  main(taskId: string): MainRequest;
  /** The operation under fault. */
  run(stack: Stack): Promise<unknown>;
  /** The run without faults that must converge, and where it converges to. */
  followUp(stack: Stack): Promise<unknown>;
  settled: "held" | "released";
  /** What the stack holds (default TaskClaim). */
  subject?: Subject;
}

const WORK_ITEMS = "/work-center-service/work-items";
const WORK_CENTER_ROUTES = "/work-center-service/**";

const claimPath = (taskId: string): MainRequest => ({
  method: "POST",
  path: `/operations-manager/tasks/${taskId}/claim`,
});

const PLANS: Record<Operation, OperationPlan> = {
  // `up` of a new TaskClaim: the claim.
  create: {
    prepare: async () => 0,
    main: claimPath,
    run: (stack) => stack.up(),
    followUp: (stack) => stack.up(),
    settled: "held",
  },
  // `refresh` of a held claim: the read.
  refresh: {
    prepare: async (_lab, stack) => {
      await stack.up();
      return 1;
    },
    main: (taskId) => ({ method: "GET", path: `/operations-manager/tasks/${taskId}` }),
    run: (stack) => stack.refresh(),
    followUp: (stack) => stack.up(),
    settled: "held",
  },
  // `up` after a person released the task and a refresh saw it: the claim again, as an update.
  update: {
    prepare: async (lab, stack, taskId) => {
      await stack.up();
      await lab.emulator.actAs(C.admin.username, "POST", `/operations-manager/tasks/${taskId}/release`);
      await stack.refresh();
      return 2;
    },
    main: claimPath,
    run: (stack) => stack.up(),
    followUp: (stack) => stack.up(),
    settled: "held",
  },
  // `destroy` of a held claim: the read, then the release.
  delete: {
    prepare: async (_lab, stack) => {
      await stack.up();
      return 1;
    },
    main: (taskId) => ({ method: "POST", path: `/operations-manager/tasks/${taskId}/release` }),
    run: (stack) => stack.destroy(),
    followUp: (stack) => stack.destroy(),
    settled: "released",
  },
  // `up` of a new WorkItemClaim (an agent session's approval): the claim.
  "work item create": {
    prepare: async () => 0,
    main: (id) => ({ method: "PATCH", path: `${WORK_ITEMS}/${id}/claim`, routes: WORK_CENTER_ROUTES }),
    run: (stack) => stack.up(),
    followUp: (stack) => stack.up(),
    settled: "held",
    subject: "WorkItemClaim",
  },
  // `destroy` of a held WorkItemClaim: the read, then the release.
  "work item delete": {
    prepare: async (_lab, stack) => {
      await stack.up();
      return 1;
    },
    main: (id) => ({ method: "PATCH", path: `${WORK_ITEMS}/${id}/release`, routes: WORK_CENTER_ROUTES }),
    run: (stack) => stack.destroy(),
    followUp: (stack) => stack.destroy(),
    settled: "released",
    subject: "WorkItemClaim",
  },
};

export interface Cell {
  operation: Operation;
  fault: FaultCase;
}

export interface CellResult {
  operation: Operation;
  fault: string;
  /** `ok`; `error` (nothing recorded); `recorded` (an error, and state records a possible claim). */
  outcome: "ok" | "error" | "recorded";
  /** The provider's message when the operation failed. */
  message?: string;
  /** State and IAP agree right after the operation under fault. */
  consistent: boolean;
  /** The follow-up run without faults succeeded and left state and IAP saying the same. */
  converged: boolean;
  /** Disagreements, non-convergence, and unmet expectations (a recoverable fault that failed, …). */
  problems: string[];
  faultsInjected: number;
  engineRuns: number;
  durationMs: number;
}

/** Every operation under every fault. */
export function fullMatrix(): Cell[] {
  return FAULTS.flatMap((fault) => OPERATIONS.map((operation) => ({ operation, fault })));
}

/** Cells by fault name and operation, for a reduced run. */
export function cells(picks: readonly [string, Operation][]): Cell[] {
  return picks.map(([name, operation]) => {
    const fault = FAULTS.find((f) => f.name === name);
    if (!fault) throw new Error(`no fault named ${JSON.stringify(name)}`);
    return { operation, fault };
  });
}

/** An error a person can act on: it names the task, and is not a stack trace or a bare "undefined". */
function unclear(message: string, taskId: string): string | undefined {
  if (!message.includes(taskId)) return "does not name the task";
  if (/\n\s+at |\[object Object\]|\bundefined\b/.test(message)) return "reads like a crash";
  return undefined;
}

/** How many requests the added faults hit (a spent `times` fault has left the list). */
async function injectedCount(lab: Lab, added: { id: string; times?: number | undefined }[]): Promise<number> {
  const current = await lab.emulator.control<{ id: string; hits: number }[]>("GET", "/faults");
  return added.reduce((sum, fault) => sum + (current.find((f) => f.id === fault.id)?.hits ?? fault.times ?? 0), 0);
}

export async function runCell(lab: Lab, cell: Cell, index: number): Promise<CellResult> {
  const plan = PLANS[cell.operation];
  const subject = plan.subject ?? "TaskClaim";
  await lab.emulator.reset();
  const [taskId] = subject === "WorkItemClaim" ? await lab.workItemIds() : await lab.taskIds();
  if (!taskId) throw new Error("the emulator has no approval task");
  const stack = await lab.stack(`cell-${index}`, [taskId], { subject });
  let engineRuns = await plan.prepare(lab, stack, taskId);

  const added: { id: string; times?: number | undefined }[] = [];
  for (const spec of cell.fault.specs(plan.main(taskId))) {
    added.push({ id: (await lab.emulator.addFault(spec)).id, times: spec.times });
  }
  const started = Date.now();
  const outcome = await outcomeOf(() => plan.run(stack));
  const durationMs = Date.now() - started;
  if (process.env.FAULT_DEBUG && !outcome.ok) process.stderr.write(`${outcome.text}\n`);
  engineRuns++;
  const faultsInjected = await injectedCount(lab, added);
  await lab.emulator.control("DELETE", "/faults");
  if (cell.fault.settleMs) await sleep(cell.fault.settleMs);

  const stored = await lab.stored(stack, subject);
  const problems = disagreements(CLAIMANT.username, stored, await lab.truth([taskId], subject));
  const consistent = problems.length === 0;
  if (cell.fault.recoverable && !outcome.ok) problems.push(`expected success, got: ${outcome.message}`);
  if (!outcome.ok) {
    const why = unclear(outcome.message, taskId);
    if (why) problems.push(`unclear error (${why}): ${outcome.message}`);
  }
  const recorded = stored.some((claim) => claim.taskId === taskId && (claim.initErrors?.length ?? 0) > 0);

  const again = await outcomeOf(() => plan.followUp(stack));
  engineRuns++;
  const settled = convergence(
    CLAIMANT.username,
    await lab.stored(stack, subject),
    await lab.truth([taskId], subject),
    plan.settled,
  );
  if (!again.ok) settled.unshift(`the follow-up run failed: ${again.message}`);
  problems.push(...settled);

  return {
    operation: cell.operation,
    fault: cell.fault.name,
    outcome: outcome.ok ? "ok" : recorded ? "recorded" : "error",
    ...(outcome.ok ? {} : { message: outcome.message }),
    consistent,
    converged: settled.length === 0,
    problems,
    faultsInjected,
    engineRuns,
    durationMs,
  };
}

/**
 * Runs `all` one after the other on one lab (an emulator process and a backend of its own);
 * results in the order given. Runs in parallel are separate processes (scripts/faults.ts): the
 * Pulumi SDK does not keep inline programs running at once in one process fully apart.
 */
export async function runMatrix(
  all: readonly Cell[],
  onResult?: (result: CellResult, index: number) => void,
): Promise<CellResult[]> {
  const results: CellResult[] = [];
  const lab = await Lab.open();
  try {
    for (const [index, cell] of all.entries()) {
      let result: CellResult;
      try {
        result = await runCell(lab, cell, index);
      } catch (error) {
        // The set-up itself failed (not the operation under fault): a failed cell, not a crash.
        result = {
          operation: cell.operation,
          fault: cell.fault.name,
          outcome: "error",
          consistent: false,
          converged: false,
          problems: [`the cell could not run: ${(error as Error).message}`],
          faultsInjected: 0,
          engineRuns: 0,
          durationMs: 0,
        };
      }
      results.push(result);
      onResult?.(result, index);
    }
  } finally {
    await lab.close();
  }
  return results;
}
