// Races through the real engine: two pipelines (two stacks, separate backends, separate engine and
// provider processes) claiming one task at once; a claim racing a person's release; a destroy
// racing a person taking the task. The emulator holds the contested request a moment (a latency
// fault shorter than the request timeout), so the other side can act while it is in flight, at a
// random point before or after it lands.
import type { Stack } from "@pulumi/pulumi/automation";
import { disagreements } from "./consistency";
import { type Account, CLAIMANT, Lab, outcomeOf, raceSeed, SECOND_PIPELINE, sleep } from "./lab";

export type RaceKind = "claim vs claim" | "claim vs release" | "destroy vs re-claim";

export interface RaceResult {
  kind: RaceKind;
  round: number;
  /** Who ended up holding the task, and how each side's run ended. */
  summary: string;
  problems: string[];
  /** State and IAP agreed at the end of the round (for every stack in it). */
  consistent: boolean;
  /** Engine runs in the round, and requests held back by the emulator to open the race window. */
  engineRuns: number;
  faultsInjected: number;
  /** For claim vs claim: both claims were in flight at the emulator at the same time. */
  overlapped?: boolean;
}

/** Shorter than the request timeout (FAST_LIMITS): the held request still gets its answer. */
const HOLD_MS = 600;
/**
 * Two engines started together may reach their claims a second or more apart on a loaded machine:
 * the pipelines' claims are held longer, under a longer request timeout, so they overlap.
 */
const RACE_HOLD_MS = 3000;
const RACE_LIMITS = { "itential:timeoutMs": "10000" };

async function holdNext(lab: Lab, method: string, path: string, delayMs = HOLD_MS): Promise<string> {
  return (await lab.emulator.addFault({ kind: "latency", delayMs, method, path })).id;
}

/** The status IAP answered the last `method path` with (0 when the connection was cut). */
async function answered(lab: Lab, method: string, path: string): Promise<number | undefined> {
  return (await lab.emulator.requests()).filter((r) => r.method === method && r.path === path).at(-1)?.status;
}

/** Resolves once a request has hit fault `id` (it arrived, and is being held). */
async function arrived(lab: Lab, id: string, hits = 1): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 10) {
    const faults = await lab.emulator.control<{ id: string; hits: number }[]>("GET", "/faults");
    if ((faults.find((f) => f.id === id)?.hits ?? 0) >= hits) return;
    await sleep(10);
  }
  throw new Error("the contested request never reached the emulator");
}

const owns = (lab: Lab, stack: Stack, account: Account, taskId: string) =>
  lab.stored(stack).then((stored) => ({ stored, account, taskId }));

/** Two pipelines claim the same task at the same time: exactly one wins, the other names it. */
export async function claimVersusClaim(labs: readonly [Lab, Lab], round: number): Promise<RaceResult> {
  const [first, second] = labs;
  await first.emulator.reset(raceSeed());
  const [taskId] = (await first.taskIds()) as [string];
  const accounts = [CLAIMANT, SECOND_PIPELINE] as const;
  const stacks = await Promise.all(
    labs.map((lab, i) =>
      lab.stack(`claim-race-${round}`, [taskId], { account: accounts[i], config: RACE_LIMITS, ownProcesses: true }),
    ),
  );
  const claimPath = `/operations-manager/tasks/${taskId}/claim`;
  await holdNext(first, "POST", claimPath, RACE_HOLD_MS);
  await first.emulator.control("DELETE", "/requests");

  const runs = await Promise.all(stacks.map((stack) => outcomeOf(() => stack.up())));
  const problems: string[] = [];
  const winners = runs.flatMap((run, i) => (run.ok ? [i] : []));
  const holder = (await first.truth([taskId])).get(taskId);
  if (winners.length !== 1) problems.push(`${winners.length} stacks succeeded, want exactly one`);
  const winner = winners.length === 1 ? accounts[winners[0] as number] : undefined;
  if (winner && holder !== winner.username) problems.push(`IAP says ${holder ?? "nobody"} holds it`);
  runs.forEach((run, i) => {
    if (!run.ok && winner && !run.message.includes(`is claimed by ${winner.username}`)) {
      problems.push(`${accounts[i]?.username} failed without naming the winner: ${run.message}`);
    }
  });
  let disagreed = 0;
  for (const [i, lab] of labs.entries()) {
    const account = accounts[i] as Account;
    const { stored } = await owns(lab, stacks[i] as Stack, account, taskId);
    disagreed += disagreements(account.username, stored, new Map([[taskId, holder]])).length;
    problems.push(
      ...disagreements(account.username, stored, new Map([[taskId, holder]])).map((p) => `${account.username}: ${p}`),
    );
    if (!(runs[i]?.ok ?? false) && stored.length > 0)
      problems.push(`${account.username}'s state records the lost claim`);
  }
  // Both claims were held at the emulator at once: the race was real, not two runs one after the other.
  const claims = (await second.emulator.requests()).filter((r) => r.method === "POST" && r.path === claimPath);
  const spans = claims.map((r) => {
    const end = Date.parse(r.time);
    return [end - r.durationMs, end] as const;
  });
  const overlapped =
    spans.length === 2 && (spans[0]?.[0] ?? 0) < (spans[1]?.[1] ?? 0) && (spans[1]?.[0] ?? 0) < (spans[0]?.[1] ?? 0);
  return {
    kind: "claim vs claim",
    round,
    summary: `${winner?.username ?? "nobody"} won${overlapped ? "" : " (claims did not overlap)"}`,
    problems,
    consistent: disagreed === 0,
    engineRuns: 2,
    faultsInjected: claims.length,
    overlapped,
  };
}

/**
 * A stack claims a task alice holds while alice releases it: the provider's read of the task (held
 * at the emulator, then answered after a random delay) either sees the release (and the claim
 * succeeds) or does not (and up fails naming alice, sending no claim); state and IAP agree either way.
 */
export async function claimVersusRelease(lab: Lab, round: number, random = Math.random): Promise<RaceResult> {
  await lab.emulator.reset();
  const [taskId] = (await lab.taskIds()) as [string];
  await lab.emulator.actAs("alice", "POST", `/operations-manager/tasks/${taskId}/claim`);
  const stack = await lab.stack(`release-race-${round}`, [taskId]);
  const held = await holdNext(lab, "GET", `/operations-manager/tasks/${taskId}`);
  const delay = Math.round(random() * HOLD_MS * 2);
  const run = outcomeOf(() => stack.up());
  await arrived(lab, held);
  await sleep(delay);
  await lab.emulator.actAs("alice", "POST", `/operations-manager/tasks/${taskId}/release`);
  const outcome = await run;
  await lab.emulator.control("DELETE", `/faults/${held}`);
  const holder = (await lab.truth([taskId])).get(taskId);
  const stored = await lab.stored(stack);
  const problems = disagreements(CLAIMANT.username, stored, new Map([[taskId, holder]]));
  const consistent = problems.length === 0;
  if (outcome.ok && holder !== CLAIMANT.username) problems.push(`up succeeded, but IAP says ${holder ?? "nobody"}`);
  if (!outcome.ok) {
    if (!/claimed by alice/.test(outcome.message)) problems.push(`failed without naming alice: ${outcome.message}`);
    if (stored.length > 0) problems.push("state records a claim that was refused");
  }
  return {
    kind: "claim vs release",
    round,
    summary: outcome.ok ? "alice's release landed first: claimed" : "our claim landed first: refused, naming alice",
    problems,
    consistent,
    engineRuns: 1,
    faultsInjected: 1,
  };
}

/**
 * A stack destroys its claim while alice takes the task (assigns it to herself): destroy succeeds
 * and never takes the task back from alice, and state forgets the claim.
 */
export async function destroyVersusReclaim(lab: Lab, round: number, random = Math.random): Promise<RaceResult> {
  await lab.emulator.reset();
  const [taskId] = (await lab.taskIds()) as [string];
  const alice = await lab.admin().findAccount("alice");
  const stack = await lab.stack(`destroy-race-${round}`, [taskId]);
  const up = await outcomeOf(() => stack.up());
  if (!up.ok) {
    const failed = { summary: "set-up failed", problems: [up.message], consistent: false, faultsInjected: 0 };
    return { kind: "destroy vs re-claim", round, ...failed, engineRuns: 1 };
  }
  const held = await holdNext(lab, "POST", `/operations-manager/tasks/${taskId}/release`);
  const delay = Math.round(random() * HOLD_MS * 2);
  const run = outcomeOf(() => stack.destroy());
  await arrived(lab, held);
  await sleep(delay);
  await lab.emulator.actAs("alice", "POST", `/operations-manager/tasks/${taskId}/assign`, { userId: alice?.id });
  const outcome = await run;
  const release = await answered(lab, "POST", `/operations-manager/tasks/${taskId}/release`);
  const order = release === 200 ? "our release landed first" : `alice's came first (release answered ${release})`;
  const holder = (await lab.truth([taskId])).get(taskId);
  const stored = await lab.stored(stack);
  const problems = disagreements(CLAIMANT.username, stored, new Map([[taskId, holder]]));
  const consistent = problems.length === 0;
  if (!outcome.ok) problems.push(`destroy failed: ${outcome.message}`);
  if (holder !== "alice") problems.push(`alice lost the task: IAP says ${holder ?? "nobody"} holds it`);
  if (stored.length > 0) problems.push("state still records the claim");
  return {
    kind: "destroy vs re-claim",
    round,
    summary: `${order}: ${outcome.ok ? "destroyed" : "destroy failed"}, alice holds it`,
    problems,
    consistent,
    engineRuns: 2,
    faultsInjected: 1,
  };
}

export interface RaceCounts {
  claimVersusClaim: number;
  claimVersusRelease: number;
  destroyVersusReclaim: number;
}

/** Runs the races: claim vs claim on two labs sharing one emulator, the others on the first. */
export async function runRaces(counts: RaceCounts, onResult?: (result: RaceResult) => void): Promise<RaceResult[]> {
  const first = await Lab.open();
  const second = await Lab.open(first.emulator);
  const results: RaceResult[] = [];
  const keep = (result: RaceResult) => {
    results.push(result);
    onResult?.(result);
  };
  try {
    for (let round = 0; round < counts.claimVersusClaim; round++) keep(await claimVersusClaim([first, second], round));
    for (let round = 0; round < counts.claimVersusRelease; round++) keep(await claimVersusRelease(first, round));
    for (let round = 0; round < counts.destroyVersusReclaim; round++) keep(await destroyVersusReclaim(first, round));
  } finally {
    await second.close();
    await first.close();
  }
  return results;
}

export function renderRaces(results: readonly RaceResult[]): string {
  const kinds = [...new Set(results.map((r) => r.kind))];
  return kinds
    .map((kind) => {
      const of = results.filter((r) => r.kind === kind);
      const failed = of.filter((r) => r.problems.length > 0);
      const tally = new Map<string, number>();
      for (const r of of) tally.set(r.summary, (tally.get(r.summary) ?? 0) + 1);
      const lines = [`${kind}: ${of.length} rounds, ${failed.length} with problems`];
      for (const [key, n] of tally) lines.push(`  ${n} × ${key}`);
      for (const r of failed) lines.push(`  round ${r.round}: ${r.problems.join("; ")}`);
      return lines.join("\n");
    })
    .join("\n");
}
