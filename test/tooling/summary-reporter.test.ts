// The closing "Tests: N passed, N failed, N skipped" line, read from a real jest run of a small
// fixture project (test/fixtures/summary-reporter). CI reads this line, so it must never say
// "0 failed" on a red run.
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const FIXTURE = path.resolve(__dirname, "..", "fixtures", "summary-reporter");
const JEST = require.resolve("jest/bin/jest");

function runJest(...patterns: string[]): { status: number | null; lines: string[] } {
  const result = spawnSync(process.execPath, [JEST, "--config", "jest.config.js", "--runInBand", ...patterns], {
    cwd: FIXTURE,
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
    timeout: 60_000,
  });
  return { status: result.status, lines: result.stdout.trimEnd().split("\n") };
}

test("a suite that fails to load counts as a failure, not as nothing", () => {
  const run = runJest("does-not-load");
  expect(run.status).toBe(1);
  expect(run.lines.at(-1)).toBe("Tests: 0 passed, 1 failed, 0 skipped");
});

test("passed, failed (tests and broken suites) and skipped (skip and todo), alone on the last line", () => {
  const run = runJest();
  expect(run.status).toBe(1);
  // 2 passed; failed: one test, one suite that did not load, one whose afterAll threw; skip + todo.
  expect(run.lines.at(-1)).toBe("Tests: 2 passed, 3 failed, 2 skipped");
});

test("a green run says 0 failed", () => {
  const run = runJest("passes");
  expect(run.status).toBe(0);
  expect(run.lines.at(-1)).toBe("Tests: 1 passed, 0 failed, 2 skipped");
});

test("the slowest tests and suites, longest first, and the machine's load, just before the closing line", () => {
  const run = runJest("passes", "fails");
  const tests = run.lines.indexOf("Slowest tests (of 2):");
  expect(tests).toBeGreaterThanOrEqual(0);
  // fails.check.js's test waits before failing: it is the slower one.
  expect(run.lines[tests + 1]).toMatch(/^ +\d+\.\d s {2}fails\.check\.js › /);
  expect(run.lines[tests + 2]).toMatch(/^ +\d+\.\d s {2}passes\.check\.js › passes$/);
  expect(run.lines[tests + 3]).toBe("Slowest suites (of 2):");
  expect(run.lines.at(-2)).toMatch(
    /^Load average [\d.]+ \/ [\d.]+ \/ [\d.]+ \(1, 5, 15 min\) on \d+ cores; time budgets now × [\d.]+/,
  );
});
