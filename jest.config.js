/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  globalSetup: "<rootDir>/test/e2e/global-setup.ts",
  globalTeardown: "<rootDir>/test/e2e/global-teardown.ts",
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
  // End-to-end tests start the Pulumi CLI and several processes per step: two workers on two cores.
  maxWorkers: 2,
  testTimeout: 30_000,
};
