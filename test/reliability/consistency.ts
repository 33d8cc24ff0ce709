// What "state and IAP agree" means for TaskClaims, as pure functions over what state stores and what
// IAP holds, so the rule itself is unit-tested (consistency.test.ts) apart from the runs that use it.
//
// After any operation, failed or not:
// - no claim in IAP that state does not record: a task the claimant holds in IAP has a TaskClaim in
//   state whose destroy would give it back (the resource is there, releases on destroy, and claims
//   for this account or for an account not yet known). Its outputs may still say "owner unknown":
//   a claim whose outcome was unknown is recorded that way, and the next refresh or up settles it.
// - no claim in state that IAP does not hold: a TaskClaim whose outputs say the claimant holds the
//   task is held by the claimant in IAP.
// After the follow-up run without faults (convergence), state and IAP say exactly the same thing.

/** A TaskClaim as state stores it (its outputs, and the engine's record of a failed initialisation). */
export interface StoredClaim {
  taskId: string;
  owner?: string | undefined;
  claimant?: string | undefined;
  releaseOnDestroy?: boolean | undefined;
  initErrors?: readonly string[] | undefined;
}

/** Who holds each task in IAP (username), undefined when nobody does. */
export type Truth = ReadonlyMap<string, string | undefined>;

function describe(owner: string | undefined): string {
  return owner === undefined ? "nobody" : owner;
}

/** Where state and IAP disagree about `claimant`'s claims; empty when they agree. */
export function disagreements(claimant: string, stored: readonly StoredClaim[], truth: Truth): string[] {
  const problems: string[] = [];
  for (const [taskId, holder] of truth) {
    if (holder !== claimant) continue;
    const record = stored.find((claim) => claim.taskId === taskId);
    if (!record) {
      problems.push(`task ${taskId}: IAP says ${claimant} holds it, state has no TaskClaim for it`);
    } else if (record.releaseOnDestroy === false) {
      problems.push(`task ${taskId}: IAP says ${claimant} holds it, state would leave it held on destroy`);
    } else if (record.claimant !== undefined && record.claimant !== claimant) {
      problems.push(`task ${taskId}: IAP says ${claimant} holds it, state claims it for ${record.claimant}`);
    }
  }
  for (const record of stored) {
    if (record.owner !== claimant) continue;
    const holder = truth.get(record.taskId);
    if (holder !== claimant) {
      problems.push(`task ${record.taskId}: state says ${claimant} holds it, IAP says ${describe(holder)} does`);
    }
  }
  return problems;
}

/**
 * After a run without faults: `held` means every task has a settled TaskClaim held by `claimant`
 * in both state and IAP; `released` means state has no TaskClaim for them and IAP no claim by
 * `claimant`.
 */
export function convergence(
  claimant: string,
  stored: readonly StoredClaim[],
  truth: Truth,
  expected: "held" | "released",
): string[] {
  const problems = disagreements(claimant, stored, truth);
  for (const [taskId, holder] of truth) {
    const record = stored.find((claim) => claim.taskId === taskId);
    if (expected === "held") {
      if (!record) problems.push(`task ${taskId}: not in state after the follow-up run`);
      else if (record.initErrors?.length) problems.push(`task ${taskId}: still unsettled in state`);
      else if (record.owner !== claimant)
        problems.push(`task ${taskId}: state says ${describe(record.owner)} holds it`);
      if (holder !== claimant) problems.push(`task ${taskId}: IAP says ${describe(holder)} holds it`);
    } else {
      if (record) problems.push(`task ${taskId}: still in state after the follow-up run`);
      if (holder === claimant) problems.push(`task ${taskId}: IAP says ${claimant} still holds it`);
    }
  }
  return [...new Set(problems)];
}
