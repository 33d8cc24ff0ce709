// Races, a few rounds of each (`npm run test:faults` runs many): two pipelines claiming one task at
// once, a claim racing a person's release, a destroy racing a person taking the task.
import { type RaceResult, runRaces } from "../../reliability/races";

jest.setTimeout(600_000);

let results: RaceResult[];

beforeAll(async () => {
  results = await runRaces({ claimVersusClaim: 2, claimVersusRelease: 1, destroyVersusReclaim: 1 });
});

test("every round: one winner named by the loser, or a clean refusal, and no state lies", () => {
  expect(results.flatMap((r) => r.problems.map((p) => `${r.kind} #${r.round}: ${p}`))).toEqual([]);
  expect(results.every((r) => r.consistent)).toBe(true);
  expect(results.map((r) => r.kind)).toEqual([
    "claim vs claim",
    "claim vs claim",
    "claim vs release",
    "destroy vs re-claim",
  ]);
});

test("the two pipelines' claims were in flight at the emulator at the same time", () => {
  expect(results.filter((r) => r.kind === "claim vs claim").map((r) => r.overlapped)).toEqual([true, true]);
});
