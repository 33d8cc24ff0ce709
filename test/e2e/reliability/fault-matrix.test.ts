// The fault matrix, reduced: a few cells through the real engine, chosen for what they prove (a
// claim applied whose answers are all lost, a stray 404, a recovery, an update whose outcome is
// unknown), for TaskClaim and for WorkItemClaim. `npm run test:faults` runs every operation under every fault (scripts/faults.ts).
import { type CellResult, cells, runMatrix } from "../../reliability/matrix";

jest.setTimeout(600_000);

const REDUCED = cells([
  ["applied, answer lost (always)", "create"],
  ["applied, answer past the timeout", "update"],
  ["404 from a proxy", "delete"],
  ["fail 2, then succeed (reset)", "create"],
  // WorkItemClaim (Work Center) under the same faults: a claim applied whose answers are all lost,
  // and a release whose routes answer a proxy's 404.
  ["applied, answer lost (always)", "work item create"],
  ["404 from a proxy", "work item delete"],
]);

let results: CellResult[];

beforeAll(async () => {
  results = await runMatrix(REDUCED);
});

test("every cell ends consistent, converges, and meets its expectations", () => {
  const problems = results.flatMap((r) => r.problems.map((p) => `${r.fault} / ${r.operation}: ${p}`));
  expect(problems).toEqual([]);
  expect(results.every((r) => r.consistent && r.converged)).toBe(true);
  expect(results.reduce((n, r) => n + r.faultsInjected, 0)).toBeGreaterThanOrEqual(REDUCED.length);
});

test("an unknown outcome is recorded, a failed read is a clear error, a passing fault is ok", () => {
  expect(results.map((r) => `${r.fault} / ${r.operation}: ${r.outcome}`)).toEqual([
    "applied, answer lost (always) / create: recorded",
    "applied, answer past the timeout / update: recorded",
    "404 from a proxy / delete: error",
    "fail 2, then succeed (reset) / create: ok",
    "applied, answer lost (always) / work item create: recorded",
    "404 from a proxy / work item delete: error",
  ]);
  expect(results[0]?.message).toMatch(/the claim of task \S+ may or may not have been made .*State records it/);
  expect(results[2]?.message).toMatch(/failed with HTTP 404/);
  expect(results[4]?.message).toMatch(/the claim of work item \S+ may or may not have been made .*State records it/);
  expect(results[5]?.message).toMatch(/^WorkItemClaim delete \(work item \S+\): .*failed with HTTP 404/);
});
