// Load, reduced (`npm run test:faults` runs 200 claims): a stack of TaskClaims up and down with
// faults on a few of their tasks; every claim consistent after each run, and converged after the
// runs without faults.
import { type LoadResult, runLoad } from "../../reliability/load";

jest.setTimeout(600_000);

let result: LoadResult;

beforeAll(async () => {
  result = await runLoad({ claims: 20, faultRate: 0.15 });
});

test("every claim is consistent after every run, and the runs without faults converge", () => {
  expect(result.phases.map((p) => ({ phase: p.name, problems: p.problems }))).toEqual([
    { phase: "up, with faults", problems: [] },
    { phase: "up again, no faults", problems: [] },
    { phase: "destroy, with faults", problems: [] },
    { phase: "destroy again, no faults", problems: [] },
  ]);
  expect(result.phases[1]?.ok).toBe(true);
  expect(result.phases[3]?.ok).toBe(true);
  expect(result.faultsInjected).toBeGreaterThan(0);
});
