// How many cases the fuzz tests run. `npm test` runs the defaults (>= 10,000 cases in all, in a few
// seconds); ITENTIAL_FUZZ_RUNS=20 runs twenty times as many, for a longer hunt before a release.
const multiplier = Number(process.env.ITENTIAL_FUZZ_RUNS ?? "1");

export function fuzzRuns(defaultRuns: number): number {
  return Math.max(1, Math.round(defaultRuns * (Number.isFinite(multiplier) && multiplier > 0 ? multiplier : 1)));
}
