// The consistency rule the fault matrix, the races and the load run judge by.
import { convergence, disagreements, type StoredClaim } from "./consistency";

const ME = "svc-pipeline";
const truth = (entries: [string, string | undefined][]) => new Map(entries);
const claim = (taskId: string, extra: Partial<StoredClaim> = {}): StoredClaim => ({
  taskId,
  owner: ME,
  claimant: ME,
  releaseOnDestroy: true,
  ...extra,
});

test("state and IAP agreeing on a held, a released and a foreign task is consistent", () => {
  const stored = [claim("t1"), claim("t2", { owner: undefined }), claim("t3", { owner: "alice" })];
  expect(
    disagreements(
      ME,
      stored,
      truth([
        ["t1", ME],
        ["t2", undefined],
        ["t3", "alice"],
      ]),
    ),
  ).toEqual([]);
});

test("a claim in IAP that state does not record is found", () => {
  expect(disagreements(ME, [], truth([["t1", ME]]))).toEqual([
    "task t1: IAP says svc-pipeline holds it, state has no TaskClaim for it",
  ]);
  expect(disagreements(ME, [claim("t1", { releaseOnDestroy: false })], truth([["t1", ME]]))).toHaveLength(1);
  expect(disagreements(ME, [claim("t1", { claimant: "svc-other" })], truth([["t1", ME]]))).toHaveLength(1);
});

test("a claim in state that IAP does not hold is found", () => {
  expect(disagreements(ME, [claim("t1")], truth([["t1", undefined]]))).toEqual([
    "task t1: state says svc-pipeline holds it, IAP says nobody does",
  ]);
  expect(disagreements(ME, [claim("t1")], truth([["t1", "alice"]]))).toHaveLength(1);
});

test("a possible claim (owner unknown, claimant not yet known) records what IAP holds", () => {
  const possible = claim("t1", { owner: undefined, claimant: undefined, initErrors: ["outcome unknown"] });
  expect(disagreements(ME, [possible], truth([["t1", ME]]))).toEqual([]);
  expect(disagreements(ME, [possible], truth([["t1", undefined]]))).toEqual([]);
  // …but it has not converged until a run settles it.
  expect(convergence(ME, [possible], truth([["t1", ME]]), "held")).toEqual(["task t1: still unsettled in state"]);
});

test("convergence wants exact agreement: held in both, or gone from both", () => {
  expect(convergence(ME, [claim("t1")], truth([["t1", ME]]), "held")).toEqual([]);
  expect(convergence(ME, [claim("t1", { owner: undefined })], truth([["t1", undefined]]), "held")).toEqual([
    "task t1: state says nobody holds it",
    "task t1: IAP says nobody holds it",
  ]);
  expect(convergence(ME, [], truth([["t1", undefined]]), "released")).toEqual([]);
  expect(convergence(ME, [], truth([["t1", "alice"]]), "released")).toEqual([]);
  expect(convergence(ME, [claim("t1", { owner: undefined })], truth([["t1", undefined]]), "released")).toEqual([
    "task t1: still in state after the follow-up run",
  ]);
});
