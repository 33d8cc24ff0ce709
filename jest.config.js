// Two projects, so the unit suites run with nothing but Node:
// - `unit`: every suite under test/ except the two below (test/sdk, test/emulator, test/provider, …).
//   Its set-up only makes sure dist/ is built from the current sources.
// - `e2e`: test/e2e and test/examples, which run the real Pulumi CLI. Its set-up also finds or
//   builds the CLI (scripts/pulumi-toolchain.js), which may need Go and minutes the first time.
// - `compat`: test/compat, the packed library in fresh consumers with each tested @pulumi/pulumi
//   version on each tested Node.js (test/compat/matrix.ts), through the real CLI. Its set-up finds
//   or builds the CLI too, and fetches the Node.js binaries into ~/.cache/pulumi-itential.
// Jest runs a project's global set-up only when at least one of its suites is selected, so
// `npx jest test/sdk test/emulator` never looks for Go or Pulumi; `npm test` (plain `jest`) runs all.
//
// Every project runs in test/support/load-aware-environment.js: each test's and hook's timeout is
// scaled by the machine's load when it starts (test/support/time-scale.js), and the summary
// reporter lists the slowest tests with the load. See docs/development.md, "Time budgets".
const E2E_DIRS = ["e2e", "examples"];
const COMPAT_DIRS = ["compat"];

const shared = {
  rootDir: __dirname,
  testEnvironment: "<rootDir>/test/support/load-aware-environment.js",
  roots: ["<rootDir>/test"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testTimeout: 30_000,
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: "unit",
      testMatch: ["<rootDir>/test/**/*.test.ts"],
      testPathIgnorePatterns: [
        "/node_modules/",
        ...[...E2E_DIRS, ...COMPAT_DIRS].map((dir) => `<rootDir>/test/${dir}/`),
      ],
      globalSetup: "<rootDir>/test/support/unit-global-setup.ts",
    },
    {
      ...shared,
      displayName: "e2e",
      testMatch: E2E_DIRS.map((dir) => `<rootDir>/test/${dir}/**/*.test.ts`),
      globalSetup: "<rootDir>/test/e2e/global-setup.ts",
      globalTeardown: "<rootDir>/test/e2e/global-teardown.ts",
    },
    {
      ...shared,
      displayName: "compat",
      testMatch: COMPAT_DIRS.map((dir) => `<rootDir>/test/${dir}/**/*.test.ts`),
      globalSetup: "<rootDir>/test/compat/global-setup.ts",
      globalTeardown: "<rootDir>/test/compat/global-teardown.ts",
    },
  ],
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
  // End-to-end tests start the Pulumi CLI and several processes per step: two workers on two cores.
  maxWorkers: 2,
  testTimeout: 30_000,
};
