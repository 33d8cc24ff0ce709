// Load: one stack with many TaskClaims goes up and down against the emulator while a few of its
// tasks fail (a random fault on each of a random few percent of them); after each faulted run state
// and IAP must agree for every claim, and a run without faults must converge.
import type { FaultSpec } from "../../emulator";
import { convergence, disagreements } from "./consistency";
import { CLAIMANT, gatesSeed, Lab, outcomeOf } from "./lab";

/** The faults a task may get: some pass with a retry, some fail the claim, some hide its outcome. */
const MIX: readonly Omit<FaultSpec, "path">[] = [
  { kind: "reset", times: 1 },
  { kind: "status", status: 503, times: 2 },
  { kind: "status", status: 429, retryAfterSeconds: 1, times: 1 },
  { kind: "reset", when: "after", times: 1 },
  { kind: "truncated", times: 1 },
  { kind: "status", status: 502 },
  { kind: "status", status: 500 },
  { kind: "malformed" },
  { kind: "reset", when: "after" },
];

export interface LoadPhase {
  name: string;
  ok: boolean;
  /** Tasks whose resource failed (the provider's messages, one per task). */
  failedClaims: number;
  /** Claims state records as possible (outcome unknown) after the run. */
  possibleClaims: number;
  problems: string[];
  durationMs: number;
}

export interface LoadResult {
  claims: number;
  faultsInjected: number;
  requests: number;
  engineRuns: number;
  phases: LoadPhase[];
}

function pick<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < count && pool.length > 0)
    picked.push(pool.splice(Math.floor(random() * pool.length), 1)[0] as T);
  return picked;
}

/**
 * `claims` TaskClaims up, up again, destroy, destroy again; the first up and the first destroy with
 * a random fault on each of `faultRate` × `claims` tasks.
 */
export async function runLoad(
  options: { claims: number; faultRate: number; random?: () => number },
  onPhase?: (phase: LoadPhase) => void,
): Promise<LoadResult> {
  const random = options.random ?? Math.random;
  const lab = await Lab.open();
  try {
    await lab.emulator.reset(gatesSeed(options.claims));
    const taskIds = await lab.taskIds("Gate");
    if (taskIds.length !== options.claims) throw new Error(`seeded ${taskIds.length} tasks, want ${options.claims}`);
    const stack = await lab.stack("load", taskIds);
    const result: LoadResult = { claims: options.claims, faultsInjected: 0, requests: 0, engineRuns: 0, phases: [] };

    const phase = async (
      name: string,
      run: () => Promise<unknown>,
      faulted: boolean,
      settled?: "held" | "released",
    ) => {
      const added: { id: string; times?: number | undefined }[] = [];
      if (faulted) {
        for (const taskId of pick(taskIds, Math.ceil(options.faultRate * taskIds.length), random)) {
          const spec = MIX[Math.floor(random() * MIX.length)] as FaultSpec;
          const fault = await lab.emulator.addFault({ ...spec, path: `/operations-manager/tasks/${taskId}/**` });
          added.push({ id: fault.id, times: spec.times });
        }
      }
      await lab.emulator.control("DELETE", "/requests");
      const started = Date.now();
      const outcome = await outcomeOf(run);
      const durationMs = Date.now() - started;
      result.engineRuns++;
      result.requests += (await lab.emulator.requests()).length;
      const current = await lab.emulator.control<{ id: string; hits: number }[]>("GET", "/faults");
      result.faultsInjected += added.reduce(
        (n, f) => n + (current.find((c) => c.id === f.id)?.hits ?? f.times ?? 0),
        0,
      );
      await lab.emulator.control("DELETE", "/faults");
      const stored = await lab.stored(stack);
      const truth = await lab.truth(taskIds);
      const problems = settled
        ? convergence(CLAIMANT.username, stored, truth, settled)
        : disagreements(CLAIMANT.username, stored, truth);
      if (settled && !outcome.ok) problems.unshift(`the run without faults failed: ${outcome.message}`);
      const failedClaims = outcome.ok ? 0 : outcome.message.split(" | ").length;
      const possibleClaims = stored.filter((claim) => (claim.initErrors?.length ?? 0) > 0).length;
      const done: LoadPhase = { name, ok: outcome.ok, failedClaims, possibleClaims, problems, durationMs };
      result.phases.push(done);
      onPhase?.(done);
    };

    // The faulted runs go on past the first failure (by default the engine stops starting new
    // operations), so every claim meets the faults' company, not only the first few.
    await phase("up, with faults", () => stack.up({ continueOnError: true }), true);
    await phase("up again, no faults", () => stack.up(), false, "held");
    await phase("destroy, with faults", () => stack.destroy({ continueOnError: true }), true);
    await phase("destroy again, no faults", () => stack.destroy(), false, "released");
    return result;
  } finally {
    await lab.close();
  }
}

export function renderLoad(result: LoadResult): string {
  const lines = [
    `${result.claims} TaskClaims: ${result.faultsInjected} faults injected in ${result.requests} requests ` +
      `(${((100 * result.faultsInjected) / Math.max(1, result.requests)).toFixed(1)}%), ${result.engineRuns} operations run`,
  ];
  for (const p of result.phases) {
    lines.push(
      `  ${p.name}: ${p.ok ? "ok" : `failed for ${p.failedClaims} claims`}` +
        `${p.possibleClaims ? ` (${p.possibleClaims} recorded as possible)` : ""}, ${Math.round(p.durationMs / 1000)} s, ` +
        `${p.problems.length === 0 ? "consistent" : `INCONSISTENT: ${p.problems.slice(0, 5).join("; ")}`}`,
    );
  }
  return lines.join("\n");
}
