// Global set-up of the `e2e` jest project: dist/ built from the current sources, the Pulumi CLI
// found or built once per jest run (a cold build takes minutes, a warm one nothing), and the packed
// library installed into a consumer project outside the repository; both are handed to the test
// workers through the environment they inherit.
import { ensurePulumi, ensureYamlHost } from "../../scripts/pulumi-toolchain";
import { ensureFreshBuild } from "../support/fresh-build";
import { CONSUMER_ENV, installPackedLibrary } from "./consumer";
import { YAML_DIR_ENV } from "./harness";

export default function globalSetup(): void {
  ensureFreshBuild();
  process.env.PULUMI_ITENTIAL_TEST_BIN_DIR = ensurePulumi();
  // The YAML language host too, here and not in a test's beforeAll: its cold build (about 4
  // minutes of both cores) then runs before any test, not beside the other worker's load-budgeted
  // e2e steps.
  process.env[YAML_DIR_ENV] = ensureYamlHost();
  process.env[CONSUMER_ENV] = installPackedLibrary();
}
